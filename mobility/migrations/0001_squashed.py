"""The mobility platforms: calls, applications, carriers, projects, budgets, reports, reviews, catalogues.

Also installs the catalogues as reference data: the services platforms offer (the newsletter's list:
observatory, car-pooling, rental, transport on demand, car sharing, maintenance workshop, associative
garage and driving school, mobility advice) and the funders of calls and platforms (Fondation MACIF,
FPSPP...). CNML roles edit them in the admin; re-running is harmless, a service whose code exists, a
funder whose name exists, is left as an administrator made it.

Squashed on 7 December 2026 from 0001_initial … 0007_call_themes_sections_envelope (``replaces``): a database migrated
to the last of those takes this one as applied (docs/migrations.md)."""

from decimal import Decimal

import django.core.validators
import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

import cnml.uploads
import mobility.models.common
import mobility.models.projects

# code, name, unit, description — the services the newsletter lists.
SERVICES = [
    (
        "observatoire",
        "Observatoire des besoins de mobilité",
        "études",
        "Connaître les besoins de déplacement du territoire.",
    ),
    ("covoiturage", "Site de covoiturage", "trajets partagés", "Animation d'un site de covoiturage."),
    ("location", "Location de véhicules", "journées de location", "Voitures, scooters ou vélos à tarif solidaire."),
    (
        "transport-a-la-demande",
        "Déplacement à la demande",
        "trajets",
        "Transport à la demande vers l'emploi ou la formation.",
    ),
    ("autopartage", "Autopartage", "heures d'utilisation", "Véhicules partagés entre usagers."),
    ("atelier-maintenance", "Atelier de maintenance", "réparations", "Entretien des véhicules des usagers."),
    ("garage-associatif", "Garage associatif", "réparations", "Réparations à prix solidaire, avec les usagers."),
    (
        "auto-ecole-associative",
        "Auto-école associative",
        "heures de conduite",
        "Enseignement adapté de la conduite et accompagnement social.",
    ),
    (
        "conseil-mobilite",
        "Conseil en mobilité",
        "entretiens",
        "Diagnostic et accompagnement individuel vers l'autonomie.",
    ),
]

FUNDERS = [
    "Fondation MACIF",
    "FPSPP",
    "État",
    "Conseil régional",
    "Conseil général",
    "Communes et intercommunalités",
    "Fonds social européen",
    "Pôle emploi",
    "Recettes de la plateforme",
]


def load_catalogues(apps, schema_editor):
    Service = apps.get_model("mobility", "Service")
    Funder = apps.get_model("mobility", "Funder")
    for order, (code, name, unit, description) in enumerate(SERVICES):
        Service.objects.get_or_create(
            code=code, defaults={"name": name, "unit": unit, "description": description, "order": order}
        )
    for order, name in enumerate(FUNDERS):
        Funder.objects.get_or_create(name=name, defaults={"order": order})


class Migration(migrations.Migration):
    initial = True

    replaces = [
        ("mobility", "0001_initial"),
        ("mobility", "0002_carrier_membership_requests"),
        ("mobility", "0003_submitted_application_has_contact"),
        ("mobility", "0004_budget_amendments"),
        ("mobility", "0005_report_sent_back_content"),
        ("mobility", "0006_reference_catalogues"),
        ("mobility", "0007_call_themes_sections_envelope"),
    ]

    dependencies = [
        ("cnml", "0001_squashed"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Funder",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("name", models.CharField(max_length=120, unique=True, verbose_name="nom")),
                ("order", models.PositiveSmallIntegerField(default=0, verbose_name="ordre")),
            ],
            options={
                "verbose_name": "financeur",
                "ordering": ["order", "name"],
            },
        ),
        migrations.CreateModel(
            name="Service",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("code", models.SlugField(max_length=40, unique=True, verbose_name="code")),
                ("name", models.CharField(max_length=120, unique=True, verbose_name="nom")),
                (
                    "unit",
                    models.CharField(
                        help_text="Unité dans laquelle les bilans comptent ce service\xa0: «\xa0journées de location\xa0», «\xa0trajets\xa0»…",
                        max_length=60,
                        verbose_name="unité de mesure",
                    ),
                ),
                ("description", models.TextField(blank=True, verbose_name="description")),
                ("order", models.PositiveSmallIntegerField(default=0, verbose_name="ordre")),
                ("active", models.BooleanField(default=True, verbose_name="proposé aux candidats")),
            ],
            options={
                "verbose_name": "service de mobilité",
                "verbose_name_plural": "services de mobilité",
                "ordering": ["order", "name"],
            },
        ),
        migrations.CreateModel(
            name="Application",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("brouillon", "Brouillon"),
                            ("deposee", "Déposée"),
                            ("retenue", "Retenue"),
                            ("refusee", "Non retenue"),
                        ],
                        default="brouillon",
                        max_length=20,
                        verbose_name="statut",
                    ),
                ),
                ("title", models.CharField(max_length=200, verbose_name="intitulé du projet")),
                ("contact_name", models.CharField(blank=True, max_length=150, verbose_name="personne à contacter")),
                (
                    "contact_email",
                    models.EmailField(blank=True, max_length=254, verbose_name="adresse e-mail de contact"),
                ),
                ("contact_phone", models.CharField(blank=True, max_length=30, verbose_name="téléphone de contact")),
                (
                    "departements",
                    models.CharField(
                        blank=True,
                        max_length=200,
                        validators=[mobility.models.common.validate_departements],
                        verbose_name="départements",
                    ),
                ),
                ("communes", models.TextField(blank=True, verbose_name="communes ou intercommunalités")),
                (
                    "territory_type",
                    models.CharField(
                        blank=True,
                        choices=[("rural", "Rural"), ("urbain", "Urbain"), ("mixte", "Rural et urbain")],
                        max_length=10,
                        verbose_name="type de territoire",
                    ),
                ),
                ("public_needs", models.TextField(blank=True, verbose_name="besoins de mobilité du public")),
                ("existing_services_details", models.TextField(blank=True, verbose_name="qui les propose")),
                ("staff_description", models.TextField(blank=True, verbose_name="personnel")),
                (
                    "staff_fte",
                    models.DecimalField(
                        blank=True,
                        decimal_places=2,
                        max_digits=5,
                        null=True,
                        validators=[mobility.models.common.not_negative],
                        verbose_name="personnel en équivalents temps plein",
                    ),
                ),
                ("vehicles_description", models.TextField(blank=True, verbose_name="véhicules")),
                (
                    "vehicle_count",
                    models.PositiveSmallIntegerField(blank=True, null=True, verbose_name="nombre de véhicules"),
                ),
                ("premises_description", models.TextField(blank=True, verbose_name="locaux")),
                ("governance_description", models.TextField(blank=True, verbose_name="gouvernance")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="créée le")),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="modifiée le")),
                ("submitted_at", models.DateTimeField(blank=True, null=True, verbose_name="déposée le")),
                ("decided_at", models.DateTimeField(blank=True, null=True, verbose_name="décision le")),
                ("decision_comment", models.TextField(blank=True, verbose_name="motif de la décision")),
                (
                    "created_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="déposée par",
                    ),
                ),
                (
                    "partners",
                    models.ManyToManyField(
                        blank=True,
                        related_name="mobility_partner_applications",
                        to="cnml.structure",
                        verbose_name="missions locales partenaires",
                    ),
                ),
            ],
            options={
                "verbose_name": "candidature",
                "ordering": ["-created_at"],
            },
        ),
        migrations.CreateModel(
            name="ApplicationNeed",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("label", models.CharField(max_length=200, verbose_name="besoin")),
                ("public", models.CharField(blank=True, max_length=200, verbose_name="public concerné")),
                (
                    "people_count",
                    models.PositiveIntegerField(
                        blank=True, null=True, verbose_name="personnes concernées (estimation)"
                    ),
                ),
                (
                    "application",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="needs", to="mobility.application"
                    ),
                ),
            ],
            options={
                "verbose_name": "besoin du public",
                "verbose_name_plural": "besoins du public",
                "ordering": ["pk"],
            },
        ),
        migrations.CreateModel(
            name="ApplicationStep",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("label", models.CharField(max_length=200, verbose_name="étape")),
                ("starts_on", models.DateField(blank=True, null=True, verbose_name="début")),
                ("due_on", models.DateField(verbose_name="échéance")),
                (
                    "application",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="steps", to="mobility.application"
                    ),
                ),
            ],
            options={
                "verbose_name": "étape du calendrier",
                "verbose_name_plural": "étapes du calendrier",
                "ordering": ["due_on", "pk"],
            },
        ),
        migrations.CreateModel(
            name="BudgetAmendment",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("reason", models.TextField(verbose_name="motif")),
                (
                    "status",
                    models.CharField(
                        choices=[("demande", "Demandé"), ("approuve", "Approuvé"), ("refuse", "Refusé")],
                        default="demande",
                        max_length=20,
                        verbose_name="statut",
                    ),
                ),
                ("requested_at", models.DateTimeField(auto_now_add=True, verbose_name="demandé le")),
                ("decided_at", models.DateTimeField(blank=True, null=True, verbose_name="décidé le")),
                ("decision_comment", models.TextField(blank=True, verbose_name="commentaire du CNML")),
                (
                    "decided_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="décidé par",
                    ),
                ),
                (
                    "requested_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="demandé par",
                    ),
                ),
            ],
            options={
                "verbose_name": "avenant au budget",
                "verbose_name_plural": "avenants au budget",
                "ordering": ["-requested_at", "-pk"],
            },
        ),
        migrations.CreateModel(
            name="Call",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "theme",
                    models.CharField(
                        choices=[("mobilite", "Plateformes de mobilité"), ("alternance", "Alternance")],
                        default="mobilite",
                        help_text="Les plateformes de mobilité suivent les quatre axes de la formation-action\u202f; les autres thèmes posent les rubriques de l'appel.",
                        max_length=20,
                        verbose_name="thème",
                    ),
                ),
                (
                    "year",
                    models.PositiveSmallIntegerField(
                        validators=[
                            django.core.validators.MinValueValidator(
                                2000, "L'année doit être comprise entre 2000 et 2100."
                            ),
                            django.core.validators.MaxValueValidator(
                                2100, "L'année doit être comprise entre 2000 et 2100."
                            ),
                        ],
                        verbose_name="année",
                    ),
                ),
                ("title", models.CharField(max_length=200, verbose_name="titre")),
                ("text", models.TextField(verbose_name="texte de l'appel")),
                ("opens_on", models.DateField(verbose_name="ouverture des candidatures")),
                ("closes_on", models.DateField(verbose_name="clôture des candidatures")),
                ("eligibility_criteria", models.TextField(verbose_name="critères d'éligibilité")),
                (
                    "formation_action_places",
                    models.PositiveSmallIntegerField(
                        default=0,
                        help_text="Plateformes de mobilité seulement\xa0: nombre de projets qui peuvent bénéficier d'une formation-action par un expert de la FARE.",
                        verbose_name="places de formation-action",
                    ),
                ),
                (
                    "envelope",
                    models.DecimalField(
                        blank=True,
                        decimal_places=2,
                        help_text="Ce que les financeurs de l'appel consacrent aux projets retenus.",
                        max_digits=14,
                        null=True,
                        validators=[mobility.models.common.not_negative],
                        verbose_name="enveloppe budgétaire (€)",
                    ),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[("brouillon", "En préparation"), ("publie", "Publié")],
                        default="brouillon",
                        max_length=20,
                        verbose_name="statut",
                    ),
                ),
                ("published_at", models.DateTimeField(blank=True, null=True, verbose_name="publié le")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="créé le")),
                (
                    "created_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="créé par",
                    ),
                ),
                (
                    "funders",
                    models.ManyToManyField(
                        blank=True, related_name="calls", to="mobility.funder", verbose_name="financeurs"
                    ),
                ),
            ],
            options={
                "verbose_name": "appel à projets",
                "verbose_name_plural": "appels à projets",
                "ordering": ["-year", "theme"],
            },
        ),
        migrations.AddField(
            model_name="application",
            name="call",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="applications",
                to="mobility.call",
                verbose_name="appel",
            ),
        ),
        migrations.CreateModel(
            name="CallSection",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("title", models.CharField(max_length=200, verbose_name="rubrique")),
                ("guidance", models.TextField(blank=True, verbose_name="ce qui est attendu")),
                ("required", models.BooleanField(default=True, verbose_name="réponse obligatoire")),
                ("order", models.PositiveSmallIntegerField(default=0, verbose_name="ordre")),
                (
                    "call",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="sections",
                        to="mobility.call",
                        verbose_name="appel",
                    ),
                ),
            ],
            options={
                "verbose_name": "rubrique du dossier de candidature",
                "verbose_name_plural": "rubriques du dossier de candidature",
                "ordering": ["order", "pk"],
            },
        ),
        migrations.CreateModel(
            name="Carrier",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("name", models.CharField(max_length=200, verbose_name="nom")),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("mission_locale", "Mission locale"),
                            ("paio", "PAIO"),
                            ("arml", "Association régionale des missions locales"),
                            ("maison_emploi", "Maison de l'emploi"),
                            ("conseil_general", "Conseil général"),
                            ("association", "Association"),
                            ("collectivite", "Autre collectivité territoriale"),
                            ("autre", "Autre organisme"),
                        ],
                        max_length=20,
                        verbose_name="type d'organisme",
                    ),
                ),
                (
                    "members",
                    models.ManyToManyField(
                        blank=True,
                        help_text="Comptes qui suivent les dossiers de ce porteur. On y entre par une demande de rattachement acceptée par un membre ou le CNML.",
                        related_name="mobility_carriers",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="membres",
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
                    models.OneToOneField(
                        blank=True,
                        help_text="Vide pour un organisme extérieur au réseau (maison de l'emploi, conseil général…).",
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="mobility_carrier",
                        to="cnml.structure",
                        verbose_name="structure du réseau",
                    ),
                ),
            ],
            options={
                "verbose_name": "porteur de projet",
                "verbose_name_plural": "porteurs de projet",
                "ordering": ["name"],
            },
        ),
        migrations.AddField(
            model_name="application",
            name="carrier",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="applications",
                to="mobility.carrier",
                verbose_name="porteur",
            ),
        ),
        migrations.CreateModel(
            name="BudgetLine",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("label", models.CharField(blank=True, max_length=200, verbose_name="objet")),
                (
                    "planned_amount",
                    models.DecimalField(
                        decimal_places=2,
                        max_digits=12,
                        validators=[mobility.models.common.not_negative],
                        verbose_name="prévu (€)",
                    ),
                ),
                (
                    "actual_amount",
                    models.DecimalField(
                        decimal_places=2,
                        default=Decimal("0"),
                        max_digits=12,
                        validators=[mobility.models.common.not_negative],
                        verbose_name="réalisé (€)",
                    ),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[("acquis", "Acquis"), ("sollicite", "Sollicité")],
                        default="sollicite",
                        max_length=10,
                        verbose_name="statut",
                    ),
                ),
                (
                    "funder",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="mobility.funder",
                        verbose_name="financeur",
                    ),
                ),
            ],
            options={
                "verbose_name": "ligne de budget",
                "verbose_name_plural": "lignes de budget",
                "ordering": ["funder__order", "funder__name", "pk"],
            },
        ),
        migrations.CreateModel(
            name="BudgetAmendmentLine",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("label", models.CharField(blank=True, max_length=200, verbose_name="objet")),
                (
                    "planned_before",
                    models.DecimalField(decimal_places=2, max_digits=12, verbose_name="prévu avant (€)"),
                ),
                (
                    "planned_after",
                    models.DecimalField(
                        decimal_places=2,
                        max_digits=12,
                        validators=[mobility.models.common.not_negative],
                        verbose_name="prévu après (€)",
                    ),
                ),
                (
                    "amendment",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="lines", to="mobility.budgetamendment"
                    ),
                ),
                (
                    "budget_line",
                    models.ForeignKey(
                        blank=True,
                        help_text="Vide pour une ligne que l'avenant ajoute (jusqu'à son approbation).",
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="amendment_lines",
                        to="mobility.budgetline",
                        verbose_name="ligne de budget",
                    ),
                ),
                (
                    "funder",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="mobility.funder",
                        verbose_name="financeur",
                    ),
                ),
            ],
            options={
                "verbose_name": "ligne d'avenant",
                "verbose_name_plural": "lignes d'avenant",
                "ordering": ["pk"],
            },
        ),
        migrations.CreateModel(
            name="ApplicationFunding",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("label", models.CharField(blank=True, max_length=200, verbose_name="objet")),
                (
                    "amount",
                    models.DecimalField(
                        decimal_places=2,
                        max_digits=12,
                        validators=[mobility.models.common.not_negative],
                        verbose_name="montant (€)",
                    ),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[("acquis", "Acquis"), ("sollicite", "Sollicité")],
                        default="sollicite",
                        max_length=10,
                        verbose_name="statut",
                    ),
                ),
                (
                    "application",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="fundings", to="mobility.application"
                    ),
                ),
                (
                    "funder",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="mobility.funder",
                        verbose_name="financeur",
                    ),
                ),
            ],
            options={
                "verbose_name": "ligne du plan de financement",
                "verbose_name_plural": "plan de financement",
                "ordering": ["pk"],
            },
        ),
        migrations.CreateModel(
            name="GovernancePartner",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("organisation", models.CharField(max_length=200, verbose_name="partenaire")),
                ("role", models.CharField(max_length=300, verbose_name="rôle")),
                (
                    "application",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="governance_partners",
                        to="mobility.application",
                    ),
                ),
            ],
            options={
                "verbose_name": "partenaire de la gouvernance",
                "verbose_name_plural": "partenaires de la gouvernance",
                "ordering": ["pk"],
            },
        ),
        migrations.CreateModel(
            name="Project",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("title", models.CharField(max_length=200, verbose_name="intitulé")),
                (
                    "stage",
                    models.CharField(
                        choices=[
                            ("retenu", "Retenu"),
                            ("formation_action", "Formation-action"),
                            ("montage", "Montage"),
                            ("lancement", "Lancement"),
                            ("en_fonctionnement", "En fonctionnement"),
                            ("arrete", "Arrêté"),
                        ],
                        default="retenu",
                        max_length=20,
                        verbose_name="étape",
                    ),
                ),
                (
                    "stage_changed_at",
                    models.DateTimeField(default=django.utils.timezone.now, verbose_name="étape depuis le"),
                ),
                ("stop_reason", models.TextField(blank=True, verbose_name="motif de l'arrêt")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="créé le")),
                (
                    "application",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="project",
                        to="mobility.application",
                        verbose_name="candidature",
                    ),
                ),
                (
                    "call",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="projects",
                        to="mobility.call",
                        verbose_name="appel",
                    ),
                ),
                (
                    "carrier",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="projects",
                        to="mobility.carrier",
                        verbose_name="porteur",
                    ),
                ),
                (
                    "partners",
                    models.ManyToManyField(
                        blank=True,
                        related_name="mobility_partner_projects",
                        to="cnml.structure",
                        verbose_name="missions locales partenaires",
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
                    "existing_services",
                    models.ManyToManyField(
                        blank=True,
                        related_name="+",
                        to="mobility.service",
                        verbose_name="services existants sur le territoire",
                    ),
                ),
                (
                    "services_to_launch",
                    models.ManyToManyField(
                        blank=True, related_name="projects", to="mobility.service", verbose_name="services à lancer"
                    ),
                ),
            ],
            options={
                "verbose_name": "projet de plateforme",
                "verbose_name_plural": "projets de plateforme",
                "ordering": ["call__year", "carrier__name"],
            },
        ),
        migrations.CreateModel(
            name="Milestone",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("label", models.CharField(max_length=200, verbose_name="jalon")),
                ("due_on", models.DateField(verbose_name="échéance")),
                ("done_on", models.DateField(blank=True, null=True, verbose_name="réalisé le")),
                (
                    "project",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="milestones", to="mobility.project"
                    ),
                ),
            ],
            options={
                "verbose_name": "jalon",
                "ordering": ["due_on", "pk"],
            },
        ),
        migrations.CreateModel(
            name="FormationSession",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("held_on", models.DateField(verbose_name="date")),
                ("topic", models.CharField(max_length=200, verbose_name="thème")),
                (
                    "duration_hours",
                    models.DecimalField(
                        blank=True,
                        decimal_places=1,
                        max_digits=4,
                        null=True,
                        validators=[mobility.models.common.not_negative],
                        verbose_name="durée (heures)",
                    ),
                ),
                (
                    "attendees_count",
                    models.PositiveSmallIntegerField(
                        blank=True,
                        help_text="Vide tant que la séance n'a pas eu lieu.",
                        null=True,
                        verbose_name="participants",
                    ),
                ),
                ("attendees", models.TextField(blank=True, verbose_name="participants présents")),
                (
                    "project",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="sessions", to="mobility.project"
                    ),
                ),
            ],
            options={
                "verbose_name": "séance de formation-action",
                "verbose_name_plural": "séances de formation-action",
                "ordering": ["held_on", "pk"],
            },
        ),
        migrations.CreateModel(
            name="FareSupport",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("expert_name", models.CharField(blank=True, max_length=150, verbose_name="expert de la FARE")),
                (
                    "expert_email",
                    models.EmailField(blank=True, max_length=254, verbose_name="adresse e-mail de l'expert"),
                ),
                ("formation_action", models.BooleanField(default=True, verbose_name="formation-action")),
                ("funded_by_macif", models.BooleanField(default=False, verbose_name="financée par la Fondation MACIF")),
                ("notes", models.TextField(blank=True, verbose_name="notes")),
                (
                    "project",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE, related_name="fare_support", to="mobility.project"
                    ),
                ),
            ],
            options={
                "verbose_name": "accompagnement de la FARE",
                "verbose_name_plural": "accompagnements de la FARE",
            },
        ),
        migrations.AddField(
            model_name="budgetline",
            name="project",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE, related_name="budget_lines", to="mobility.project"
            ),
        ),
        migrations.AddField(
            model_name="budgetamendment",
            name="project",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="budget_amendments",
                to="mobility.project",
                verbose_name="projet",
            ),
        ),
        migrations.CreateModel(
            name="ActivityReport",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("year", models.PositiveSmallIntegerField(verbose_name="année")),
                (
                    "period",
                    models.CharField(
                        choices=[("S1", "1er semestre"), ("S2", "2d semestre"), ("A", "Année")],
                        max_length=2,
                        verbose_name="période",
                    ),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[("brouillon", "Brouillon"), ("soumis", "Soumis"), ("approuve", "Approuvé")],
                        default="brouillon",
                        max_length=20,
                        verbose_name="statut",
                    ),
                ),
                (
                    "people_mission_locale",
                    models.PositiveIntegerField(default=0, verbose_name="orientées par une mission locale"),
                ),
                (
                    "people_pole_emploi",
                    models.PositiveIntegerField(default=0, verbose_name="orientées par Pôle emploi"),
                ),
                (
                    "people_conseil_general",
                    models.PositiveIntegerField(default=0, verbose_name="orientées par le conseil général"),
                ),
                (
                    "people_other",
                    models.PositiveIntegerField(default=0, verbose_name="orientées par un autre prescripteur"),
                ),
                ("women", models.PositiveIntegerField(default=0, verbose_name="femmes")),
                ("men", models.PositiveIntegerField(default=0, verbose_name="hommes")),
                ("age_under_18", models.PositiveIntegerField(default=0, verbose_name="moins de 18 ans")),
                ("age_18_25", models.PositiveIntegerField(default=0, verbose_name="18 à 25 ans")),
                ("age_26_44", models.PositiveIntegerField(default=0, verbose_name="26 à 44 ans")),
                ("age_45_plus", models.PositiveIntegerField(default=0, verbose_name="45 ans et plus")),
                (
                    "mobility_diagnostics",
                    models.PositiveIntegerField(default=0, verbose_name="diagnostics mobilité réalisés"),
                ),
                (
                    "highway_code_passed",
                    models.PositiveIntegerField(default=0, verbose_name="examens du code de la route réussis"),
                ),
                (
                    "licences_obtained",
                    models.PositiveIntegerField(default=0, verbose_name="permis de conduire obtenus"),
                ),
                ("employment_3_months", models.PositiveIntegerField(default=0, verbose_name="en emploi à 3 mois")),
                ("training_3_months", models.PositiveIntegerField(default=0, verbose_name="en formation à 3 mois")),
                ("employment_6_months", models.PositiveIntegerField(default=0, verbose_name="en emploi à 6 mois")),
                ("training_6_months", models.PositiveIntegerField(default=0, verbose_name="en formation à 6 mois")),
                (
                    "total_cost",
                    models.DecimalField(
                        decimal_places=2,
                        default=Decimal("0"),
                        max_digits=12,
                        validators=[mobility.models.common.not_negative],
                        verbose_name="coût total de la période (€)",
                    ),
                ),
                ("comment", models.TextField(blank=True, verbose_name="faits marquants")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="créé le")),
                ("submitted_at", models.DateTimeField(blank=True, null=True, verbose_name="soumis le")),
                ("approved_at", models.DateTimeField(blank=True, null=True, verbose_name="approuvé le")),
                ("review_comment", models.TextField(blank=True, verbose_name="commentaire du CNML")),
                (
                    "sent_back_content",
                    models.JSONField(blank=True, default=dict, editable=False, verbose_name="contenu renvoyé"),
                ),
                (
                    "created_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="rédigé par",
                    ),
                ),
                (
                    "project",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="reports",
                        to="mobility.project",
                        verbose_name="projet",
                    ),
                ),
            ],
            options={
                "verbose_name": "bilan d'activité",
                "verbose_name_plural": "bilans d'activité",
                "ordering": ["project", "year", "period"],
            },
        ),
        migrations.CreateModel(
            name="ProjectDocument",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("uploaded_at", models.DateTimeField(auto_now_add=True, verbose_name="déposé le")),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("convention", "Convention"),
                            ("compte_rendu", "Compte rendu"),
                            ("bilan", "Bilan"),
                            ("budget", "Budget"),
                            ("autre", "Autre"),
                        ],
                        default="autre",
                        max_length=20,
                        verbose_name="type",
                    ),
                ),
                ("title", models.CharField(max_length=200, verbose_name="titre")),
                (
                    "file",
                    models.FileField(
                        max_length=300,
                        storage=cnml.uploads.get_private_storage,
                        upload_to=mobility.models.projects.document_path,
                        validators=[
                            cnml.uploads.UploadValidator(kinds=("pdf", "odt", "docx", "xlsx", "ods", "png", "jpeg"))
                        ],
                        verbose_name="fichier",
                    ),
                ),
                (
                    "project",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="documents", to="mobility.project"
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
                "ordering": ["-uploaded_at"],
            },
        ),
        migrations.CreateModel(
            name="Review",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("comment", models.TextField(verbose_name="commentaire")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="créée le")),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="modifiée le")),
                (
                    "application",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="reviews",
                        to="mobility.application",
                        verbose_name="candidature",
                    ),
                ),
                (
                    "reviewer",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="évaluateur",
                    ),
                ),
            ],
            options={
                "verbose_name": "évaluation",
                "ordering": ["created_at"],
            },
        ),
        migrations.CreateModel(
            name="SelectionCriterion",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("label", models.CharField(max_length=200, verbose_name="critère")),
                ("description", models.TextField(blank=True, verbose_name="précisions")),
                (
                    "max_score",
                    models.PositiveSmallIntegerField(
                        default=5,
                        validators=[
                            django.core.validators.MinValueValidator(1, "La note maximale est au moins 1."),
                            django.core.validators.MaxValueValidator(20, "La note maximale est au plus 20."),
                        ],
                        verbose_name="note maximale",
                    ),
                ),
                ("order", models.PositiveSmallIntegerField(default=0, verbose_name="ordre")),
                (
                    "call",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="criteria",
                        to="mobility.call",
                        verbose_name="appel",
                    ),
                ),
            ],
            options={
                "verbose_name": "critère de sélection",
                "verbose_name_plural": "critères de sélection",
                "ordering": ["order", "pk"],
            },
        ),
        migrations.CreateModel(
            name="CriterionScore",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("score", models.PositiveSmallIntegerField(verbose_name="note")),
                (
                    "review",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="scores", to="mobility.review"
                    ),
                ),
                (
                    "criterion",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="mobility.selectioncriterion",
                        verbose_name="critère",
                    ),
                ),
            ],
            options={
                "verbose_name": "note",
                "ordering": ["criterion__order", "criterion__pk"],
            },
        ),
        migrations.AddField(
            model_name="application",
            name="existing_services",
            field=models.ManyToManyField(
                blank=True, related_name="+", to="mobility.service", verbose_name="services existants sur le territoire"
            ),
        ),
        migrations.AddField(
            model_name="application",
            name="services_to_develop",
            field=models.ManyToManyField(
                blank=True, related_name="+", to="mobility.service", verbose_name="services à développer"
            ),
        ),
        migrations.CreateModel(
            name="ServiceDelivery",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "quantity",
                    models.DecimalField(
                        decimal_places=1,
                        max_digits=10,
                        validators=[mobility.models.common.not_negative],
                        verbose_name="quantité",
                    ),
                ),
                (
                    "report",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="deliveries",
                        to="mobility.activityreport",
                    ),
                ),
                (
                    "service",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="mobility.service",
                        verbose_name="service",
                    ),
                ),
            ],
            options={
                "verbose_name": "service rendu",
                "verbose_name_plural": "services rendus",
                "ordering": ["service__order", "service__name"],
            },
        ),
        migrations.CreateModel(
            name="Target",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("label", models.CharField(max_length=200, verbose_name="objectif")),
                ("public", models.CharField(blank=True, max_length=200, verbose_name="public visé")),
                (
                    "target_people",
                    models.PositiveIntegerField(blank=True, null=True, verbose_name="personnes à accompagner"),
                ),
                (
                    "project",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="targets", to="mobility.project"
                    ),
                ),
            ],
            options={
                "verbose_name": "objectif",
                "ordering": ["pk"],
            },
        ),
        migrations.CreateModel(
            name="ApplicationAnswer",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("text", models.TextField(blank=True, verbose_name="réponse")),
                (
                    "application",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="answers", to="mobility.application"
                    ),
                ),
                (
                    "section",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="answers",
                        to="mobility.callsection",
                        verbose_name="rubrique",
                    ),
                ),
            ],
            options={
                "verbose_name": "réponse à une rubrique",
                "verbose_name_plural": "réponses aux rubriques",
                "ordering": ["section__order", "section__pk"],
                "constraints": [
                    models.UniqueConstraint(fields=("application", "section"), name="mobility_one_answer_per_section")
                ],
            },
        ),
        migrations.CreateModel(
            name="CarrierMembershipRequest",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("reason", models.TextField(blank=True, verbose_name="motif")),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("en_attente", "En attente"),
                            ("acceptee", "Acceptée"),
                            ("refusee", "Refusée"),
                            ("retiree", "Retirée"),
                        ],
                        default="en_attente",
                        max_length=20,
                        verbose_name="statut",
                    ),
                ),
                ("requested_at", models.DateTimeField(auto_now_add=True, verbose_name="demandée le")),
                ("decided_at", models.DateTimeField(blank=True, null=True, verbose_name="décidée le")),
                ("decision_comment", models.TextField(blank=True, verbose_name="commentaire de la décision")),
                (
                    "application",
                    models.ForeignKey(
                        blank=True,
                        help_text="La candidature qui a ouvert la demande, s'il y en a une.",
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="membership_requests",
                        to="mobility.application",
                        verbose_name="candidature",
                    ),
                ),
                (
                    "carrier",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="membership_requests",
                        to="mobility.carrier",
                        verbose_name="porteur",
                    ),
                ),
                (
                    "decided_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="décidée par",
                    ),
                ),
                (
                    "requested_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="demandée par",
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="mobility_membership_requests",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="compte à rattacher",
                    ),
                ),
            ],
            options={
                "verbose_name": "demande de rattachement",
                "verbose_name_plural": "demandes de rattachement",
                "ordering": ["-requested_at", "-pk"],
                "constraints": [
                    models.UniqueConstraint(
                        condition=models.Q(("status", "en_attente")),
                        fields=("carrier", "user"),
                        name="mobility_one_pending_membership_request",
                    )
                ],
            },
        ),
        migrations.AddConstraint(
            model_name="call",
            constraint=models.CheckConstraint(
                condition=models.Q(("closes_on__gte", models.F("opens_on"))), name="mobility_call_dates_in_order"
            ),
        ),
        migrations.AddConstraint(
            model_name="call",
            constraint=models.UniqueConstraint(
                fields=("theme", "year"),
                name="mobility_call_one_a_year_per_theme",
                violation_error_message="Un appel de ce thème existe déjà pour cette année.",
            ),
        ),
        migrations.AddConstraint(
            model_name="call",
            constraint=models.CheckConstraint(
                condition=models.Q(("theme", "mobilite"), ("formation_action_places", 0), _connector="OR"),
                name="mobility_call_formation_action_for_mobility",
            ),
        ),
        migrations.AddConstraint(
            model_name="budgetamendmentline",
            constraint=models.CheckConstraint(
                condition=models.Q(("planned_before__gte", 0), ("planned_after__gte", 0)),
                name="mobility_amendment_amounts_not_negative",
            ),
        ),
        migrations.AddConstraint(
            model_name="budgetline",
            constraint=models.CheckConstraint(
                condition=models.Q(("planned_amount__gte", 0), ("actual_amount__gte", 0)),
                name="mobility_budget_amounts_not_negative",
            ),
        ),
        migrations.AddConstraint(
            model_name="budgetamendment",
            constraint=models.UniqueConstraint(
                condition=models.Q(("status", "demande")),
                fields=("project",),
                name="mobility_one_pending_amendment_per_project",
            ),
        ),
        migrations.AddConstraint(
            model_name="activityreport",
            constraint=models.UniqueConstraint(
                fields=("project", "year", "period"), name="mobility_one_report_per_period"
            ),
        ),
        migrations.AddConstraint(
            model_name="review",
            constraint=models.UniqueConstraint(
                fields=("application", "reviewer"), name="mobility_one_review_per_reviewer"
            ),
        ),
        migrations.AddConstraint(
            model_name="criterionscore",
            constraint=models.UniqueConstraint(fields=("review", "criterion"), name="mobility_one_score_per_criterion"),
        ),
        migrations.AddConstraint(
            model_name="project",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("stage", "arrete"), _negated=True),
                    models.Q(("stop_reason", ""), _negated=True),
                    _connector="OR",
                ),
                name="mobility_stopped_project_has_reason",
            ),
        ),
        migrations.AddConstraint(
            model_name="application",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("status", "brouillon"),
                    models.Q(
                        models.Q(("contact_name", ""), _negated=True), models.Q(("contact_email", ""), _negated=True)
                    ),
                    _connector="OR",
                ),
                name="mobility_submitted_application_has_contact",
            ),
        ),
        migrations.AddConstraint(
            model_name="servicedelivery",
            constraint=models.UniqueConstraint(fields=("report", "service"), name="mobility_one_delivery_per_service"),
        ),
        migrations.RunPython(load_catalogues, migrations.RunPython.noop),
    ]
