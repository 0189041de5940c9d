"""Demo data of the mobility app (``python manage.py demo``), idempotent.

The 2011 call for projects and the projects the CNML newsletter lists under « Les projets
de plateforme soutenus en 2011 par la FARE ». The newsletter announces ten projects, nine of
them with a formation-action by a FARE expert funded by the Fondation MACIF, four carried by
missions locales, and its list reads as nine lines. The demo counts the joint line « Mission
locale de Lure, Luxeuil-les-Bains et Champagny et Mission locale du bassin d'emploi de
Vesoul » as two projects, each mission locale the other's partner: that gives the ten
projects, four of them carried (or co-carried, Saumurois) by missions locales. The project
without a formation-action is Moulins', still at the « retenu » stage: that choice, like the
stages, budgets and activity figures, is illustrative, made up for the demonstration.

Regions are the 2011 INSEE regions; the missing ones are created with their real names.
The missions locales and the ARML named by the newsletter are added to the network when
absent (the demo network only covers three regions).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TextIO

from django.db import transaction
from django.utils import timezone

from cnml.audit import log_transition
from cnml.models import Region, Role, Structure, StructureKind, User
from mobility.models import (
    ActivityReport,
    AmendmentStatus,
    Application,
    ApplicationFunding,
    ApplicationNeed,
    ApplicationStatus,
    ApplicationStep,
    BudgetAmendment,
    BudgetAmendmentLine,
    Call,
    CallStatus,
    Carrier,
    CarrierKind,
    CarrierMembershipRequest,
    CriterionScore,
    FareSupport,
    FormationSession,
    Funder,
    FundingStatus,
    GovernancePartner,
    ReportPeriod,
    ReportStatus,
    Review,
    SelectionCriterion,
    Service,
    ServiceDelivery,
    Stage,
    TerritoryType,
)
from mobility.regions import REGIONS_2011
from mobility.services import project_create_from_application

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

CRITERIA = [
    (
        "Réponse à un besoin social évident",
        "Les besoins de mobilité des publics en situation de précarité sont établis.",
    ),
    ("Modèle économique viable et juste", "Un plan de financement réaliste et des tarifs solidaires."),
    ("Respect de l'environnement", "Des services qui privilégient les déplacements partagés et sobres."),
    ("Ancrage territorial et partenariat", "Les missions locales et les acteurs du territoire sont associés."),
]

CALL_TEXT = (
    "Parce que la mobilité est un facteur clé pour les jeunes dans leur recherche de formation ou d'emploi, "
    "mais aussi dans l'accès au logement ou à la santé, le CNML s'est investi depuis 2009 avec ses partenaires "
    "dans un travail de modélisation et d'essai de plateformes d'aide à la mobilité.\n\n"
    "Le CNML appelle les territoires à présenter un projet de « plateforme solidaire d'aide à la mobilité en "
    "faveur des publics en situation de précarité », sur le concept construit avec la Fédération des "
    "Associations de la Route pour l'Éducation (FARE). Les projets retenus bénéficient d'une formation-action "
    "d'un expert de la fédération, grâce au soutien de la Fondation MACIF, pour dégager les grands axes du projet "
    "local : territoire pertinent et besoins des publics, services existants et à développer, projet de "
    "fonctionnement, financement et gouvernance."
)
ELIGIBILITY = (
    "Missions locales, associations régionales des missions locales et organismes partenaires du territoire "
    "(maisons de l'emploi, conseils généraux, associations) portant un projet de plateforme d'aide à la mobilité "
    "ouverte aux jeunes accompagnés par les missions locales."
)

# Network structures the newsletter names: code, name, kind, region code. Their codes start
# with "MOB-" so they stand apart from the structures of the warehouse extract.
STRUCTURES = [
    ("MOB-ML-LURE", "Mission locale de Lure, Luxeuil-les-Bains et Champagny", StructureKind.ML, "43"),
    ("MOB-ML-VESOUL", "Mission locale du bassin d'emploi de Vesoul", StructureKind.ML, "43"),
    ("MOB-ML-SAUMUROIS", "Mission locale du Saumurois", StructureKind.ML, "52"),
    ("MOB-ML-MOULINS", "Mission locale de Moulins", StructureKind.ML, "83"),
    ("MOB-ARML-REUNION", "Association régionale des missions locales de la Réunion", StructureKind.ARML, "04"),
]

# The ten projects: carrier (structure code or name, kind, region), partners, territory,
# services to develop, stage, and figures for the demo.
PROJECTS = [
    {
        "carrier": ("Maison de l'emploi Nîmes Métropole", CarrierKind.MAISON_EMPLOI, "91"),
        "departements": "30",
        "communes": "Nîmes Métropole",
        "territory": TerritoryType.MIXTE,
        "services": ["location", "covoiturage", "conseil-mobilite"],
        "existing": ["transport-a-la-demande"],
        "stage": Stage.EN_FONCTIONNEMENT,
        "budget": 150_000,
        "reports": [(2012, ReportPeriod.S1, ReportStatus.APPROUVE), (2012, ReportPeriod.S2, ReportStatus.APPROUVE)],
    },
    {
        "carrier": "MOB-ML-LURE",
        "partners": ["MOB-ML-VESOUL"],
        "departements": "70",
        "communes": "Pays de Lure et de Luxeuil-les-Bains",
        "territory": TerritoryType.RURAL,
        "services": ["location", "garage-associatif", "conseil-mobilite"],
        "existing": [],
        "stage": Stage.EN_FONCTIONNEMENT,
        "budget": 120_000,
        "reports": [(2012, ReportPeriod.ANNEE, ReportStatus.APPROUVE), (2013, ReportPeriod.S1, ReportStatus.SOUMIS)],
    },
    {
        "carrier": "MOB-ML-VESOUL",
        "partners": ["MOB-ML-LURE"],
        "departements": "70",
        "communes": "Bassin d'emploi de Vesoul",
        "territory": TerritoryType.MIXTE,
        "services": ["location", "covoiturage", "conseil-mobilite"],
        "existing": ["transport-a-la-demande"],
        "stage": Stage.LANCEMENT,
        "budget": 100_000,
        "reports": [],
    },
    {
        "carrier": ("Maison de l'emploi de Corbeil-Essonnes Evry", CarrierKind.MAISON_EMPLOI, "11"),
        "departements": "91",
        "communes": "Corbeil-Essonnes, Évry",
        "territory": TerritoryType.URBAIN,
        "services": ["auto-ecole-associative", "conseil-mobilite"],
        "existing": ["covoiturage"],
        "stage": Stage.LANCEMENT,
        "budget": 140_000,
        "reports": [(2012, ReportPeriod.S2, ReportStatus.BROUILLON)],
    },
    {
        "carrier": ("Conseil général de Charente-Maritime", CarrierKind.CONSEIL_GENERAL, "54"),
        "departements": "17",
        "communes": "",
        "territory": TerritoryType.MIXTE,
        "services": ["observatoire", "transport-a-la-demande", "location"],
        "existing": [],
        "stage": Stage.MONTAGE,
        "budget": 200_000,
        "reports": [],
    },
    {
        "carrier": "MOB-ARML-REUNION",
        "departements": "974",
        "communes": "",
        "territory": TerritoryType.MIXTE,
        "services": ["auto-ecole-associative", "location", "conseil-mobilite"],
        "existing": [],
        "stage": Stage.LANCEMENT,
        "budget": 180_000,
        "reports": [(2012, ReportPeriod.ANNEE, ReportStatus.SOUMIS)],
    },
    {
        "carrier": ("Maison de l'emploi Saumur Loire Vallées d'Anjou", CarrierKind.MAISON_EMPLOI, "52"),
        "partners": ["MOB-ML-SAUMUROIS"],
        "departements": "49",
        "communes": "Saumur Loire Vallées d'Anjou",
        "territory": TerritoryType.RURAL,
        "services": ["location", "autopartage", "atelier-maintenance"],
        "existing": ["covoiturage"],
        "stage": Stage.EN_FONCTIONNEMENT,
        "budget": 110_000,
        "reports": [(2012, ReportPeriod.ANNEE, ReportStatus.APPROUVE)],
    },
    {
        "carrier": ("Maison de l'emploi de Redon", CarrierKind.MAISON_EMPLOI, "53"),
        "departements": "35, 44, 56",
        "communes": "Pays de Redon",
        "territory": TerritoryType.RURAL,
        "services": ["covoiturage", "location", "garage-associatif"],
        "existing": [],
        "stage": Stage.FORMATION_ACTION,
        "budget": 95_000,
        "reports": [],
    },
    {
        "carrier": ("Maison de l'emploi et de la formation du Pays Thur Doller", CarrierKind.MAISON_EMPLOI, "42"),
        "departements": "68",
        "communes": "Pays Thur Doller",
        "territory": TerritoryType.RURAL,
        "services": ["location", "conseil-mobilite"],
        "existing": ["transport-a-la-demande"],
        "stage": Stage.MONTAGE,
        "budget": 85_000,
        "reports": [],
    },
    {
        "carrier": "MOB-ML-MOULINS",
        "departements": "03",
        "communes": "Moulins Communauté",
        "territory": TerritoryType.MIXTE,
        "services": ["location", "auto-ecole-associative"],
        "existing": [],
        "stage": Stage.RETENU,
        "budget": 90_000,
        "reports": [],
        # The one project of the ten without a FARE formation-action.
        "formation_action": False,
    },
]

STAGES_REACHED = {
    Stage.RETENU: 0,
    Stage.FORMATION_ACTION: 1,
    Stage.MONTAGE: 2,
    Stage.LANCEMENT: 3,
    Stage.EN_FONCTIONNEMENT: 4,
}


def _region(code: str) -> Region:
    region, _ = Region.objects.get_or_create(code=code, defaults={"name": REGIONS_2011[code]})
    return region


def _carrier(spec) -> Carrier:
    if isinstance(spec, str):
        structure = Structure.objects.get(code=spec)
        carrier, _ = Carrier.objects.get_or_create(
            structure=structure, defaults={"name": structure.name, "region_id": structure.region_id}
        )
        return carrier
    name, kind, region_code = spec
    carrier, _ = Carrier.objects.get_or_create(
        structure=None, name=name, defaults={"kind": kind, "region": _region(region_code)}
    )
    return carrier


def _author() -> User:
    """The demo's CNML reviewer enters the 2011 files (they were sent on paper)."""
    user = User.objects.filter(role=Role.RELECTEUR_CNML, is_active=True).order_by("pk").first()
    return user or User.objects.filter(is_superuser=True).order_by("pk").first()


def _aware(day: date):
    return timezone.make_aware(timezone.datetime(day.year, day.month, day.day, 10))


@transaction.atomic
def load_mobility_demo(*, stdout: TextIO) -> None:
    author = _author()
    if author is None:
        stdout.write("Mobilité : aucun compte CNML, démonstration non chargée.\n")
        return
    services = {}
    for order, (code, name, unit, description) in enumerate(SERVICES):
        services[code], _ = Service.objects.update_or_create(
            code=code, defaults={"name": name, "unit": unit, "description": description, "order": order}
        )
    funders = {}
    for order, name in enumerate(FUNDERS):
        funders[name], _ = Funder.objects.update_or_create(name=name, defaults={"order": order})
    for code, name, kind, region_code in STRUCTURES:
        Structure.objects.update_or_create(
            code=code, defaults={"name": name, "kind": kind, "region": _region(region_code)}
        )

    call, created = Call.objects.get_or_create(
        year=2011,
        defaults={
            "title": "Appel à projets 2011 : plateformes territoriales d'aide à la mobilité",
            "text": CALL_TEXT,
            "opens_on": date(2011, 4, 1),
            "closes_on": date(2011, 6, 30),
            "eligibility_criteria": ELIGIBILITY,
            "formation_action_places": 9,
            "status": CallStatus.PUBLIE,
            "published_at": _aware(date(2011, 4, 1)),
            "created_by": author,
        },
    )
    if created:
        call.funders.set([funders["Fondation MACIF"]])
        for order, (label, description) in enumerate(CRITERIA):
            SelectionCriterion.objects.create(call=call, label=label, description=description, order=order)

    added = 0
    for spec in PROJECTS:
        carrier = _carrier(spec["carrier"])
        if Application.objects.filter(call=call, carrier=carrier).exists():
            continue
        _load_project(call, carrier, spec, author=author, services=services, funders=funders)
        added += 1
    _load_decisions(call, author=author)
    stdout.write(f"Mobilité : appel {call.year}, {added} projet(s) ajouté(s), {call.projects.count()} au total.\n")


def _load_decisions(call: Call, *, author: User) -> None:
    """An approved amendment to a budget and a membership request waiting for the CNML (illustrative)."""
    project = call.projects.filter(stage=Stage.EN_FONCTIONNEMENT).order_by("pk").first()
    decider = User.objects.filter(role=Role.ADMINISTRATEUR, is_active=True).exclude(pk=author.pk).first()
    if project is not None and not project.budget_amendments.exists():
        line = project.budget_lines.order_by("funder__order", "pk").first()
        amendment = BudgetAmendment.objects.create(
            project=project,
            reason="Un véhicule de plus pour répondre aux demandes de Pôle emploi.",
            requested_by=author,
            decided_by=decider,
            decided_at=_aware(date(2012, 9, 14)),
            decision_comment="Accordé sur les crédits non consommés de l'appel.",
        )
        # The line's planned amount already includes the amendment: the history says from what.
        BudgetAmendmentLine.objects.create(
            amendment=amendment,
            budget_line=line,
            funder=line.funder,
            label=line.label,
            planned_before=line.planned_amount - Decimal(5000),
            planned_after=line.planned_amount,
        )
        log_transition(
            amendment, actor=author, from_state="", to_state=AmendmentStatus.DEMANDE, comment=amendment.reason
        )
        BudgetAmendment.workflow.record_move(amendment, AmendmentStatus.APPROUVE, actor=decider)
    applicant = User.objects.filter(email="conseiller@demo.cnml.fr").first()
    carrier = Carrier.objects.filter(structure__isnull=True).order_by("name").first()
    if applicant is not None and carrier is not None and not carrier.membership_requests.exists():
        request = CarrierMembershipRequest.objects.create(
            carrier=carrier,
            user=applicant,
            reason="Je reprends le suivi de la plateforme avec la maison de l'emploi.",
            requested_by=applicant,
        )
        log_transition(request, actor=applicant, from_state="", to_state=request.status, comment=request.reason)


def _load_project(call: Call, carrier: Carrier, spec: dict, *, author: User, services: dict, funders: dict) -> None:
    budget = Decimal(spec["budget"])
    application = Application.objects.create(
        call=call,
        carrier=carrier,
        created_by=author,
        status=ApplicationStatus.RETENUE,
        title=f"Plateforme de mobilité — {carrier.name}",
        contact_name="Direction du porteur",
        contact_email=author.email,
        departements=spec["departements"],
        communes=spec["communes"],
        territory_type=spec["territory"],
        public_needs=(
            "Des jeunes et des adultes en insertion sans permis ni véhicule, des offres d'emploi et de formation "
            "hors de portée des transports en commun, des horaires décalés."
        ),
        existing_services_details="Réseau de transport public, associations locales.",
        staff_description="Un conseiller mobilité et un animateur technique.",
        staff_fte=Decimal("2.0"),
        vehicles_description="Voitures et scooters d'occasion.",
        vehicle_count=6,
        premises_description="Un local d'accueil et un garage partagés avec un partenaire.",
        governance_description="Un comité de pilotage réunit les financeurs et les prescripteurs deux fois par an.",
        submitted_at=_aware(date(2011, 6, 15)),
        decided_at=_aware(date(2011, 7, 12)),
        decision_comment="Projet retenu pour une formation-action de la FARE.",
    )
    for code in spec.get("partners", []):
        application.partners.add(Structure.objects.get(code=code))
    application.existing_services.set([services[code] for code in spec["existing"]])
    application.services_to_develop.set([services[code] for code in spec["services"]])
    ApplicationNeed.objects.bulk_create(
        [
            ApplicationNeed(
                application=application,
                label="Accéder aux lieux d'emploi et de formation",
                public="Jeunes de 16 à 25 ans",
                people_count=120,
            ),
            ApplicationNeed(
                application=application,
                label="Obtenir le permis de conduire",
                public="Demandeurs d'emploi",
                people_count=40,
            ),
        ]
    )
    ApplicationStep.objects.bulk_create(
        [
            ApplicationStep(
                application=application,
                label="Formation-action avec la FARE",
                starts_on=date(2011, 9, 1),
                due_on=date(2011, 12, 15),
            ),
            ApplicationStep(
                application=application, label="Recrutement du conseiller mobilité", due_on=date(2012, 2, 28)
            ),
            ApplicationStep(application=application, label="Ouverture de la plateforme", due_on=date(2012, 4, 30)),
        ]
    )
    shares = [
        ("État", Decimal("0.35"), FundingStatus.ACQUIS),
        ("Conseil général", Decimal("0.30"), FundingStatus.ACQUIS),
    ]
    shares += [("Fonds social européen", Decimal("0.20"), FundingStatus.SOLLICITE)]
    shares += [("Recettes de la plateforme", Decimal("0.15"), FundingStatus.SOLLICITE)]
    ApplicationFunding.objects.bulk_create(
        ApplicationFunding(
            application=application, funder=funders[name], amount=(budget * share).quantize(Decimal(1)), status=status
        )
        for name, share, status in shares
    )
    GovernancePartner.objects.bulk_create(
        [
            GovernancePartner(
                application=application,
                organisation="Fédération des Associations de la Route pour l'Éducation (FARE)",
                role="Expertise et formation-action",
            ),
            GovernancePartner(application=application, organisation="Pôle emploi", role="Prescripteur"),
        ]
    )
    review = Review.objects.create(
        application=application, reviewer=author, comment="Besoin établi et partenariat solide."
    )
    CriterionScore.objects.bulk_create(
        CriterionScore(review=review, criterion=criterion, score=4) for criterion in call.criteria.all()
    )

    project = project_create_from_application(application=application)
    reached = STAGES_REACHED[spec["stage"]]
    with_formation_action = spec.get("formation_action", True)
    FareSupport.objects.create(
        project=project,
        expert_name="Expert de la FARE",
        formation_action=with_formation_action,
        funded_by_macif=with_formation_action,
        notes="Formation-action financée par la Fondation MACIF." if with_formation_action else "",
    )
    if not with_formation_action:
        sessions = []
    sessions = (
        sessions
        if not with_formation_action
        else [
            (date(2011, 9, 20), "Territoire pertinent et besoins des publics"),
            (date(2011, 10, 18), "Services existants et à développer"),
            (date(2011, 11, 22), "Projet de fonctionnement, financement et gouvernance"),
        ]
    )
    for index, (held_on, topic) in enumerate(sessions):
        held = reached >= 2 or (reached == 1 and index == 0)
        FormationSession.objects.create(
            project=project,
            held_on=held_on,
            topic=topic,
            duration_hours=Decimal(6),
            attendees_count=8 if held else None,
            attendees="Porteur, missions locales, partenaires" if held else "",
        )
    milestones = list(project.milestones.order_by("due_on"))
    for milestone, needed in zip(milestones, [2, 3, 4], strict=False):
        if reached >= needed:
            milestone.done_on = milestone.due_on
            milestone.save(update_fields=["done_on"])
    if reached >= 3:
        for line in project.budget_lines.all():
            line.actual_amount = (line.planned_amount * Decimal("0.8" if reached == 4 else "0.4")).quantize(Decimal(1))
            line.save(update_fields=["actual_amount"])
    project.stage = spec["stage"]
    project.stage_changed_at = _aware(date(2012, 5, 1) if reached >= 3 else date(2011, 11, 1))
    project.save(update_fields=["stage", "stage_changed_at"])

    for number, (year, period, status) in enumerate(spec["reports"], start=1):
        _load_report(project, year, period, status, number=number, services=spec["services"], all_services=services)


def _load_report(project, year, period, status, *, number, services, all_services) -> None:
    scale = 1 if period == ReportPeriod.ANNEE else 0
    base = 30 + 12 * number + 10 * scale
    people = {"people_mission_locale": base, "people_pole_emploi": base // 2, "people_conseil_general": base // 3}
    people["people_other"] = 5
    total = sum(people.values())
    women = total // 2
    under_18 = total // 10
    age_18_25 = total // 2
    age_26_44 = total // 4
    report = ActivityReport.objects.create(
        project=project,
        year=year,
        period=period,
        status=status,
        **people,
        women=women,
        men=total - women,
        age_under_18=under_18,
        age_18_25=age_18_25,
        age_26_44=age_26_44,
        age_45_plus=total - under_18 - age_18_25 - age_26_44,
        mobility_diagnostics=total - 4,
        highway_code_passed=total // 5,
        licences_obtained=total // 7,
        employment_3_months=total // 4,
        training_3_months=total // 8,
        employment_6_months=total // 3,
        training_6_months=total // 9,
        total_cost=Decimal(total * 450),
        comment="Montée en charge de la plateforme et nouveaux partenariats.",
        submitted_at=_aware(date(year, 7 if period == ReportPeriod.S1 else 12, 20))
        if status != ReportStatus.BROUILLON
        else None,
        approved_at=_aware(date(year + 1, 1, 25)) if status == ReportStatus.APPROUVE else None,
    )
    quantities = {
        "location": 260,
        "covoiturage": 140,
        "conseil-mobilite": total,
        "garage-associatif": 35,
        "auto-ecole-associative": 420,
        "autopartage": 300,
        "atelier-maintenance": 45,
        "transport-a-la-demande": 180,
        "observatoire": 1,
    }
    ServiceDelivery.objects.bulk_create(
        ServiceDelivery(report=report, service=all_services[code], quantity=Decimal(quantities[code] * (1 + scale)))
        for code in services
    )
