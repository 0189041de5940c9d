"""The fiches de bonnes pratiques: fiches, their versions, attachments, themes, partners, recensements.

Also installs PostgreSQL's ``unaccent`` for the French search (practices/search.py; nothing on SQLite,
where the search uses its fallback), the initial themes (frozen here: the list evolves in the admin
afterwards) and schedules the recensements' daily pass (reminders before the deadline, closing after it).

Squashed on 7 December 2026 from 0001_initial … 0006_recensement_committees_and_template (``replaces``): a database migrated
to the last of those takes this one as applied (docs/migrations.md)."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.contrib.postgres.operations import UnaccentExtension
from django.db import migrations, models

import cnml.uploads
import practices.models
from cnml.schedules import every

# Frozen here: the list evolves in the admin afterwards.
INITIAL_THEMES = [
    ("cotraitance", "Cotraitance"),
    ("outils-partages", "Outils partagés"),
    ("formation-des-conseillers", "Formation des conseillers"),
    ("alternance", "Alternance"),
    ("mobilite", "Mobilité"),
    ("sante", "Santé"),
    ("logement", "Logement"),
    ("decrochage", "Décrochage"),
    ("acces-a-l-emploi", "Accès à l'emploi"),
    ("relations-entreprises", "Relations entreprises"),
]


def add_themes(apps, schema_editor):
    Theme = apps.get_model("practices", "Theme")
    for position, (slug, name) in enumerate(INITIAL_THEMES, start=1):
        Theme.objects.get_or_create(slug=slug, defaults={"name": name, "position": position * 10})


class Migration(migrations.Migration):
    initial = True

    replaces = [
        ("practices", "0001_initial"),
        ("practices", "0002_unaccent_and_themes"),
        ("practices", "0003_recensements"),
        ("practices", "0004_recensements_daily_pass_schedule"),
        ("practices", "0005_fiche_committee_coauthors"),
        ("practices", "0006_recensement_committees_and_template"),
    ]

    dependencies = [
        ("django_celery_beat", "0019_alter_periodictasks_options"),
        ("cnml", "0001_squashed"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        UnaccentExtension(),
        migrations.CreateModel(
            name="Theme",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("name", models.CharField(max_length=100, unique=True, verbose_name="nom")),
                (
                    "slug",
                    models.SlugField(
                        help_text="Utilisé dans les adresses.", max_length=100, unique=True, verbose_name="identifiant"
                    ),
                ),
                ("position", models.PositiveSmallIntegerField(default=0, verbose_name="ordre")),
                (
                    "active",
                    models.BooleanField(
                        default=True,
                        help_text="Un thème retiré reste sur les fiches qui le portent.",
                        verbose_name="proposé aux rédacteurs",
                    ),
                ),
            ],
            options={
                "verbose_name": "thème",
                "ordering": ["position", "name"],
            },
        ),
        migrations.CreateModel(
            name="Fiche",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("title", models.CharField(max_length=200, verbose_name="titre")),
                (
                    "scale",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("locale", "Locale"),
                            ("departementale", "Départementale"),
                            ("regionale", "Régionale"),
                        ],
                        max_length=20,
                        verbose_name="échelle",
                    ),
                ),
                (
                    "context",
                    models.TextField(
                        blank=True,
                        help_text="D'où est partie l'action\xa0: le constat, le besoin, le territoire.",
                        verbose_name="Contexte et point de départ",
                    ),
                ),
                ("objectives", models.TextField(blank=True, verbose_name="Objectifs")),
                (
                    "public_concerned",
                    models.TextField(
                        blank=True,
                        help_text="Les jeunes, les professionnels… concernés.",
                        verbose_name="Public concerné",
                    ),
                ),
                (
                    "description",
                    models.TextField(
                        blank=True,
                        help_text="Le déroulement de l'action, ses étapes, ses outils.",
                        verbose_name="Description de l'action",
                    ),
                ),
                (
                    "means",
                    models.TextField(
                        blank=True,
                        help_text="Les personnes mobilisées, le budget et ses financeurs.",
                        verbose_name="Moyens humains et financiers",
                    ),
                ),
                (
                    "results",
                    models.TextField(
                        blank=True,
                        help_text="Les chiffres et les résultats qualitatifs.",
                        verbose_name="Résultats et évaluation",
                    ),
                ),
                ("success_factors", models.TextField(blank=True, verbose_name="Facteurs de réussite")),
                ("difficulties", models.TextField(blank=True, verbose_name="Difficultés rencontrées")),
                (
                    "transferability",
                    models.TextField(
                        blank=True,
                        help_text="Ce qu'il faut réunir pour reproduire l'action ailleurs.",
                        verbose_name="Conditions de transférabilité",
                    ),
                ),
                ("start_date", models.DateField(blank=True, null=True, verbose_name="date de début")),
                (
                    "end_date",
                    models.DateField(
                        blank=True, help_text="Vide si l'action se poursuit.", null=True, verbose_name="date de fin"
                    ),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("brouillon", "Brouillon"),
                            ("soumise", "Soumise"),
                            ("en_relecture", "En relecture"),
                            ("a_completer", "À compléter"),
                            ("publiee", "Publiée"),
                            ("refusee", "Refusée"),
                            ("archivee", "Archivée"),
                        ],
                        db_index=True,
                        default="brouillon",
                        max_length=20,
                        verbose_name="statut",
                    ),
                ),
                (
                    "queue",
                    models.CharField(
                        blank=True,
                        choices=[("regionale", "Animation régionale"), ("cnml", "Relecteurs du CNML")],
                        max_length=20,
                        verbose_name="file de relecture",
                    ),
                ),
                ("review_due_on", models.DateField(blank=True, null=True, verbose_name="relecture attendue le")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="créée le")),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="modifiée le")),
                ("submitted_at", models.DateTimeField(blank=True, null=True, verbose_name="soumise le")),
                ("published_at", models.DateTimeField(blank=True, null=True, verbose_name="publiée le")),
                ("revision", models.PositiveIntegerField(default=0, editable=False, verbose_name="révision")),
                ("search_text", models.TextField(blank=True, editable=False, verbose_name="texte indexé")),
                (
                    "coauthors",
                    models.ManyToManyField(
                        blank=True,
                        help_text="Des personnes de la même structure ou du même comité, invitées par un auteur\u202f; elles modifient la fiche.",
                        related_name="coauthored_fiches",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="co-auteurs",
                    ),
                ),
                (
                    "committee",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="fiches",
                        to="cnml.committee",
                        verbose_name="comité de pilotage porteur",
                    ),
                ),
                (
                    "contributors",
                    models.ManyToManyField(
                        blank=True,
                        help_text="Les personnes qui ont rédigé la fiche\u202f; elles reçoivent les décisions.",
                        related_name="contributed_fiches",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="rédacteurs",
                    ),
                ),
                (
                    "created_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="créée par",
                    ),
                ),
                (
                    "other_structures",
                    models.ManyToManyField(
                        blank=True,
                        related_name="fiches_involved",
                        to="cnml.structure",
                        verbose_name="autres structures impliquées",
                    ),
                ),
                (
                    "region",
                    models.ForeignKey(
                        help_text="Celle de la structure ou du comité porteur.",
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="fiches",
                        to="cnml.region",
                        verbose_name="région",
                    ),
                ),
                (
                    "reviewer",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="relecteur",
                    ),
                ),
                (
                    "structure",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="fiches",
                        to="cnml.structure",
                        verbose_name="structure porteuse",
                    ),
                ),
            ],
            options={
                "verbose_name": "fiche de bonne pratique",
                "verbose_name_plural": "fiches de bonnes pratiques",
                "ordering": ["-published_at", "-updated_at", "-pk"],
                "permissions": [("review_fiche", "Peut relire les fiches (prendre en relecture, publier, refuser)")],
            },
        ),
        migrations.CreateModel(
            name="Contact",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("name", models.CharField(max_length=150, verbose_name="nom")),
                ("function", models.CharField(blank=True, max_length=200, verbose_name="fonction")),
                ("email", models.EmailField(blank=True, max_length=254, verbose_name="adresse e-mail")),
                ("phone", models.CharField(blank=True, max_length=30, verbose_name="téléphone")),
                (
                    "fiche",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="contacts",
                        to="practices.fiche",
                        verbose_name="fiche",
                    ),
                ),
            ],
            options={
                "verbose_name": "contact",
                "ordering": ["pk"],
            },
        ),
        migrations.CreateModel(
            name="Attachment",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("uploaded_at", models.DateTimeField(auto_now_add=True, verbose_name="déposé le")),
                (
                    "file",
                    models.FileField(
                        max_length=255,
                        storage=cnml.uploads.get_private_storage,
                        upload_to=practices.models.attachment_path,
                        validators=[cnml.uploads.UploadValidator(kinds=("pdf", "odt", "docx", "png", "jpeg"))],
                        verbose_name="fichier",
                    ),
                ),
                ("name", models.CharField(max_length=255, verbose_name="nom du fichier")),
                ("size", models.PositiveIntegerField(default=0, verbose_name="taille (octets)")),
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
                (
                    "fiche",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="attachments",
                        to="practices.fiche",
                        verbose_name="fiche",
                    ),
                ),
            ],
            options={
                "verbose_name": "pièce jointe",
                "verbose_name_plural": "pièces jointes",
                "ordering": ["pk"],
            },
        ),
        migrations.CreateModel(
            name="Partner",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("pole_emploi", "Pôle emploi"),
                            ("conseil_regional", "Conseil régional"),
                            ("conseil_general", "Conseil général"),
                            ("etat", "État (préfecture, Direccte…)"),
                            ("opca", "OPCA"),
                            ("entreprise", "Entreprise"),
                            ("association", "Association"),
                            ("animation_regionale", "Animation régionale des missions locales"),
                            ("collectivite", "Commune ou intercommunalité"),
                            ("autre", "Autre"),
                        ],
                        max_length=30,
                        verbose_name="type de partenaire",
                    ),
                ),
                (
                    "name",
                    models.CharField(
                        help_text="Par exemple\xa0: agence Pôle emploi de Lille Centre.",
                        max_length=200,
                        verbose_name="nom",
                    ),
                ),
                ("role", models.TextField(blank=True, verbose_name="rôle dans l'action")),
                (
                    "fiche",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="partners",
                        to="practices.fiche",
                        verbose_name="fiche",
                    ),
                ),
            ],
            options={
                "verbose_name": "partenaire",
                "ordering": ["pk"],
            },
        ),
        migrations.CreateModel(
            name="Recensement",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("title", models.CharField(max_length=200, verbose_name="titre")),
                (
                    "instructions",
                    models.TextField(
                        help_text="Ce que le CNML attend des fiches\xa0: le sujet, le public, ce qu'il faut décrire.",
                        verbose_name="consignes",
                    ),
                ),
                (
                    "template",
                    models.CharField(
                        choices=[
                            ("partenariat_renforce", "Fiche modèle du partenariat renforcé"),
                            ("cotraitance", "Action commune avec Pôle emploi (cotraitance)"),
                            ("action_recente", "Action récente (premiers résultats)"),
                        ],
                        default="partenariat_renforce",
                        help_text="Les rubriques de la fiche, leurs consignes et le texte proposé aux rédacteurs.",
                        max_length=30,
                        verbose_name="modèle de fiche",
                    ),
                ),
                ("opens_on", models.DateField(verbose_name="ouverture")),
                ("closes_on", models.DateField(verbose_name="clôture")),
                (
                    "reminder_days",
                    models.PositiveSmallIntegerField(
                        default=7,
                        help_text="Nombre de jours avant la clôture où les structures et comités sans fiche soumise sont relancés par courriel.",
                        verbose_name="relance",
                    ),
                ),
                (
                    "reminded_on",
                    models.DateField(blank=True, editable=False, null=True, verbose_name="relance envoyée le"),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[("ouvert", "Ouvert"), ("clos", "Clos")],
                        default="ouvert",
                        editable=False,
                        max_length=10,
                        verbose_name="état",
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="lancé le")),
                (
                    "committees",
                    models.ManyToManyField(
                        blank=True,
                        help_text="Des comités sollicités en plus des régions (ou seuls).",
                        related_name="recensements",
                        to="cnml.committee",
                        verbose_name="comités de pilotage sollicités",
                    ),
                ),
                (
                    "created_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="lancé par",
                    ),
                ),
                (
                    "regions",
                    models.ManyToManyField(
                        blank=True,
                        help_text="Leurs missions locales et leurs comités de pilotage. Ni région ni comité\xa0: tout le réseau.",
                        related_name="recensements",
                        to="cnml.region",
                        verbose_name="régions sollicitées",
                    ),
                ),
                (
                    "themes",
                    models.ManyToManyField(
                        blank=True, related_name="recensements", to="practices.theme", verbose_name="thèmes"
                    ),
                ),
            ],
            options={
                "verbose_name": "recensement de bonnes pratiques",
                "verbose_name_plural": "recensements de bonnes pratiques",
                "ordering": ["-opens_on", "title"],
            },
        ),
        migrations.AddField(
            model_name="fiche",
            name="recensement",
            field=models.ForeignKey(
                blank=True,
                help_text="Le recensement du CNML auquel la fiche répond, s'il y en a un.",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="fiches",
                to="practices.recensement",
                verbose_name="recensement",
            ),
        ),
        migrations.AddField(
            model_name="fiche",
            name="themes",
            field=models.ManyToManyField(
                blank=True, related_name="fiches", to="practices.theme", verbose_name="thèmes"
            ),
        ),
        migrations.CreateModel(
            name="FicheVersion",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("number", models.PositiveIntegerField(verbose_name="numéro")),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now, verbose_name="soumise le")),
                ("content", models.JSONField(default=dict, verbose_name="contenu")),
                (
                    "created_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="soumise par",
                    ),
                ),
                (
                    "fiche",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="versions",
                        to="practices.fiche",
                        verbose_name="fiche",
                    ),
                ),
            ],
            options={
                "verbose_name": "version soumise",
                "verbose_name_plural": "versions soumises",
                "ordering": ["fiche", "number"],
                "constraints": [
                    models.UniqueConstraint(fields=("fiche", "number"), name="fiche_version_number_unique")
                ],
            },
        ),
        migrations.AddConstraint(
            model_name="recensement",
            constraint=models.CheckConstraint(
                condition=models.Q(("closes_on__gte", models.F("opens_on"))), name="recensement_dates_in_order"
            ),
        ),
        migrations.AddIndex(
            model_name="fiche",
            index=models.Index(fields=["status", "review_due_on"], name="practices_f_status_886f4d_idx"),
        ),
        migrations.AddConstraint(
            model_name="fiche",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("start_date__isnull", True),
                    ("end_date__isnull", True),
                    ("end_date__gte", models.F("start_date")),
                    _connector="OR",
                ),
                name="fiche_dates_in_order",
            ),
        ),
        migrations.AddConstraint(
            model_name="fiche",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("committee__isnull", True), ("structure__isnull", False)),
                    models.Q(("committee__isnull", False), ("structure__isnull", True)),
                    _connector="OR",
                ),
                name="fiche_structure_or_committee",
            ),
        ),
        migrations.RunPython(add_themes, migrations.RunPython.noop),
        every(
            1,
            "days",
            name="Bonnes pratiques : relancer puis clore les recensements",
            task="practices.tasks.recensements_daily_pass",
        ),
    ]
