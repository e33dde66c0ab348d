# One upload lifecycle (registry/uploads.py): sheets of reported values are kept, checked, confirmed, imported

import django.db.models.deletion
import keqi.registry.uploads
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('targets', '0003_indicator_labels'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='ValueImport',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('runner', models.CharField(blank=True, editable=False, max_length=100, verbose_name='process')),
                ('message', models.CharField(blank=True, max_length=500, verbose_name='message')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='uploaded at')),
                ('file', models.FileField(upload_to=keqi.registry.uploads.upload_path, verbose_name='file')),
                ('original_name', models.CharField(max_length=255, verbose_name='file name')),
                ('sha256', models.CharField(blank=True, max_length=64)),
                ('status', models.CharField(choices=[('pending', 'Waiting to be checked'), ('checking', 'Checking'), ('invalid', 'Has errors'), ('checked', 'Checked, ready to import'), ('importing', 'Importing'), ('imported', 'Imported'), ('failed', 'Failed'), ('interrupted', 'Interrupted')], default='pending', max_length=16, verbose_name='status')),
                ('rows', models.PositiveIntegerField(default=0, verbose_name='rows')),
                ('error_count', models.PositiveIntegerField(default=0, verbose_name='errors')),
                ('errors', models.JSONField(blank=True, default=list, verbose_name='errors (first 1,000)')),
                ('summary', models.JSONField(blank=True, default=dict, verbose_name='summary')),
                ('progress', models.PositiveSmallIntegerField(default=0, verbose_name='progress (%)')),
                ('finished_at', models.DateTimeField(blank=True, null=True, verbose_name='finished at')),
                ('uploaded_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='uploaded by')),
            ],
            options={
                'verbose_name': 'indicator value import',
                'verbose_name_plural': 'indicator value imports',
                'ordering': ['-created_at'],
                'abstract': False,
            },
        ),
    ]
