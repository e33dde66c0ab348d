"""Load Chongqing's reporting units: the 38 区县 (GB/T 2260 codes, 一区两群 zone) and the three
functional zones that report separately (两江新区, 西部科学城重庆高新区, 万盛经开区).

Facts from ../shared/reference/districts.csv (codes: modood/Administrative-divisions-of-China,
cross-checked; the zone grouping is marked UNCONFIRMED there), copied to ``data/districts.csv``.
Re-running is safe: units are matched by name and updated in place.
"""

import csv
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data" / "districts.csv"


def load(apps, schema_editor):
    ReportingUnit = apps.get_model("registry", "ReportingUnit")
    with DATA.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            ReportingUnit.objects.update_or_create(
                name=row["name"],
                defaults={"code": row["code"] or None, "kind": row["kind"], "zone": row["zone"] or ""},
            )


def unload(apps, schema_editor):
    ReportingUnit = apps.get_model("registry", "ReportingUnit")
    with DATA.open(encoding="utf-8") as fh:
        names = [row["name"] for row in csv.DictReader(fh)]
    ReportingUnit.objects.filter(name__in=names, enterprises__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("registry", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
