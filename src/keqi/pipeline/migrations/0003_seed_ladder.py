"""Seed the tier ladder with what ``screening/ladder.py`` held as code (the city may edit it later).

The plan (渝府办发〔2023〕26号, 二(一)) names a "微成长、小升高、高变强" 梯次引育体系 but its body's list
of tier names was not found (../shared/reference/chongqing.md §1, UNCONFIRMED): the stages below
follow the plan's targets, and the source field says so.
"""

from django.db import migrations

SOURCE = "渝府办发〔2023〕26号 二(一) 梯次引育体系；各梯次名称据目标推定（UNCONFIRMED）"

STAGES = (
    # key, level, Chinese label, English label, qualification kinds, families deciding entry
    ("reserve", 0, "储备（市场主体）", "Reserve (market entity)", [], []),
    ("tech", 1, "科技型企业", "Technology enterprise", ["cq_tech", "tsme"], ["cq-tech"]),
    ("hnte", 2, "高新技术企业", "High and new technology enterprise", ["hnte"], ["hnte"]),
    ("growth", 3, "高成长企业（瞪羚、专精特新）", "High-growth (gazelle, specialised SME)", ["gazelle", "srdi"],
     ["gazelle", "srdi"]),
    ("leader", 4, "领军企业（独角兽、小巨人、上市）", "Leader (unicorn, little giant, listed)",
     ["potential_unicorn", "unicorn", "little_giant", "star_listed"], ["unicorn", "little-giant", "star"]),
)


def seed(apps, schema_editor):
    Stage = apps.get_model("pipeline", "Stage")
    for key, level, zh, en, kinds, families in STAGES:
        Stage.objects.update_or_create(key=key, defaults={
            "level": level, "label_zh": zh, "label_en": en, "qualification_kinds": kinds,
            "entry_families": families, "source": SOURCE,
        })


def unseed(apps, schema_editor):
    apps.get_model("pipeline", "Stage").objects.filter(key__in=[s[0] for s in STAGES]).delete()


class Migration(migrations.Migration):
    dependencies = [("pipeline", "0002_ladder_and_tier_records")]
    operations = [migrations.RunPython(seed, unseed)]
