"""Alternance: agreements with partners, their commitments, results and documents.

Squashed on 7 December 2026 from 0001_initial … 0002_agreement_documents (``replaces``): a database migrated
to the last of those takes this one as applied (docs/migrations.md)."""

import django.core.validators
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import alternance.models
import cnml.uploads


class Migration(migrations.Migration):
    initial = True

    replaces = [("alternance", "0001_initial"), ("alternance", "0002_agreement_documents")]

    dependencies = [
        ("cnml", "0001_squashed"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Agreement",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("title", models.CharField(max_length=255, unique=True, verbose_name="intitulé")),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("charte", "Charte"),
                            ("convention_nationale", "Convention nationale de partenariat"),
                            ("declinaison_regionale", "Déclinaison régionale"),
                        ],
                        max_length=25,
                        verbose_name="nature",
                    ),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("en_discussion", "En discussion"),
                            ("signee", "Signée"),
                            ("renouvelee", "Renouvelée"),
                            ("terminee", "Terminée"),
                        ],
                        default="en_discussion",
                        editable=False,
                        max_length=15,
                        verbose_name="état",
                    ),
                ),
                ("summary", models.TextField(blank=True, verbose_name="objet")),
                (
                    "discussion_started_on",
                    models.DateField(blank=True, null=True, verbose_name="discussions ouvertes le"),
                ),
                ("signed_on", models.DateField(blank=True, null=True, verbose_name="signée le")),
                ("renewed_on", models.DateField(blank=True, null=True, verbose_name="renouvelée le")),
                ("ends_on", models.DateField(blank=True, null=True, verbose_name="échéance")),
                ("ended_on", models.DateField(blank=True, null=True, verbose_name="terminée le")),
            ],
            options={
                "verbose_name": "accord",
                "ordering": ["-signed_on", "title"],
            },
        ),
        migrations.CreateModel(
            name="Partner",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("name", models.CharField(max_length=200, unique=True, verbose_name="nom")),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("branche", "Branche professionnelle"),
                            ("entreprise", "Entreprise"),
                            ("opca", "OPCA"),
                            ("federation", "Fédération"),
                        ],
                        max_length=12,
                        verbose_name="type",
                    ),
                ),
                ("sector", models.CharField(blank=True, max_length=200, verbose_name="secteur")),
            ],
            options={
                "verbose_name": "partenaire",
                "ordering": ["name"],
            },
        ),
        migrations.CreateModel(
            name="AgreementDocument",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("uploaded_at", models.DateTimeField(auto_now_add=True, verbose_name="déposé le")),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("texte_signe", "Texte signé"),
                            ("annexe", "Annexe"),
                            ("travail", "Document de travail"),
                        ],
                        max_length=12,
                        verbose_name="nature",
                    ),
                ),
                ("title", models.CharField(max_length=200, verbose_name="titre")),
                (
                    "file",
                    models.FileField(
                        max_length=255,
                        storage=cnml.uploads.get_private_storage,
                        upload_to=alternance.models.document_path,
                        validators=[
                            cnml.uploads.UploadValidator(kinds=("pdf", "odt", "docx", "xlsx", "ods", "png", "jpeg"))
                        ],
                        verbose_name="fichier",
                    ),
                ),
                ("name", models.CharField(max_length=255, verbose_name="nom du fichier")),
                ("size", models.PositiveIntegerField(default=0, verbose_name="taille (octets)")),
                (
                    "agreement",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="documents",
                        to="alternance.agreement",
                        verbose_name="accord",
                    ),
                ),
                (
                    "uploaded_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="déposé par",
                    ),
                ),
            ],
            options={
                "verbose_name": "document",
                "ordering": ["agreement", "kind", "pk"],
            },
        ),
        migrations.CreateModel(
            name="Commitment",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("offres_emploi", "Offres d'emploi en alternance"),
                            ("ateliers_metiers", "Ateliers d'information sur les métiers"),
                            ("jeunes_accompagnes", "Jeunes accompagnés vers l'alternance"),
                            ("contrats_signes", "Contrats en alternance signés"),
                            ("autre", "Autre engagement"),
                        ],
                        max_length=20,
                        verbose_name="nature",
                    ),
                ),
                ("description", models.CharField(blank=True, max_length=255, verbose_name="description")),
                ("target", models.PositiveIntegerField(blank=True, null=True, verbose_name="objectif")),
                (
                    "agreement",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="commitments",
                        to="alternance.agreement",
                        verbose_name="accord",
                    ),
                ),
            ],
            options={
                "verbose_name": "engagement",
                "ordering": ["agreement", "pk"],
            },
        ),
        migrations.CreateModel(
            name="LocalDeclination",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("declined_on", models.DateField(verbose_name="déclinée le")),
                ("note", models.TextField(blank=True, verbose_name="note")),
                (
                    "agreement",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="declinations",
                        to="alternance.agreement",
                        verbose_name="accord",
                    ),
                ),
                (
                    "region",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="cnml.region",
                        verbose_name="région",
                    ),
                ),
                (
                    "structure",
                    models.ForeignKey(
                        blank=True,
                        help_text="La mission locale qui décline l'accord\u202f; vide pour toute la région.",
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="cnml.structure",
                        verbose_name="structure",
                    ),
                ),
            ],
            options={
                "verbose_name": "déclinaison locale",
                "verbose_name_plural": "déclinaisons locales",
                "ordering": ["region__code", "declined_on"],
            },
        ),
        migrations.AddField(
            model_name="agreement",
            name="signatories",
            field=models.ManyToManyField(
                blank=True, related_name="agreements", to="alternance.partner", verbose_name="signataires"
            ),
        ),
        migrations.CreateModel(
            name="CommitmentResult",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "year",
                    models.PositiveSmallIntegerField(
                        validators=[
                            django.core.validators.MinValueValidator(2011),
                            django.core.validators.MaxValueValidator(2100),
                        ],
                        verbose_name="année",
                    ),
                ),
                ("achieved", models.PositiveIntegerField(verbose_name="réalisé")),
                (
                    "commitment",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="results",
                        to="alternance.commitment",
                        verbose_name="engagement",
                    ),
                ),
                (
                    "declination",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="results",
                        to="alternance.localdeclination",
                        verbose_name="déclinaison",
                    ),
                ),
            ],
            options={
                "verbose_name": "résultat annuel",
                "verbose_name_plural": "résultats annuels",
                "ordering": ["declination", "-year", "commitment"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("declination", "commitment", "year"),
                        name="alternance_one_result_per_year",
                        violation_error_message="Un résultat existe déjà pour cet engagement, cette déclinaison et cette année.",
                    )
                ],
            },
        ),
    ]
