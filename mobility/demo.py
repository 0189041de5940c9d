"""Demo data of the mobility app (``python manage.py demo``), idempotent.

The 2011 call for projects and the projects the CNML newsletter lists under « Les projets
de plateforme soutenus en 2011 par la FARE ». The newsletter announces ten projects, nine of
them with a formation-action by a FARE expert funded by the Fondation MACIF, four carried by
missions locales, and its list reads as nine lines. The demo counts the joint line « Mission
locale de Lure, Luxeuil-les-Bains et Champagny et Mission locale du bassin d'emploi de
Vesoul » as two projects, each mission locale the other's partner: that gives the ten
projects, four of them carried by the missions locales (Lure, Vesoul, Moulins, and La Réunion's
through their regional association, the ARML; Saumur's is carried by the maison de l'emploi with
the Mission locale du Saumurois as partner). The services and funders are reference data shipped by
a migration (``mobility/migrations/0001_squashed.py``). The project
without a formation-action is Moulins', still at the « retenu » stage: that choice, like the
stages, budgets and activity figures, is illustrative, made up for the demonstration.

Regions are the 2011 INSEE regions; the missing ones are created with their real names.
The missions locales and the ARML named by the newsletter are added to the network when
absent (the demo network only covers three regions).

The alternance call the same newsletter announces (« appel à projets national financé à hauteur
de 12 M€ par le FPSPP », 2011–2012, for young people of 16 to 25 followed by the missions locales):
its envelope and funder are the newsletter's; its texts, sections, criteria and the one application,
from the demo's mission locale (ML93001), selected and followed as a project against the envelope,
are illustrative.

The figures are in :mod:`mobility.demo_data`; this module loads them.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TextIO

from django.db import transaction
from django.utils import timezone

from cnml.audit import log_transition
from cnml.demo import ensure_shipped_rows
from cnml.formatting import format_count
from cnml.models import Region, Role, Structure, User
from mobility.demo_data import (
    ALTERNANCE_APPLICATION,
    ALTERNANCE_CALL,
    ALTERNANCE_CRITERIA,
    ALTERNANCE_SECTIONS,
    APPLICATION_TEXTS,
    CALL_TEXT,
    CRITERIA,
    ELIGIBILITY,
    GOVERNANCE,
    NEEDS,
    PROJECTS,
    SERVICE_QUANTITIES,
    SESSIONS,
    SHARES,
    STAGES_REACHED,
    STEPS,
    STRUCTURES,
)
from mobility.models import (
    ActivityReport,
    AmendmentStatus,
    Application,
    ApplicationAnswer,
    ApplicationFunding,
    ApplicationNeed,
    ApplicationStatus,
    ApplicationStep,
    BudgetAmendment,
    BudgetAmendmentLine,
    Call,
    CallSection,
    CallStatus,
    CallTheme,
    Carrier,
    CarrierMembershipRequest,
    CriterionScore,
    FareSupport,
    FormationSession,
    Funder,
    GovernancePartner,
    ReportPeriod,
    ReportStatus,
    Review,
    SelectionCriterion,
    Service,
    ServiceDelivery,
    Stage,
)
from mobility.regions import REGIONS_2011
from mobility.services import project_create_from_application


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
        stdout.write("Mobilité : aucun compte CNML, démonstration non chargée.\n")
        return
    # The catalogues are reference data shipped by a migration; a test database emptied by a
    # transactional test no longer holds them, so the demo ensures them with the migration's own function.
    ensure_shipped_rows("mobility.migrations.0001_squashed", "load_catalogues")
    services = Service.objects.in_bulk(field_name="code")
    funders = {funder.name: funder for funder in Funder.objects.all()}
    for code, name, kind, region_code in STRUCTURES:
        Structure.objects.update_or_create(
            code=code, defaults={"name": name, "kind": kind, "region": _region(region_code)}
        )

    call, created = Call.objects.get_or_create(
        theme=CallTheme.MOBILITE,
        year=2011,
        defaults={
            "title": "Appel à projets 2011 : plateformes territoriales d'aide à la mobilité",
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
    _load_alternance(author=author, funders=funders)
    for each in Call.objects.order_by("theme", "year"):
        projects = format_count(each.projects.count(), "projet retenu", "projets retenus")
        stdout.write(f"Appels à projets : {each.get_theme_display().lower()} {each.year}, {projects}.\n")
    stdout.write(f"Appels à projets : {format_count(added, 'projet ajouté', 'projets ajoutés')} cette fois.\n")


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
    """A selected application of 2011, its review, then the project it became, taken to its stage."""
    application = _load_application(call, carrier, spec, author=author, services=services, funders=funders)
    review = Review.objects.create(
        application=application, reviewer=author, comment="Besoin établi et partenariat solide."
    )
    CriterionScore.objects.bulk_create(
        CriterionScore(review=review, criterion=criterion, score=4) for criterion in call.criteria.all()
    )
    project = project_create_from_application(application=application)
    _advance_project(project, spec)
    for number, (year, period, status) in enumerate(spec["reports"], start=1):
        _load_report(project, year, period, status, number=number, services=spec["services"], all_services=services)


def _load_application(
    call: Call, carrier: Carrier, spec: dict, *, author: User, services: dict, funders: dict
) -> Application:
    budget = Decimal(spec["budget"])
    application = Application.objects.create(
        call=call,
        carrier=carrier,
        created_by=author,
        status=ApplicationStatus.RETENUE,
        title=f"Plateforme de mobilité — {carrier.name}",
        contact_email=author.email,
        departements=spec["departements"],
        communes=spec["communes"],
        territory_type=spec["territory"],
        submitted_at=_aware(date(2011, 6, 15)),
        decided_at=_aware(date(2011, 7, 12)),
        **APPLICATION_TEXTS,
    )
    for code in spec.get("partners", []):
        application.partners.add(Structure.objects.get(code=code))
    application.existing_services.set([services[code] for code in spec["existing"]])
    application.services_to_develop.set([services[code] for code in spec["services"]])
    ApplicationNeed.objects.bulk_create(
        ApplicationNeed(application=application, label=label, public=public, people_count=people)
        for label, public, people in NEEDS
    )
    ApplicationStep.objects.bulk_create(
        ApplicationStep(application=application, label=label, starts_on=starts_on, due_on=due_on)
        for label, starts_on, due_on in STEPS
    )
    ApplicationFunding.objects.bulk_create(
        ApplicationFunding(
            application=application, funder=funders[name], amount=(budget * share).quantize(Decimal(1)), status=status
        )
        for name, share, status in SHARES
    )
    GovernancePartner.objects.bulk_create(
        GovernancePartner(application=application, organisation=organisation, role=role)
        for organisation, role in GOVERNANCE
    )
    return application


def _advance_project(project, spec: dict) -> None:
    """The FARE support and its sessions, the milestones done, the budget spent, as far as the project's stage."""
    reached = STAGES_REACHED[spec["stage"]]
    with_formation_action = spec.get("formation_action", True)
    FareSupport.objects.create(
        project=project,
        expert_name="Expert de la FARE",
        formation_action=with_formation_action,
        funded_by_macif=with_formation_action,
        notes="Formation-action financée par la Fondation MACIF." if with_formation_action else "",
    )
    for index, (held_on, topic) in enumerate(SESSIONS if with_formation_action else []):
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
    quantities = {**SERVICE_QUANTITIES, "conseil-mobilite": total}
    ServiceDelivery.objects.bulk_create(
        ServiceDelivery(report=report, service=all_services[code], quantity=Decimal(quantities[code] * (1 + scale)))
        for code in services
    )


def _alternance_call(*, author: User, funders: dict) -> Call:
    """The FPSPP's alternance call with its criteria and form sections, once."""
    spec = ALTERNANCE_CALL
    call, created = Call.objects.get_or_create(
        theme=CallTheme.ALTERNANCE,
        year=spec["year"],
        defaults={
            "title": spec["title"],
            "text": spec["text"],
            "opens_on": spec["opens_on"],
            "closes_on": spec["closes_on"],
            "eligibility_criteria": spec["eligibility"],
            "formation_action_places": 0,
            "envelope": spec["envelope"],
            "status": CallStatus.PUBLIE,
            "published_at": _aware(spec["opens_on"]),
            "created_by": author,
        },
    )
    if created:
        call.funders.set([funders["FPSPP"]])
        for order, (label, description) in enumerate(ALTERNANCE_CRITERIA):
            SelectionCriterion.objects.create(call=call, label=label, description=description, order=order)
        for order, (title, guidance, required) in enumerate(ALTERNANCE_SECTIONS):
            CallSection.objects.create(call=call, title=title, guidance=guidance, required=required, order=order)
    return call


def _load_alternance(*, author: User, funders: dict) -> None:
    """The FPSPP's alternance call, one application from a mission locale selected and its project
    launched then in operation, half of its budget spent (illustrative)."""
    call = _alternance_call(author=author, funders=funders)
    structure = Structure.objects.filter(code=ALTERNANCE_APPLICATION["carrier"]).first()
    if structure is None:
        return
    carrier = _carrier(structure.code)
    if Application.objects.filter(call=call, carrier=carrier).exists():
        return
    application = Application.objects.create(
        call=call,
        carrier=carrier,
        created_by=author,
        status=ApplicationStatus.RETENUE,
        title=ALTERNANCE_APPLICATION["title"],
        contact_name="Référent alternance",
        contact_email=author.email,
        submitted_at=_aware(date(2011, 10, 20)),
        decided_at=_aware(date(2011, 12, 6)),
    )
    ApplicationAnswer.objects.bulk_create(
        ApplicationAnswer(application=application, section=section, text=text)
        for section, text in zip(call.sections.order_by("order"), ALTERNANCE_APPLICATION["answers"], strict=True)
    )
    ApplicationFunding.objects.bulk_create(
        ApplicationFunding(application=application, funder=funders[name], label=label, amount=amount, status=status)
        for name, label, amount, status in ALTERNANCE_APPLICATION["fundings"]
    )
    review = Review.objects.create(
        application=application, reviewer=author, comment="Un partenariat d'entreprises solide."
    )
    CriterionScore.objects.bulk_create(
        CriterionScore(review=review, criterion=criterion, score=4) for criterion in call.criteria.all()
    )
    project = project_create_from_application(application=application)
    for line in project.budget_lines.all():
        line.actual_amount = (line.planned_amount * ALTERNANCE_APPLICATION["spent_share"]).quantize(Decimal(1))
        line.save(update_fields=["actual_amount"])
    project.stage = Stage.EN_FONCTIONNEMENT
    project.stage_changed_at = _aware(date(2012, 3, 1))
    project.save(update_fields=["stage", "stage_changed_at"])
