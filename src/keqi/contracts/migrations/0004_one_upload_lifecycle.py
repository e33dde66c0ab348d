# One upload lifecycle (registry/uploads.py): contract uploads get the progress bar and the common status

import keqi.registry.uploads
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('contracts', '0003_background_work'),
    ]

    operations = [
        migrations.AddField(
            model_name='contractimport',
            name='progress',
            field=models.PositiveSmallIntegerField(default=0, verbose_name='progress (%)'),
        ),
        migrations.AlterField(
            model_name='contractimport',
            name='file',
            field=models.FileField(upload_to=keqi.registry.uploads.upload_path, verbose_name='file'),
        ),
        migrations.AlterField(
            model_name='contractimport',
            name='status',
            field=models.CharField(choices=[('pending', 'Waiting to be checked'), ('checking', 'Checking'), ('invalid', 'Has errors'), ('checked', 'Checked, ready to import'), ('importing', 'Importing'), ('imported', 'Imported'), ('failed', 'Failed'), ('interrupted', 'Interrupted')], default='pending', max_length=16, verbose_name='status'),
        ),
    ]
