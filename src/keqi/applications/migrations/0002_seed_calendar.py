"""Seed the working-day calendar with the arrangements shipped in keqi.policy.workdays (the city
administrator corrects or completes it later; ``keqi calendar sync`` adds newly shipped years)."""

from django.db import migrations


def seed(apps, schema_editor):
    from keqi.policy.workdays import ARRANGEMENTS

    Year = apps.get_model("applications", "CalendarYear")
    Day = apps.get_model("applications", "CalendarDay")
    for a in ARRANGEMENTS:
        if Year.objects.filter(year=a.year).exists():
            continue
        year = Year.objects.create(year=a.year, confirmed=a.confirmed, document=a.document, source=a.source,
                                   note=a.note)
        Day.objects.bulk_create(
            [Day(year=year, day=d, kind="holiday", name=h.name) for h in a.holidays for d in h.days()]
            + [Day(year=year, day=d, kind="workday", name="调休上班") for d in a.workdays])


class Migration(migrations.Migration):
    dependencies = [("applications", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
