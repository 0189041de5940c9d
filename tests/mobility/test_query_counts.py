"""Query-count guards of the mobility pages at a realistic size (see tests/querycounts.py).

One world for the module (``kept_for_module``): two mobility calls, 48 applications of 48 carriers
over six regions, 24 of them projects with two approved reports each, twelve requests to join a
carrier, and one project with its full plan (objectives, milestones, budget lines, amendments,
formation-action sessions, documents, reports, history); and an alternance call with its envelope,
its sections and 16 applications, 12 of them projects on the short path (one with its milestones,
amendments and documents). A page whose queries grow with its rows goes far past its ceiling.

N+1s these found, fixed: the call page (each project's partner missions locales), the call's
report and the projects page (three queries per region and per year of the roll-ups), the
requests to join a carrier (a membership query per pending request), an application (each
funding line's funder).
"""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from cnml.audit import log_transition
from cnml.models import Role
from mobility.models import (
    AmendmentStatus,
    ApplicationStatus,
    BudgetAmendment,
    BudgetAmendmentLine,
    BudgetLine,
    CarrierMembershipRequest,
    FareSupport,
    FormationSession,
    Milestone,
    Project,
    ProjectDocument,
    ReportPeriod,
    ReportStatus,
    Review,
    Stage,
    Target,
)
from mobility.services import project_create_from_application
from tests.clock import NOW
from tests.conftest import build_network_and_users, kept_for_module
from tests.factories import RegionFactory, UserFactory
from tests.mobility.factories import (
    AlternanceCallFactory,
    CallFactory,
    CarrierFactory,
    catalogue,
    make_alternance_application,
    make_application,
    make_project,
    make_report,
)
from tests.querycounts import ANONYMOUS

# The module's data is built once (kept_for_module): its tests stay on one pytest-xdist worker.
pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("mobility-query-counts")]

APPLICATIONS = 48
PROJECTS = 24
REGIONS = 6
ALTERNANCE_APPLICATIONS = 16
ALTERNANCE_PROJECTS = 12


def raise_lines(amendment, lines) -> None:
    """The amendment's lines: each budget line raised by 10 €."""
    BudgetAmendmentLine.objects.bulk_create(
        BudgetAmendmentLine(
            amendment=amendment,
            budget_line=line,
            funder_id=line.funder_id,
            planned_before=line.planned_amount,
            planned_after=line.planned_amount + 10,
        )
        for line in lines
    )


def full_plan(project, *, users, cat, network) -> None:
    """A project as it looks after a year: every part of its page has rows."""
    today = timezone.localdate()
    cnml = users[Role.RELECTEUR_CNML]
    project.partners.add(network.ml_a2, network.ml_b1, network.ml_b2)
    project.services_to_launch.add(cat["location"], cat["garage"], cat["covoiturage"])
    Target.objects.bulk_create(
        Target(project=project, label=f"Objectif {n}", public="Jeunes de 16 à 25 ans", target_people=10 * n)
        for n in range(1, 16)
    )
    Milestone.objects.bulk_create(
        Milestone(project=project, label=f"Jalon {n}", due_on=today + timedelta(days=30 * n - 200)) for n in range(15)
    )
    for funder in ("etat", "region", "macif"):
        for n in range(4):
            BudgetLine.objects.create(project=project, funder=cat[funder], label=f"Poste {n}", planned_amount=1000 * n)
    lines = list(project.budget_lines.all())
    for n in range(6):
        status = AmendmentStatus.DEMANDE if n == 5 else AmendmentStatus.APPROUVE
        amendment = BudgetAmendment.objects.create(
            project=project, reason=f"Avenant {n}", status=status, requested_by=users[Role.DIRECTEUR]
        )
        if status != AmendmentStatus.DEMANDE:
            BudgetAmendment.objects.filter(pk=amendment.pk).update(decided_by=cnml, decided_at=timezone.now())
        raise_lines(amendment, lines[:5])
    FareSupport.objects.create(project=project, expert_name="Expert FARE", formation_action=True)
    FormationSession.objects.bulk_create(
        FormationSession(project=project, held_on=today - timedelta(days=7 * n), topic=f"Séance {n}", attendees_count=n)
        for n in range(10)
    )
    ProjectDocument.objects.bulk_create(
        ProjectDocument(
            project=project, title=f"Document {n}", file=f"mobilite/doc-{n}.pdf", name=f"doc-{n}.pdf", uploaded_by=cnml
        )
        for n in range(12)
    )
    for year in range(today.year - 4, today.year - 1):
        for period in ReportPeriod.values:
            make_report(
                project,
                year=year,
                period=period,
                status=ReportStatus.APPROUVE,
                deliveries={cat["location"]: 12, cat["garage"]: 3},
            )
    make_report(project, year=today.year, status=ReportStatus.SOUMIS, deliveries={cat["covoiturage"]: 40})
    for stage_from, stage_to in ((Stage.RETENU, Stage.FORMATION_ACTION), (Stage.FORMATION_ACTION, Stage.MONTAGE)):
        log_transition(project, actor=cnml, from_state=stage_from, to_state=stage_to, comment="Étape franchie.")


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """The calls, applications, projects and the full project of the module's pages (read only)."""
    with kept_for_module(django_db_blocker):
        # Dated at the frozen today of every mobility test (tests/mobility/conftest.py).
        with time_machine.travel(NOW):
            data = build_world()
        yield data


def build_world() -> dict:
    network, users = build_network_and_users()
    cat = catalogue()
    today = timezone.localdate()
    last_year = CallFactory(year=today.year - 1)
    call = CallFactory(year=today.year)
    applicant = UserFactory(email="porteurs@test.cnml.fr", role=Role.CONSEILLER, structure=network.ml_b2)
    cnml = users[Role.RELECTEUR_CNML]
    regions = [network.region_a, network.region_b, *(RegionFactory(code=f"9{n}0") for n in range(1, REGIONS - 1))]
    carriers = [CarrierFactory(name=f"Porteur {n:02d}", region=regions[n % REGIONS]) for n in range(APPLICATIONS)]
    # The main project: the director's carrier (mission locale A1), selected at this year's call.
    carriers[0].members.add(users[Role.DIRECTEUR])
    projects = []
    for n, carrier in enumerate(carriers):
        the_call = last_year if n % 4 == 3 else call
        author = users[Role.DIRECTEUR] if n == 0 else applicant
        if n < PROJECTS:
            project = make_project(call=the_call, user=author, carrier=carrier, cat=cat)
            for period in ReportPeriod.values:
                make_report(
                    project,
                    year=the_call.year - 1,
                    period=period,
                    status=ReportStatus.APPROUVE,
                    deliveries={cat["location"]: 5, cat["garage"]: n % 3},
                )
            projects.append(project)
        else:
            application = make_application(call=the_call, user=author, carrier=carrier, cat=cat)
            application.status = ApplicationStatus.DEPOSEE
            application.save(update_fields=["status"])
            application.partners.add(network.ml_a2, network.ml_b1)
            review = Review.objects.create(application=application, reviewer=cnml, comment="Solide.")
            review.scores.create(criterion=the_call.criteria.first(), score=4)
            log_transition(application, actor=applicant, from_state="brouillon", to_state="deposee")
    # People asking to join the director's carrier, and others'.
    for n in range(12):
        person = UserFactory(email=f"demandeur{n}@test.cnml.fr", role=Role.CONSEILLER, structure=network.ml_a2)
        CarrierMembershipRequest.objects.create(carrier=carriers[n % 2], user=person, requested_by=person)
    main = projects[0]
    full_plan(main, users=users, cat=cat, network=network)
    alternance = alternance_world(carriers, users=users, applicant=applicant, network=network)
    return {
        "users": users,
        "call": call,
        "project": main,
        "report": main.reports.first(),
        "application": carriers[-1].applications.get(),
        **alternance,
    }


def alternance_world(carriers, *, users, applicant, network):
    """This year's alternance call: 16 applications of the first carriers, 12 selected as projects
    (their budget against the envelope), the director's one with its milestones, amendments, documents."""
    today = timezone.localdate()
    cnml = users[Role.RELECTEUR_CNML]
    call = AlternanceCallFactory(year=today.year)
    projects = []
    for n, carrier in enumerate(carriers[:ALTERNANCE_APPLICATIONS]):
        author = users[Role.DIRECTEUR] if n == 0 else applicant
        application = make_alternance_application(call=call, user=author, carrier=carrier)
        application.partners.add(network.ml_a2, network.ml_b1)
        status = ApplicationStatus.RETENUE if n < ALTERNANCE_PROJECTS else ApplicationStatus.DEPOSEE
        application.status = status
        application.save(update_fields=["status"])
        review = Review.objects.create(application=application, reviewer=cnml, comment="Solide.")
        review.scores.create(criterion=call.criteria.first(), score=4)
        if status == ApplicationStatus.RETENUE:
            projects.append(project_create_from_application(application=application))
    main = projects[0]
    main.partners.add(network.ml_a2, network.ml_b1, network.ml_b2)
    Milestone.objects.bulk_create(
        Milestone(project=main, label=f"Jalon alternance {n}", due_on=today + timedelta(days=30 * n - 200))
        for n in range(15)
    )
    lines = list(main.budget_lines.all())
    for n in range(4):
        amendment = BudgetAmendment.objects.create(
            project=main, reason=f"Avenant alternance {n}", status=AmendmentStatus.APPROUVE, requested_by=cnml
        )
        raise_lines(amendment, lines)
    ProjectDocument.objects.bulk_create(
        ProjectDocument(
            project=main, title=f"Pièce {n}", file=f"mobilite/alt-{n}.pdf", name=f"alt-{n}.pdf", uploaded_by=cnml
        )
        for n in range(12)
    )
    log_transition(main, actor=cnml, from_state=Stage.RETENU, to_state=Stage.LANCEMENT, comment="Lancé.")
    Project.objects.filter(pk=main.pk).update(stage=Stage.LANCEMENT)
    return {
        "alternance_call": call,
        "alternance_project": main,
        "alternance_application": carriers[ALTERNANCE_PROJECTS].applications.get(call=call),
    }


def pages(world) -> dict[str, str]:
    project, call, application = world["project"], world["call"], world["application"]
    return {
        "accueil": "/mobilite/",
        "appels": "/mobilite/",
        "appel": f"/mobilite/appels/{call.year}/",
        "bilan de l'appel": f"/mobilite/appels/{call.year}/bilan/",
        "candidatures": "/mobilite/candidatures/",
        "candidature": f"/mobilite/candidatures/{application.pk}/",
        "candidature du porteur": f"/mobilite/candidatures/{project.application_id}/",
        "évaluation": f"/mobilite/candidatures/{application.pk}/evaluer/",
        "demandes de rattachement": "/mobilite/porteurs/demandes/",
        "projets": "/mobilite/projets/",
        "projets par étape": "/mobilite/projets/par-etape/",
        "projet": f"/mobilite/projets/{project.pk}/",
        "bilan": f"/mobilite/projets/{project.pk}/bilans/{world['report'].pk}/",
        "appel alternance": f"/mobilite/appels/alternance/{world['alternance_call'].year}/",
        "bilan de l'appel alternance": f"/mobilite/appels/alternance/{world['alternance_call'].year}/bilan/",
        "projets alternance": "/mobilite/projets/?theme=alternance",
        "projet alternance": f"/mobilite/projets/{world['alternance_project'].pk}/",
        "candidature alternance": f"/mobilite/candidatures/{world['alternance_application'].pk}/",
    }


# (visitor, page): the most queries the page may make, and a text that shows its rows are there.
CEILINGS = {
    (ANONYMOUS, "accueil"): (1, "Appel à projets"),
    (ANONYMOUS, "appel"): (9, "Appel à projets"),
    (Role.RELECTEUR_CNML, "accueil"): (8, "Porteur 47"),
    (Role.RELECTEUR_CNML, "appel"): (13, "Porteur 22"),
    (Role.RELECTEUR_CNML, "bilan de l'appel"): (20, "Porteur 22"),
    (Role.RELECTEUR_CNML, "candidatures"): (4, "Porteur 47"),
    (Role.RELECTEUR_CNML, "candidature"): (17, "Porteur 47"),
    (Role.RELECTEUR_CNML, "évaluation"): (6, "Porteur 47"),
    (Role.RELECTEUR_CNML, "demandes de rattachement"): (6, "demandeur11@test.cnml.fr"),
    (Role.RELECTEUR_CNML, "projets"): (17, "Porteur 23"),
    (Role.RELECTEUR_CNML, "projets par étape"): (3, "Porteur 23"),
    (Role.RELECTEUR_CNML, "projet"): (25, "Document 11"),
    (Role.RELECTEUR_CNML, "bilan"): (8, "Bilan"),
    (Role.DIRECTEUR, "accueil"): (7, "Porteur 00"),
    (Role.DIRECTEUR, "appel"): (12, "Porteur 22"),
    (Role.DIRECTEUR, "bilan de l'appel"): (21, "Porteur 00"),
    (Role.DIRECTEUR, "candidatures"): (5, "Porteur 00"),
    (Role.DIRECTEUR, "candidature du porteur"): (13, "Porteur 00"),
    (Role.DIRECTEUR, "demandes de rattachement"): (7, "demandeur10@test.cnml.fr"),
    (Role.DIRECTEUR, "projets"): (18, "Porteur 00"),
    (Role.DIRECTEUR, "projets par étape"): (4, "Porteur 00"),
    (Role.DIRECTEUR, "projet"): (26, "Document 11"),
    (Role.DIRECTEUR, "bilan"): (9, "Bilan"),
    (ANONYMOUS, "appels"): (1, "Appel à projets alternance"),
    (Role.RELECTEUR_CNML, "appels"): (8, "Appel à projets alternance"),
    # Another theme: the calls list shows both themes; the alternance call with its envelope, sections
    # and twelve projects; its report; the project list on that theme; a project on the short path.
    (ANONYMOUS, "appel alternance"): (10, "Accordé aux projets retenus"),
    (Role.RELECTEUR_CNML, "appel alternance"): (13, "Porteur 11"),
    (Role.RELECTEUR_CNML, "bilan de l'appel alternance"): (18, "Porteur 11"),
    (Role.RELECTEUR_CNML, "projets alternance"): (13, "Porteur 11"),
    (Role.RELECTEUR_CNML, "projet alternance"): (17, "Pièce 11"),
    (Role.RELECTEUR_CNML, "candidature alternance"): (16, "Porteur 12"),  # + the envelope told before deciding
    (Role.DIRECTEUR, "appel alternance"): (13, "Porteur 11"),
    (Role.DIRECTEUR, "bilan de l'appel alternance"): (19, "Porteur 00"),
    (Role.DIRECTEUR, "projets alternance"): (14, "Porteur 00"),
    (Role.DIRECTEUR, "projet alternance"): (21, "Pièce 11"),
}


@pytest.mark.parametrize(("visitor", "page"), list(CEILINGS))
def test_each_page_makes_a_bounded_number_of_queries_at_a_realistic_size(world, bounded_page, visitor, page):
    bounded_page(world["users"], visitor, pages(world)[page], *CEILINGS[visitor, page])
