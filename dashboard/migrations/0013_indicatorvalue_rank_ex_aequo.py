from django.db import migrations, models
from django.db.models import Exists, OuterRef


def mark_shared_ranks(apps, schema_editor):
    """Snapshots computed before: a rank that another structure holds for the same figure is ex aequo."""
    IndicatorValue = apps.get_model("dashboard", "IndicatorValue")
    same_rank = IndicatorValue.objects.filter(
        snapshot_id=OuterRef("snapshot_id"),
        scope_kind=OuterRef("scope_kind"),
        period=OuterRef("period"),
        indicator=OuterRef("indicator"),
        rank=OuterRef("rank"),
    ).exclude(pk=OuterRef("pk"))
    IndicatorValue.objects.filter(rank__isnull=False).filter(Exists(same_rank)).update(rank_ex_aequo=True)


class Migration(migrations.Migration):
    dependencies = [
        ("dashboard", "0012_demo_data_and_peer_groups"),
    ]

    operations = [
        migrations.AddField(
            model_name="indicatorvalue",
            name="rank_ex_aequo",
            field=models.BooleanField(db_default=False, default=False, verbose_name="ex aequo"),
        ),
        migrations.RunPython(mark_shared_ranks, migrations.RunPython.noop, elidable=True),
    ]
