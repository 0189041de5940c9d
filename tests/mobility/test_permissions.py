"""Every page of the mobility app, for everyone: who gets it (200), who is refused (403), who must
not even know it exists (404), and the anonymous visitor (sent to the login page, or the public pages).

The project under test is carried by mission locale A1 (region A) with mission locale B1 as partner.
"""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile

from cnml.models import Role
from mobility.models import ApplicationStatus, CallStatus, ProjectDocument, ReportPeriod, ReportStatus
from tests.factories import ArmlFactory, UserFactory
from tests.mobility.factories import CallFactory, make_application, make_report

pytestmark = pytest.mark.django_db

ANONYME = "anonyme"
CARRIERS = {"conseiller", "directeur"}
CNML = {"relecteur", "administrateur"}
EDITORS = CARRIERS | CNML
READERS = EDITORS | {"animateur", "partenaire"}
SIGNED_IN = READERS | {"voisin", "animateur_b"}
EVERYONE = SIGNED_IN | {ANONYME}

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def world(network, users, outsider, member, project, call, cat, role_groups):
    """The actors, and one object of each kind around the project."""
    draft_call = CallFactory(year=2040, status=CallStatus.BROUILLON)
    pending = make_application(
        call=call, user=users[Role.CONSEILLER], carrier=project.carrier, cat=cat, title="En attente"
    )
    pending.status = ApplicationStatus.DEPOSEE
    pending.save()
    document = ProjectDocument(
        project=project, title="Convention", name="convention.pdf", uploaded_by=users[Role.DIRECTEUR]
    )
    document.file.save("convention.pdf", ContentFile(PDF))
    actors = {
        ANONYME: None,
        "conseiller": users[Role.CONSEILLER],
        "directeur": users[Role.DIRECTEUR],
        "animateur": users[Role.ANIMATEUR_REGIONAL],
        "relecteur": users[Role.RELECTEUR_CNML],
        "administrateur": users[Role.ADMINISTRATEUR],
        "partenaire": outsider,  # a conseiller of ML B1, partner of the project
        "voisin": member,  # a conseiller of ML A2, member of another carrier
        "animateur_b": UserFactory(role=Role.ANIMATEUR_REGIONAL, structure=ArmlFactory(region=network.region_b)),
    }
    objects = {
        "call": call,
        "draft_call": draft_call,
        "pending": pending,
        "project": project,
        "document": document,
        "submitted": make_report(project, period=ReportPeriod.S1, status=ReportStatus.SOUMIS),
        "draft": make_report(project, period=ReportPeriod.S2),
    }
    return actors, objects


def rule(ok, forbidden=frozenset(), anonymous="login"):
    return {"ok": set(ok), "forbidden": set(forbidden), "anonymous": anonymous}


# page -> (url template, rule). Anonymous: "login" (redirected), or a status code.
PAGES = {
    "accueil": ("/mobilite/", rule(EVERYONE, anonymous=200)),
    "appel publié": ("/mobilite/appels/{call.year}/", rule(EVERYONE, anonymous=200)),
    "appel en préparation": ("/mobilite/appels/{draft_call.year}/", rule(CNML, anonymous=404)),
    "nouvel appel": ("/mobilite/appels/nouveau/", rule(CNML, SIGNED_IN - CNML)),
    "modifier l'appel": ("/mobilite/appels/{draft_call.year}/modifier/", rule(CNML)),
    "bilan de l'appel": ("/mobilite/appels/{call.year}/bilan/", rule(SIGNED_IN)),
    "bilan XLSX": ("/mobilite/appels/{call.year}/bilan.xlsx", rule(SIGNED_IN)),
    "candidatures": ("/mobilite/candidatures/", rule(SIGNED_IN)),
    # Everyone signed in has one: the requests they decide and their own (test_carrier_membership).
    "demandes de rattachement": ("/mobilite/porteurs/demandes/", rule(SIGNED_IN)),
    "candidater": ("/mobilite/appels/{call.year}/candidater/", rule(SIGNED_IN)),
    "candidature": ("/mobilite/candidatures/{pending.pk}/", rule(CARRIERS | CNML | {"animateur"})),
    "modifier la candidature déposée": (
        "/mobilite/candidatures/{pending.pk}/modifier/",
        rule(set(), CARRIERS | CNML | {"animateur"}),
    ),
    "évaluer": ("/mobilite/candidatures/{pending.pk}/evaluer/", rule(CNML, CARRIERS | {"animateur"})),
    "projets": ("/mobilite/projets/", rule(SIGNED_IN)),
    "projets par étape": ("/mobilite/projets/par-etape/", rule(SIGNED_IN)),
    "projet": ("/mobilite/projets/{project.pk}/", rule(READERS)),
    "plan": ("/mobilite/projets/{project.pk}/plan/", rule(EDITORS, {"animateur", "partenaire"})),
    "jalons": ("/mobilite/projets/{project.pk}/jalons/", rule(EDITORS, {"animateur", "partenaire"})),
    "budget": ("/mobilite/projets/{project.pk}/budget/", rule(EDITORS, {"animateur", "partenaire"})),
    "avenant au budget": (
        "/mobilite/projets/{project.pk}/budget/avenant/",
        rule(EDITORS, {"animateur", "partenaire"}),
    ),
    "accompagnement FARE": (
        "/mobilite/projets/{project.pk}/accompagnement/",
        rule(CNML, CARRIERS | {"animateur", "partenaire"}),
    ),
    "ajouter un document": (
        "/mobilite/projets/{project.pk}/documents/ajouter/",
        rule(EDITORS, {"animateur", "partenaire"}),
    ),
    "document": ("/mobilite/projets/{project.pk}/documents/{document.pk}/", rule(READERS)),
    "nouveau bilan": ("/mobilite/projets/{project.pk}/bilans/nouveau/", rule(EDITORS, {"animateur", "partenaire"})),
    "bilan soumis": ("/mobilite/projets/{project.pk}/bilans/{submitted.pk}/", rule(READERS)),
    "modifier le bilan soumis": (
        "/mobilite/projets/{project.pk}/bilans/{submitted.pk}/modifier/",
        rule(set(), READERS),
    ),
    "bilan en brouillon": ("/mobilite/projets/{project.pk}/bilans/{draft.pk}/", rule(EDITORS)),
    "modifier le bilan en brouillon": ("/mobilite/projets/{project.pk}/bilans/{draft.pk}/modifier/", rule(EDITORS)),
}

ACTORS = sorted(EVERYONE)


def expected_status(rule_: dict, actor: str) -> int | str:
    if actor == ANONYME:
        return rule_["anonymous"]
    if actor in rule_["ok"]:
        return 200
    if actor in rule_["forbidden"]:
        return 403
    return 404


@pytest.mark.parametrize("page", list(PAGES))
def test_every_page_answers_each_actor_as_the_rules_say(client_for, world, page):
    actors, objects = world
    template, rule_ = PAGES[page]
    url = template.format(**objects)

    answers, wanted = {}, {}
    for actor in ACTORS:
        response = client_for(actors[actor]).get(url)
        if response.status_code == 302 and response["Location"].startswith("/compte/connexion/?next="):
            answers[actor] = "login"
        else:
            answers[actor] = response.status_code
        wanted[actor] = expected_status(rule_, actor)

    assert answers == wanted, url


def test_the_rules_cover_every_url_of_the_app():
    from mobility.urls import urlpatterns

    get_pages = {pattern.name for pattern in urlpatterns} - {
        # POST-only actions, tested with their workflows.
        "call_publish",
        "application_submit",
        "application_decide",
        "project_transition",
        "report_submit",
        "report_approve",
        "report_send_back",
        "membership_request_approve",
        "membership_request_refuse",
        "budget_amendment_approve",
        "budget_amendment_refuse",
        # Same view and scope as the XLSX (tested in test_exports).
        "call_report_pdf",
    }
    names = {
        "home",
        "call_detail",
        "call_create",
        "call_edit",
        "call_report",
        "call_report_xlsx",
        "application_list",
        "application_create",
        "application_detail",
        "application_edit",
        "application_review",
        "membership_requests",
        "project_list",
        "project_board",
        "project_detail",
        "project_plan_edit",
        "project_milestones_edit",
        "project_budget_edit",
        "project_budget_amend",
        "project_fare_edit",
        "document_add",
        "document_download",
        "report_create",
        "report_detail",
        "report_edit",
    }
    assert get_pages == names
    assert len(PAGES) >= len(names)


@pytest.mark.parametrize("action", ["soumettre", "approuver", "renvoyer"])
def test_report_actions_answer_404_outside_the_scope(client_for, world, action):
    actors, objects = world
    url = f"/mobilite/projets/{objects['project'].pk}/bilans/{objects['submitted'].pk}/{action}/"

    for actor in ("voisin", "animateur_b"):
        assert client_for(actors[actor]).post(url, {"comment": "x"}).status_code == 404
    objects["submitted"].refresh_from_db()
    assert objects["submitted"].status == ReportStatus.SOUMIS


def test_lists_only_show_what_the_user_may_see(client_for, world):
    actors, objects = world

    for actor, sees in [
        ("conseiller", True),
        ("animateur", True),
        ("partenaire", True),
        ("voisin", False),
        ("animateur_b", False),
    ]:
        content = client_for(actors[actor]).get("/mobilite/projets/").content.decode()
        assert (objects["project"].title in content) == sees, actor
        board = client_for(actors[actor]).get("/mobilite/projets/par-etape/").content.decode()
        assert (objects["project"].title in board) == sees, actor
    for actor, sees in [("conseiller", True), ("animateur", True), ("partenaire", False), ("voisin", False)]:
        content = client_for(actors[actor]).get("/mobilite/candidatures/").content.decode()
        assert ("En attente" in content) == sees, actor
