"""The dashboard: the warehouse extract's facts, imports, snapshots and indicators, objectives, peer groups.

Also installs the seed newsletter's two national commitments for 2011 (``seed``; applied again it adds
nothing, reversed it removes them only if nobody changed them):
- 50 000 young people of the missions locales entering alternance, the CNML president's objective
  (pages 2-3);
- 20 000 young « décrocheurs » entering the ANI of 7 April 2011 (page 8).

Squashed on 7 December 2026 from 0001_facts … 0015_french_spacing (``replaces``): a database migrated
to the last of those takes this one as applied (docs/migrations.md)."""

import datetime

import django.core.validators
import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

import cnml.uploads

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
    initial = True

    replaces = [
        ("dashboard", "0001_facts"),
        ("dashboard", "0002_snapshots"),
        ("dashboard", "0003_extract_import_progress"),
        ("dashboard", "0004_fewer_fact_indexes"),
        ("dashboard", "0005_young_person_keys"),
        ("dashboard", "0006_extractimport_first_contact_on"),
        ("dashboard", "0007_extraction_date_from_2000"),
        ("dashboard", "0008_snapshot_validated_state"),
        ("dashboard", "0009_ani_contract"),
        ("dashboard", "0010_objectives"),
        ("dashboard", "0011_seed_objectives"),
        ("dashboard", "0012_demo_data_and_peer_groups"),
        ("dashboard", "0013_indicatorvalue_rank_ex_aequo"),
        ("dashboard", "0014_extractimport_error_details"),
        ("dashboard", "0015_french_spacing"),
    ]

    dependencies = [
        ("cnml", "0001_squashed"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="ExtractImport",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="créé le")),
                (
                    "source_label",
                    models.CharField(default="Parcours 3, entrepôt national", max_length=200, verbose_name="source"),
                ),
                ("extracted_on", models.DateField(blank=True, null=True, verbose_name="date d'extraction")),
                (
                    "first_contact_on",
                    models.DateField(blank=True, editable=False, null=True, verbose_name="date du premier contact"),
                ),
                ("provisional", models.BooleanField(default=False, verbose_name="données provisoires")),
                ("demo", models.BooleanField(default=False, editable=False, verbose_name="données de démonstration")),
                (
                    "has_certification",
                    models.BooleanField(
                        blank=True, editable=False, null=True, verbose_name="colonne niveau_certification présente"
                    ),
                ),
                (
                    "archive",
                    models.FileField(
                        blank=True,
                        storage=cnml.uploads.get_private_storage,
                        upload_to="extracts/",
                        verbose_name="archive",
                    ),
                ),
                ("path", models.CharField(blank=True, max_length=500, verbose_name="chemin importé")),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("en_attente", "En attente"),
                            ("en_cours", "En cours"),
                            ("reussi", "Réussi"),
                            ("echoue", "Échoué"),
                        ],
                        default="en_attente",
                        max_length=12,
                        verbose_name="état",
                    ),
                ),
                ("step", models.CharField(blank=True, max_length=200, verbose_name="étape en cours")),
                ("started_at", models.DateTimeField(blank=True, null=True, verbose_name="commencé le")),
                ("finished_at", models.DateTimeField(blank=True, null=True, verbose_name="terminé le")),
                ("row_counts", models.JSONField(blank=True, default=dict, verbose_name="lignes lues par fichier")),
                ("error_count", models.PositiveIntegerField(default=0, verbose_name="nombre d'erreurs")),
                ("errors", models.JSONField(blank=True, default=list, verbose_name="premières erreurs")),
                (
                    "error_details",
                    models.JSONField(blank=True, default=list, editable=False, verbose_name="détail des erreurs"),
                ),
                ("quality_report", models.JSONField(blank=True, default=dict, verbose_name="rapport de qualité")),
                (
                    "created_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="par",
                    ),
                ),
            ],
            options={
                "verbose_name": "import d'extraction",
                "verbose_name_plural": "imports d'extraction",
                "ordering": ["-created_at"],
            },
        ),
        migrations.CreateModel(
            name="Objective",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "indicator",
                    models.CharField(
                        help_text="Code d'un indicateur de comptage du registre (par exemple alternance).",
                        max_length=60,
                        verbose_name="indicateur",
                    ),
                ),
                (
                    "year",
                    models.PositiveSmallIntegerField(
                        help_text="Du 1er janvier au 31 décembre.",
                        validators=[
                            django.core.validators.MinValueValidator(2000),
                            django.core.validators.MaxValueValidator(2100),
                        ],
                        verbose_name="année",
                    ),
                ),
                (
                    "scope_kind",
                    models.CharField(
                        choices=[("national", "France entière"), ("region", "Région"), ("structure", "Structure")],
                        max_length=10,
                        verbose_name="périmètre",
                    ),
                ),
                (
                    "target",
                    models.PositiveIntegerField(
                        help_text="Nombre de jeunes.",
                        validators=[django.core.validators.MinValueValidator(1)],
                        verbose_name="objectif",
                    ),
                ),
                (
                    "source",
                    models.CharField(
                        help_text="Qui a fixé l'objectif, par exemple «\xa0Objectif fixé par le président du CNML\xa0».",
                        max_length=300,
                        verbose_name="source",
                    ),
                ),
                ("set_at", models.DateTimeField(default=django.utils.timezone.now, verbose_name="fixé le")),
                (
                    "region",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="cnml.region",
                        verbose_name="région",
                    ),
                ),
                (
                    "set_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="fixé par",
                    ),
                ),
                (
                    "structure",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="cnml.structure",
                        verbose_name="structure",
                    ),
                ),
            ],
            options={
                "verbose_name": "objectif",
                "verbose_name_plural": "objectifs",
                "ordering": ["year", "indicator", "scope_kind", "pk"],
            },
        ),
        migrations.CreateModel(
            name="Snapshot",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("en_cours", "Calcul en cours"),
                            ("calcule", "Calculé"),
                            ("valide", "Validé"),
                            ("echoue", "Échoué"),
                        ],
                        default="en_cours",
                        max_length=10,
                        verbose_name="état",
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="commencé le")),
                ("computed_at", models.DateTimeField(blank=True, null=True, verbose_name="calculé le")),
                ("failed_at", models.DateTimeField(blank=True, null=True, verbose_name="échoué le")),
                ("error", models.TextField(blank=True, verbose_name="erreur")),
                ("source_label", models.CharField(blank=True, max_length=200, verbose_name="source")),
                ("extracted_on", models.DateField(blank=True, null=True, verbose_name="date d'extraction")),
                ("data_provisional", models.BooleanField(default=False, verbose_name="données provisoires")),
                ("data_demo", models.BooleanField(default=False, verbose_name="données de démonstration")),
                ("periods", models.JSONField(blank=True, default=list, verbose_name="périodes")),
                ("indicators", models.JSONField(blank=True, default=list, verbose_name="indicateurs calculés")),
                ("unavailable", models.JSONField(blank=True, default=list, verbose_name="indicateurs non disponibles")),
                ("value_count", models.PositiveIntegerField(default=0, verbose_name="nombre de valeurs")),
                (
                    "peer_groups",
                    models.JSONField(
                        blank=True, default=dict, verbose_name="groupes de structures de taille comparable"
                    ),
                ),
                ("validated_at", models.DateTimeField(blank=True, null=True, verbose_name="validé le")),
                (
                    "extract_import",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="snapshots",
                        to="dashboard.extractimport",
                        verbose_name="import",
                    ),
                ),
                (
                    "validated_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="validé par",
                    ),
                ),
            ],
            options={
                "verbose_name": "calcul des indicateurs",
                "verbose_name_plural": "calculs des indicateurs",
                "ordering": ["-created_at", "-pk"],
            },
        ),
        migrations.CreateModel(
            name="IndicatorValue",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "scope_kind",
                    models.CharField(
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
                ("scope_code", models.CharField(blank=True, max_length=20, verbose_name="code du périmètre")),
                ("period", models.CharField(max_length=7, verbose_name="période")),
                ("indicator", models.CharField(max_length=60, verbose_name="indicateur")),
                ("value", models.FloatField(blank=True, null=True, verbose_name="valeur")),
                ("numerator", models.BigIntegerField(blank=True, null=True, verbose_name="numérateur")),
                ("denominator", models.BigIntegerField(blank=True, null=True, verbose_name="dénominateur")),
                ("rank", models.PositiveIntegerField(blank=True, null=True, verbose_name="rang")),
                (
                    "rank_count",
                    models.PositiveIntegerField(blank=True, null=True, verbose_name="nombre de structures classées"),
                ),
                ("rank_ex_aequo", models.BooleanField(db_default=False, default=False, verbose_name="ex aequo")),
                (
                    "snapshot",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="values", to="dashboard.snapshot"
                    ),
                ),
            ],
            options={
                "verbose_name": "valeur d'indicateur",
                "verbose_name_plural": "valeurs d'indicateurs",
            },
        ),
        migrations.CreateModel(
            name="YoungPerson",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("id_jeune", models.CharField(max_length=40, verbose_name="identifiant")),
                (
                    "birth_month",
                    models.DateField(help_text="Premier jour du mois (AAAA-MM).", verbose_name="mois de naissance"),
                ),
                ("sex", models.CharField(choices=[("F", "Femme"), ("H", "Homme")], max_length=1, verbose_name="sexe")),
                (
                    "training_level",
                    models.CharField(
                        choices=[
                            ("VI", "VI"),
                            ("Vbis", "V bis"),
                            ("V", "V"),
                            ("IV", "IV"),
                            ("III", "III"),
                            ("II", "II"),
                            ("I", "I"),
                        ],
                        max_length=4,
                        verbose_name="niveau de formation",
                    ),
                ),
                ("first_reception_on", models.DateField(verbose_name="date du premier accueil")),
                (
                    "certification_level",
                    models.CharField(
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
                (
                    "structure",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="cnml.structure",
                    ),
                ),
            ],
            options={
                "verbose_name": "jeune",
            },
        ),
        migrations.CreateModel(
            name="Situation",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "kind",
                    models.CharField(
                        choices=[("EMPLOI", "Emploi"), ("FORMATION", "Formation"), ("IMMERSION", "Immersion")],
                        max_length=10,
                        verbose_name="type de situation",
                    ),
                ),
                (
                    "contract",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("CDI", "CDI"),
                            ("CDD", "CDD"),
                            ("INTERIM", "Intérim"),
                            ("CONTRAT_AIDE", "Contrat aidé"),
                            ("APPRENTISSAGE", "Apprentissage"),
                            ("PROFESSIONNALISATION", "Professionnalisation"),
                        ],
                        max_length=20,
                        verbose_name="type de contrat",
                    ),
                ),
                ("start_on", models.DateField(verbose_name="date de début")),
                ("end_on", models.DateField(blank=True, null=True, verbose_name="date de fin")),
                (
                    "young_person",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="dashboard.youngperson",
                    ),
                ),
            ],
            options={
                "verbose_name": "situation",
            },
        ),
        migrations.CreateModel(
            name="Enrolment",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "programme",
                    models.CharField(
                        choices=[("CIVIS", "CIVIS"), ("ANI", "ANI"), ("CONTRAT_AUTONOMIE", "Contrat d'autonomie")],
                        max_length=20,
                        verbose_name="dispositif",
                    ),
                ),
                ("entry_on", models.DateField(verbose_name="date d'entrée")),
                ("exit_on", models.DateField(blank=True, null=True, verbose_name="date de sortie")),
                (
                    "exit_reason",
                    models.CharField(
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
                (
                    "young_person",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="dashboard.youngperson",
                    ),
                ),
            ],
            options={
                "verbose_name": "entrée en dispositif",
                "verbose_name_plural": "entrées en dispositif",
            },
        ),
        migrations.CreateModel(
            name="Contact",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("contact_on", models.DateField(verbose_name="date du contact")),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("ENTRETIEN_INDIVIDUEL", "Entretien individuel"),
                            ("ATELIER", "Atelier"),
                            ("INFO_COLLECTIVE", "Information collective"),
                            ("TELEPHONE", "Téléphone"),
                            ("ECRIT", "Écrit"),
                        ],
                        max_length=20,
                        verbose_name="type de contact",
                    ),
                ),
                (
                    "young_person",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="dashboard.youngperson",
                    ),
                ),
            ],
            options={
                "verbose_name": "contact",
            },
        ),
        migrations.AddConstraint(
            model_name="extractimport",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("extracted_on__isnull", True), ("extracted_on__gte", datetime.date(2000, 1, 1)), _connector="OR"
                ),
                name="extractimport_extracted_on_from_2000",
                violation_error_message="La date d'extraction est antérieure au 01/01/2000\xa0: vérifiez-la.",
            ),
        ),
        migrations.AddConstraint(
            model_name="objective",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("region__isnull", True), ("scope_kind", "national"), ("structure__isnull", True)),
                    models.Q(("region__isnull", False), ("scope_kind", "region"), ("structure__isnull", True)),
                    models.Q(("region__isnull", True), ("scope_kind", "structure"), ("structure__isnull", False)),
                    _connector="OR",
                ),
                name="objective_scope_consistent",
            ),
        ),
        migrations.AddConstraint(
            model_name="objective",
            constraint=models.UniqueConstraint(
                condition=models.Q(("scope_kind", "national")),
                fields=("indicator", "year"),
                name="objective_one_national",
            ),
        ),
        migrations.AddConstraint(
            model_name="objective",
            constraint=models.UniqueConstraint(
                condition=models.Q(("scope_kind", "region")),
                fields=("indicator", "year", "region"),
                name="objective_one_per_region",
            ),
        ),
        migrations.AddConstraint(
            model_name="objective",
            constraint=models.UniqueConstraint(
                condition=models.Q(("scope_kind", "structure")),
                fields=("indicator", "year", "structure"),
                name="objective_one_per_structure",
            ),
        ),
        migrations.AddIndex(
            model_name="snapshot",
            index=models.Index(fields=["status", "computed_at"], name="dashboard_s_status_1dc2b1_idx"),
        ),
        migrations.AddIndex(
            model_name="indicatorvalue",
            index=models.Index(
                fields=["snapshot", "indicator", "period", "scope_kind"], name="dashboard_i_snapsho_27815c_idx"
            ),
        ),
        migrations.AddConstraint(
            model_name="indicatorvalue",
            constraint=models.UniqueConstraint(
                fields=("snapshot", "scope_kind", "scope_code", "period", "indicator"),
                name="indicatorvalue_unique_per_snapshot",
            ),
        ),
        migrations.AddConstraint(
            model_name="youngperson",
            constraint=models.UniqueConstraint(fields=("id_jeune",), name="youngperson_unique_id_jeune"),
        ),
        migrations.RunPython(seed, unseed),
    ]
