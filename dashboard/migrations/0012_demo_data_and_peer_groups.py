"""Figures that say what they are, and structures of similar size (issue 14).

- ``ExtractImport.demo`` / ``Snapshot.data_demo``: the demo's invented extract, shown as
  « données de démonstration » and never validated by the CNML;
- ``Snapshot.peer_groups`` and the scope kind ``pairs``: each structure compared with the
  structures of similar size (see ``dashboard.recompute.peers``). Older snapshots have none.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("dashboard", "0011_seed_objectives"),
    ]

    operations = [
        migrations.AddField(
            model_name="extractimport",
            name="demo",
            field=models.BooleanField(default=False, editable=False, verbose_name="données de démonstration"),
        ),
        migrations.AddField(
            model_name="snapshot",
            name="data_demo",
            field=models.BooleanField(default=False, verbose_name="données de démonstration"),
        ),
        migrations.AddField(
            model_name="snapshot",
            name="peer_groups",
            field=models.JSONField(blank=True, default=dict, verbose_name="groupes de structures de taille comparable"),
        ),
        migrations.AlterField(
            model_name="indicatorvalue",
            name="scope_kind",
            field=models.CharField(
                choices=[
                    ("national", "France entière"),
                    ("region", "Région"),
                    ("structure", "Structure"),
                    ("pairs", "Structures de taille comparable"),
                ],
                max_length=10,
                verbose_name="périmètre",
            ),
        ),
    ]
