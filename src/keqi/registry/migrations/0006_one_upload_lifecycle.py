# One upload lifecycle (registry/uploads.py): the status names of every app's uploads, files by upload_path

import keqi.registry.uploads
from django.db import migrations, models


def valid_to_checked(apps, schema_editor):
    """One name for "checked, ready to import" in every app's uploads (contracts said checked)."""
    apps.get_model("registry", "ImportBatch").objects.filter(status="valid").update(status="checked")


def checked_to_valid(apps, schema_editor):
    apps.get_model("registry", "ImportBatch").objects.filter(status="checked").update(status="valid")


class Migration(migrations.Migration):

    dependencies = [
        ('registry', '0005_background_work'),
    ]

    operations = [
        migrations.AlterField(
            model_name='importbatch',
            name='file',
            field=models.FileField(upload_to=keqi.registry.uploads.upload_path, verbose_name='file'),
        ),
        migrations.AlterField(
            model_name='importbatch',
            name='sha256',
            field=models.CharField(blank=True, max_length=64),
        ),
        migrations.AlterField(
            model_name='importbatch',
            name='status',
            field=models.CharField(choices=[('pending', 'Waiting to be checked'), ('checking', 'Checking'), ('invalid', 'Has errors'), ('checked', 'Checked, ready to import'), ('importing', 'Importing'), ('imported', 'Imported'), ('failed', 'Failed'), ('interrupted', 'Interrupted')], default='pending', max_length=16, verbose_name='status'),
        ),
        migrations.RunPython(valid_to_checked, checked_to_valid),
    ]
