"""``keqi editions`` / ``schema`` / ``evaluate`` on a local Typer app (no Django)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
import typer
from policy.helpers import base_profile
from typer.testing import CliRunner

from keqi.cli import policy


@pytest.fixture
def app():
    a = typer.Typer()
    policy.register(a)
    return a


def invoke(app, args, stdin=None):
    return CliRunner().invoke(app, args, input=stdin)


def lines_of(result):
    return [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]


def test_jsonl_one_verdict_per_line_and_errors_in_place(app, tmp_path):
    good = base_profile()
    bad_field = base_profile()
    bad_field["financials"][0]["revenue"] = -5
    weak = base_profile(tech_staff=1, senior_tech_staff=0)
    text = "\n".join([json.dumps(good), json.dumps(bad_field), "{not json", json.dumps(weak)]) + "\n"
    path = tmp_path / "firms.jsonl"
    path.write_text(text, encoding="utf-8")
    result = invoke(app, ["evaluate", "--edition", "tsme-2017", str(path)])
    assert result.exit_code == 1
    out = lines_of(result)
    assert len(out) == 4
    assert out[0]["verdict"] == "eligible" and out[0]["uscc"] == good["uscc"]
    assert out[1] == {"error": out[1]["error"], "line": 2, "field": "financials.0.revenue"}
    assert out[2]["line"] == 3 and out[2]["field"] is None and "JSON" in out[2]["error"]
    assert out[3]["verdict"] == "ineligible" and out[3]["gaps"]


def test_all_good_exits_zero(app, tmp_path):
    path = tmp_path / "firms.jsonl"
    path.write_text("\n".join(json.dumps(base_profile()) for _ in range(3)), encoding="utf-8")
    result = invoke(app, ["evaluate", "-e", "hnte-2016", str(path)])
    assert result.exit_code == 0
    assert [v["edition"] for v in lines_of(result)] == ["hnte-2016"] * 3


def test_single_json_file(app, tmp_path):
    path = tmp_path / "firm.json"
    path.write_text(json.dumps(base_profile(), indent=2), encoding="utf-8")
    result = invoke(app, ["evaluate", "--edition", "cq-tech-2022", str(path)])
    assert result.exit_code == 0
    verdict = json.loads(result.stdout)
    assert verdict["verdict"] == "eligible"
    assert {"uscc", "edition", "verdict", "route", "score", "criteria", "gaps"} <= set(verdict)


def test_stdin_and_settings_file(app, tmp_path):
    settings = tmp_path / "settings.json"
    settings.write_text(json.dumps({"new_economy_field": "assume_met"}), encoding="utf-8")
    p = base_profile()
    for f, revenue in zip(
        sorted(p["financials"], key=lambda f: f["year"]), (10_000_000, 12_000_000, 20_000_000), strict=True
    ):
        f.update(revenue=revenue, hitech_revenue=0)
    result = invoke(
        app, ["evaluate", "-e", "gazelle-cq-2023", "--settings", str(settings), "-"], stdin=json.dumps(p)
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["verdict"] == "eligible"


def test_bad_edition_and_bad_settings(app, tmp_path):
    path = tmp_path / "firm.json"
    path.write_text(json.dumps(base_profile()), encoding="utf-8")
    assert invoke(app, ["evaluate", "-e", "nope", str(path)]).exit_code != 0
    settings = tmp_path / "s.json"
    settings.write_text(json.dumps({"unknown": 1}), encoding="utf-8")
    assert invoke(app, ["evaluate", "-e", "tsme-2017", "--settings", str(settings), str(path)]).exit_code != 0


def test_editions_lists_sources_and_settings(app):
    result = invoke(app, ["editions", "--json"])
    assert result.exit_code == 0
    eds = json.loads(result.stdout)
    assert [e["id"] for e in eds] == [
        "tsme-2017",
        "hnte-2016",
        "cq-tech-2022",
        "gazelle-cq-2023",
        "unicorn-cq-2023",
        "kv-credit",
        "innovative-sme-2022",
        "srdi-2022",
        "srdi-2026",
        "little-giant-2022",
        "little-giant-2026",
        "star-2022",
        "star-2024",
        "sme-size-2011",
    ]
    kv = eds[5]
    assert all(s["official"] is False for s in kv["settings"])
    text = invoke(app, ["editions"])
    assert "国科发政〔2017〕115号" in text.stdout and "NOT OFFICIAL" in text.stdout


def test_schema(app):
    result = invoke(app, ["schema"])
    assert result.exit_code == 0
    assert "financials" in json.loads(result.stdout)["properties"]


def test_policy_and_its_cli_do_not_import_django():
    code = (
        "import sys, typer, keqi.cli.policy as p, keqi.policy as k; p.register(typer.Typer());"
        "k.editions.all_editions() if hasattr(k, 'editions') else None;"
        "import keqi.policy.engine, keqi.policy.gaps;"
        "assert not any(m == 'django' or m.startswith('django.') for m in sys.modules), 'django imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_a_family_picks_each_firms_edition_a_re_review_keeps_the_2022_standard(app, tmp_path):
    """keqi evaluate --edition little-giant --on 2026-05-10: a firm with sme.rereview gets
    little-giant-2022 (工信厅企业函〔2026〕117号), the others little-giant-2026, in input order."""
    from policy.tiers_helpers import strong_firm

    new, again = strong_firm(), strong_firm()
    again["sme"]["rereview"] = True
    path = tmp_path / "firms.jsonl"
    path.write_text("\n".join(json.dumps(p, ensure_ascii=False) for p in (again, new, again)), encoding="utf-8")
    result = invoke(app, ["evaluate", "--edition", "little-giant", "--on", "2026-05-10", "--no-gaps", str(path)])
    assert result.exit_code == 0, result.output
    assert [v["edition"] for v in lines_of(result)] == ["little-giant-2022", "little-giant-2026", "little-giant-2022"]
    forced = invoke(app, ["evaluate", "--edition", "little-giant-2026", "--on", "2026-05-10", "--no-gaps", str(path)])
    assert {v["edition"] for v in lines_of(forced)} == {"little-giant-2026"}
