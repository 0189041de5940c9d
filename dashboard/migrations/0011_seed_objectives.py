"""The seed newsletter's two national commitments for 2011, carried by every fresh install.

- 50 000 young people of the missions locales entering alternance, the CNML president's objective
  (pages 2-3);
- 20 000 young « décrocheurs » entering the ANI of 7 April 2011 (page 8).

Applied again, it adds nothing; reversed, it removes them only if nobody changed them.
"""

from django.db import migrations

SEEDS = [
    ("alternance", 2011, 50_000, "Objectif fixé par le président du CNML (lettre d'information, pages 2-3)"),
    ("ani_entrees", 2011, 20_000, "Accord national interprofessionnel du 7 avril 2011 (lettre d'information, page 8)"),
]


def seed(apps, schema_editor):
    Objective = apps.get_model("dashboard", "Objective")
    for indicator, year, target, source in SEEDS:
        Objective.objects.get_or_create(
            indicator=indicator,
            year=year,
            scope_kind="national",
            defaults={"target": target, "source": source},
        )


def unseed(apps, schema_editor):
    Objective = apps.get_model("dashboard", "Objective")
    for indicator, year, target, source in SEEDS:
        Objective.objects.filter(
            indicator=indicator, year=year, scope_kind="national", target=target, source=source
        ).delete()


class Migration(migrations.Migration):
    dependencies = [("dashboard", "0010_objectives")]

    operations = [migrations.RunPython(seed, unseed)]
