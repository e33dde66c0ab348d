"""Place holders of the 创新型中小企业 title (工信部企业〔2022〕63号 附件1) on the 科技型企业 stage.

The title is the first rung of MIIT's SME ladder (创新型中小企业 → 专精特新 → 小巨人) and, like
科技型中小企业, is a condition of the 专精特新 editions; the city's ladder has no stage of its own for
it, so it counts with the other technology-enterprise titles. A city that edited the stage keeps its
edit: the kind is only added when missing.
"""

from django.db import migrations

KIND = "innovative_sme"


def add(apps, schema_editor):
    stage = apps.get_model("pipeline", "Stage").objects.filter(key="tech").first()
    if stage is not None and KIND not in stage.qualification_kinds:
        stage.qualification_kinds = [*stage.qualification_kinds, KIND]
        stage.save(update_fields=["qualification_kinds"])


def remove(apps, schema_editor):
    stage = apps.get_model("pipeline", "Stage").objects.filter(key="tech").first()
    if stage is not None and KIND in stage.qualification_kinds:
        stage.qualification_kinds = [k for k in stage.qualification_kinds if k != KIND]
        stage.save(update_fields=["qualification_kinds"])


class Migration(migrations.Migration):
    dependencies = [("pipeline", "0003_seed_ladder")]
    operations = [migrations.RunPython(add, remove)]
