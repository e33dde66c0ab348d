"""One name for the ladder's rungs: the model ``Stage`` is ``LadderTier`` and ``TierRecord.stage`` is
``TierRecord.tier``. Names only: the tables, the column and the index keep theirs (nothing is rewritten
on either database); the content types follow, so the admin's log and permissions stay attached."""

import django.db.models.deletion
from django.db import migrations, models

RENAMED = {"stage": "laddertier", "historicalstage": "historicalladdertier"}


def rename_content_types(apps, schema_editor, renamed=RENAMED):
    ContentType = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    for old, new in renamed.items():
        if not ContentType.objects.using(db).filter(app_label="pipeline", model=new).exists():
            ContentType.objects.using(db).filter(app_label="pipeline", model=old).update(model=new)


def restore_content_types(apps, schema_editor):
    rename_content_types(apps, schema_editor, {new: old for old, new in RENAMED.items()})


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("pipeline", "0005_bulk_keys"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RenameModel("Stage", "LadderTier"),
                migrations.AlterModelTable("LadderTier", "pipeline_stage"),
                migrations.RenameModel("HistoricalStage", "HistoricalLadderTier"),
                migrations.AlterModelTable("HistoricalLadderTier", "pipeline_historicalstage"),
                migrations.RemoveIndex("tierrecord", "pipeline_ti_year_c076de_idx"),
                migrations.RenameField("TierRecord", "stage", "tier"),
                migrations.AlterField(
                    model_name="tierrecord",
                    name="tier",
                    field=models.ForeignKey(db_column="stage_id", db_constraint=False, db_index=False,
                                            on_delete=django.db.models.deletion.PROTECT, related_name="+",
                                            to="pipeline.laddertier", verbose_name="stage"),
                ),
                migrations.AddIndex("tierrecord", models.Index(fields=["year", "tier"],
                                                                name="pipeline_ti_year_c076de_idx")),
            ],
            database_operations=[],
        ),
        migrations.RunPython(rename_content_types, restore_content_types),
    ]
