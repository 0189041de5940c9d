"""The extract contract grows (ANI « décrocheurs », issue 14).

- jeunes.csv's optional ``niveau_certification`` column (``YoungPerson.certification_level``,
  empty = unknown), and whether an import's extract had it (``ExtractImport.has_certification``);
- two more exit reasons (``CREATION_ENTREPRISE``, ``RETOUR_FORMATION_INITIALE``: the longer code
  needs a wider column);
- a snapshot keeps the indicator codes it was computed with (``indicators``) and those the extract
  could not give (``unavailable``). Snapshots computed before have the registry of then: they are
  given its codes, so that they never show an ANI line (never a 0 for what was not computed).
"""

from django.db import migrations, models

# The registry before this migration (dashboard/indicators.py at 0008).
INDICATORS_BEFORE_ANI = [
    "jeunes_accueillis",
    "premiers_accueils",
    "emploi_ou_formation",
    "emploi",
    "alternance",
    "formation",
    "civis_entrees",
    "civis_accompagnes",
    "civis_sorties",
    "civis_sorties_emploi_ou_formation",
    "civis_sorties_emploi",
    "civis_sorties_emploi_durable",
    "civis_sorties_alternance",
    "civis_sorties_formation",
    "taux_premiers_accueils",
    "taux_emploi_ou_formation",
    "taux_civis_sorties_positives",
    "taux_civis_emploi_durable",
]


def older_snapshots_keep_their_indicators(apps, schema_editor):
    apps.get_model("dashboard", "Snapshot").objects.filter(indicators=[]).update(indicators=INDICATORS_BEFORE_ANI)


class Migration(migrations.Migration):
    dependencies = [
        ("dashboard", "0008_snapshot_validated_state"),
    ]

    operations = [
        migrations.AddField(
            model_name="extractimport",
            name="has_certification",
            field=models.BooleanField(
                blank=True, editable=False, null=True, verbose_name="colonne niveau_certification présente"
            ),
        ),
        migrations.AddField(
            model_name="snapshot",
            name="indicators",
            field=models.JSONField(blank=True, default=list, verbose_name="indicateurs calculés"),
        ),
        migrations.AddField(
            model_name="snapshot",
            name="unavailable",
            field=models.JSONField(blank=True, default=list, verbose_name="indicateurs non disponibles"),
        ),
        migrations.AddField(
            model_name="youngperson",
            name="certification_level",
            field=models.CharField(
                blank=True,
                choices=[
                    ("AUCUNE", "Aucune certification"),
                    ("V", "V"),
                    ("IV", "IV"),
                    ("III", "III"),
                    ("II", "II"),
                    ("I", "I"),
                ],
                max_length=6,
                verbose_name="niveau de certification",
            ),
        ),
        migrations.AlterField(
            model_name="enrolment",
            name="exit_reason",
            field=models.CharField(
                blank=True,
                choices=[
                    ("EMPLOI_DURABLE", "Emploi durable"),
                    ("EMPLOI", "Emploi"),
                    ("ALTERNANCE", "Alternance"),
                    ("FORMATION", "Formation"),
                    ("CREATION_ENTREPRISE", "Création d'entreprise"),
                    ("RETOUR_FORMATION_INITIALE", "Retour en formation initiale"),
                    ("ABANDON", "Abandon"),
                    ("DEMENAGEMENT", "Déménagement"),
                    ("LIMITE_AGE", "Limite d'âge"),
                    ("AUTRE", "Autre"),
                ],
                max_length=30,
                verbose_name="motif de sortie",
            ),
        ),
        migrations.RunPython(older_snapshots_keep_their_indicators, migrations.RunPython.noop),
    ]
