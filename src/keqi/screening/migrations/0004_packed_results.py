"""One row per firm and run: every edition's result is packed into the firm's ``Standing``
(``results``), the run keeps its verdict counts (``counts``), and the standing its firm's name (the
candidate lists' order); the ``Result`` table (one row per firm and edition) goes. Existing runs'
results are packed by this migration, run by run, so no screening is lost on upgrade."""

import django.db.models.deletion
from django.db import migrations, models

BATCH = 5000


def _packed(r) -> dict:
    out = {"v": r["verdict"]}
    if r["route"]:
        out["r"] = r["route"]
    if (r["score_min"], r["score_max"], r["pass_mark"]) != (None, None, None):
        out["s"] = [r["score_min"], r["score_max"], r["pass_mark"]]
    if r["closeness"] is not None:
        out["c"] = r["closeness"]
    if r["gaps"] is not None:
        out["g"] = r["gaps"]
    if r["extras"]:
        out["x"] = r["extras"]
    return out


def pack_results(apps, schema_editor):
    Run = apps.get_model("screening", "ScreeningRun")
    Standing = apps.get_model("screening", "Standing")
    Result = apps.get_model("screening", "Result")
    Enterprise = apps.get_model("registry", "Enterprise")
    fields = ("enterprise_id", "edition", "verdict", "route", "score_min", "score_max", "pass_mark", "closeness",
              "gaps", "extras")
    for run in Run.objects.all().iterator():
        counts: dict = {}
        for edition, verdict, n in (Result.objects.filter(run=run).values_list("edition", "verdict")
                                    .annotate(n=models.Count("pk")).order_by()):
            counts.setdefault(edition, {})[verdict] = n
        if counts:
            Run.objects.filter(pk=run.pk).update(counts=counts)
        ids = list(Standing.objects.filter(run=run).order_by("enterprise_id").values_list("enterprise_id", flat=True))
        for i in range(0, len(ids), BATCH):
            part = ids[i : i + BATCH]
            packed: dict = {}
            for r in Result.objects.filter(run=run, enterprise_id__in=part).values(*fields):
                packed.setdefault(r["enterprise_id"], {})[r["edition"]] = _packed(r)
            names = dict(Enterprise.objects.filter(pk__in=part).values_list("pk", "name"))
            standings = list(Standing.objects.filter(run=run, enterprise_id__in=part))
            for s in standings:
                s.results = packed.get(s.enterprise_id, {})
                s.name = names.get(s.enterprise_id, "")
            Standing.objects.bulk_update(standings, ["results", "name"], batch_size=1000)


class Migration(migrations.Migration):

    dependencies = [
        ('registry', '0004_upper_rung_fields'),
        ('screening', '0003_gaps_when_computed'),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='standing',
            name='screening_s_run_id_087f22_idx',
        ),
        migrations.AddField(
            model_name='screeningrun',
            name='counts',
            field=models.JSONField(blank=True, default=dict, verbose_name='verdict counts'),
        ),
        migrations.AddField(
            model_name='standing',
            name='name',
            field=models.CharField(blank=True, max_length=200, verbose_name='name'),
        ),
        migrations.AddField(
            model_name='standing',
            name='results',
            field=models.JSONField(blank=True, default=dict, verbose_name="every edition's result"),
        ),
        migrations.AlterField(
            model_name='standing',
            name='reporting_unit',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='registry.reportingunit'),
        ),
        migrations.AlterField(
            model_name='standing',
            name='run',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='standings', to='screening.screeningrun'),
        ),
        migrations.AddIndex(
            model_name='standing',
            index=models.Index(fields=['run', 'closeness', 'name', 'id'], name='standing_run_rank'),
        ),
        migrations.AddIndex(
            model_name='standing',
            index=models.Index(fields=['run', 'reporting_unit', 'closeness', 'name', 'id'], name='standing_run_unit_rank'),
        ),
        migrations.RunPython(pack_results, migrations.RunPython.noop),
        migrations.DeleteModel(
            name='Result',
        ),
    ]
