"""Load the targets the plan and the 2023 work conference published (data/targets.csv, with sources).

Re-running is safe: a shipped target that a user has since changed is left as the user set it.
"""

import csv
from decimal import Decimal
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data" / "targets.csv"


def load(apps, schema_editor):
    Target = apps.get_model("targets", "Target")
    with DATA.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            scope = "city" if row["scope"] == "city" else f"zone:{row['scope']}"
            Target.objects.get_or_create(
                indicator=row["indicator"], year=int(row["year"]), scope_key=scope,
                defaults={"value": Decimal(row["value"]), "source": row["source"]},
            )


class Migration(migrations.Migration):
    dependencies = [("targets", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
