"""The fixed start of ``keqi screen FILE.parquet``: with the policy SQL in the cache a file screen
compiles nothing and parses nothing, so it never imports Ibis or sqlglot (~0.3 s), and Django's start
imports none of the heavy libraries (Ibis, sqlglot, polars, pandas: ~0.5 s together)."""

import datetime as dt
import json
import os
import pickle
import subprocess
import sys

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from django.test import override_settings

from keqi.screening import flatfile, sqlcache
from tests.policy.population import random_flat_table

pytestmark = pytest.mark.django_db  # the ladder is the city's (seeded by the migrations)

DAY = dt.date(2025, 6, 30)
EDITIONS = ("cq-tech-2022", "tsme-2017", "hnte-2016")  # the first stages' editions: plans are searched

# A new process, as the CLI runs it: Django's start, then the file screen with the ladder read here.
CHILD = """
import json, pickle, sys
from keqi.cli.django_setup import setup

setup()
heavy = ("ibis", "sqlglot", "polars", "pandas")
at_setup = sorted(m for m in heavy if m in sys.modules)
from keqi.screening import flatfile

path, out, day, ladder, editions = pickle.loads(sys.stdin.buffer.read())
flatfile.screen_flat_parquet(path, out, assess_on=day, ladder=ladder, edition_ids=editions, workers=0)
print(json.dumps([at_setup, sorted(m for m in ("ibis", "sqlglot") if m in sys.modules)]))
"""


def test_a_file_screen_with_the_sql_cached_imports_neither_ibis_nor_sqlglot(tmp_path):
    from keqi.pipeline.services import current_ladder

    path = tmp_path / "firms.parquet"
    table = random_flat_table(80, seed=11)
    kinds = [None, "hnte", "cq_tech", "tsme"]
    pq.write_table(table.append_column("qualifications", pa.array([kinds[i % 4] for i in range(80)])), path)
    ladder = current_ladder()
    with override_settings(KEQI_HOME=tmp_path):  # this process compiles (or has compiled) and stores
        flatfile.screen_flat_parquet(path, tmp_path / "here.parquet", assess_on=DAY, ladder=ladder,
                                     edition_ids=EDITIONS, workers=0)
        assert sqlcache.path().is_file()
    env = {**os.environ, "KEQI_HOME": str(tmp_path), "DJANGO_SETTINGS_MODULE": "keqi.settings"}
    payload = pickle.dumps((str(path), str(tmp_path / "there.parquet"), DAY, ladder, EDITIONS))
    done = subprocess.run([sys.executable, "-c", CHILD], input=payload, capture_output=True, env=env)
    assert done.returncode == 0, done.stderr.decode()
    at_setup, after_screen = json.loads(done.stdout.decode().splitlines()[-1])
    assert at_setup == [], f"django.setup() imported {at_setup}"
    assert after_screen == [], f"the file screen imported {after_screen} although its SQL was cached"
    here, there = pq.read_table(tmp_path / "here.parquet"), pq.read_table(tmp_path / "there.parquet")
    assert there.num_rows == 80 and there.equals(here)
