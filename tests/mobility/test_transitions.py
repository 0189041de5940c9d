"""Every state machine of mobility goes through the one mechanism (cnml.workflows).

One parametrized test over every transition of every mobility workflow (``Model.workflow.transitions``):
each move is made by someone allowed, logged with who, when, from, to and the comment, and the
caller's copy follows; the same move by someone without the right, or once more, is refused with the
one exception and its French sentence. Histories are shown with the shared include; the models do
not import the rules that guard them.
"""

from __future__ import annotations

import ast
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone

from cnml.audit import transitions_of
from cnml.models import Role
from cnml.workflows import TransitionRefused, history
from mobility import services
from mobility.models import (
    ActivityReport,
    Application,
    ApplicationStatus,
    BudgetAmendment,
    Call,
    CallStatus,
    CarrierMembershipRequest,
    FareSupport,
    Project,
    ReportStatus,
    Stage,
)
from tests.clock import NOW
from tests.factories import UserFactory
from tests.mobility.conftest import THIS_YEAR
from tests.mobility.factories import (
    AlternanceCallFactory,
    CallFactory,
    make_alternance_application,
    make_application,
    make_report,
)

pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(NOW, tick=False)]

ROLE_REFUSAL = "Votre rôle ne vous permet pas cette action sur ce dossier."
WORKFLOW_MODELS = [Call, Application, Project, ActivityReport, CarrierMembershipRequest, BudgetAmendment]
MOVES = [(model, verb) for model in WORKFLOW_MODELS for verb in model.workflow.transitions]


class World:
    """What each move needs: the network's users, a call, a project of ML A1, an outside carrier."""

    def __init__(self, users, network, call, cat, carrier_a1, project, member, outside_carrier):
        self.users, self.network, self.call, self.cat = users, network, call, cat
        self.carrier_a1, self.project, self.member, self.outside_carrier = carrier_a1, project, member, outside_carrier
        self.cnml = users[Role.RELECTEUR_CNML]
        self.conseiller = users[Role.CONSEILLER]

    def draft_application(self) -> Application:
        return make_application(call=self.call, user=self.conseiller, carrier=self.carrier_a1, cat=self.cat)

    def reviewed_application(self) -> Application:
        application = self.draft_application()
        services.application_submit(application=application, actor=self.conseiller)
        services.review_save(
            application=application,
            reviewer=self.cnml,
            scores={criterion.pk: 3 for criterion in self.call.criteria.all()},
            comment="Solide.",
        )
        return Application.objects.get(pk=application.pk)

    def project_at(self, stage: str) -> Project:
        Project.objects.filter(pk=self.project.pk).update(stage=stage)
        return Project.objects.get(pk=self.project.pk)

    def membership_request(self) -> CarrierMembershipRequest:
        applicant = UserFactory(email="candidat@test.cnml.fr", role=Role.CONSEILLER, structure=self.network.ml_b2)
        return services.membership_request_open(carrier=self.outside_carrier, user=applicant, actor=applicant)

    def amendment(self) -> BudgetAmendment:
        line = self.project.budget_lines.get(label="Fonctionnement")
        return services.budget_amendment_request(
            project=self.project, actor=self.conseiller, reason="Plus.", changes=[(line, None, "", Decimal("60000"))]
        )


def _call(world):
    return CallFactory(year=THIS_YEAR + 1, status=CallStatus.BROUILLON), world.cnml


def _formation_action(world):
    FareSupport.objects.create(project=world.project, expert_name="Expert FARE", formation_action=True)
    return world.project_at(Stage.RETENU), world.cnml


def _in_operation(world):
    world.project.milestones.update(done_on=timezone.localdate())
    return world.project_at(Stage.LANCEMENT), world.conseiller


def _alternance_start(world):
    """The short path of another theme: the CNML launches a selected alternance project."""
    application = make_alternance_application(
        call=AlternanceCallFactory(year=THIS_YEAR), user=world.conseiller, carrier=world.carrier_a1
    )
    Application.objects.filter(pk=application.pk).update(status=ApplicationStatus.RETENUE)
    application.refresh_from_db()
    return services.project_create_from_application(application=application), world.cnml


def _withdrawn(world):
    request = world.membership_request()
    return request, request.user


# Each move: an object in a state it starts from, and someone allowed to make it.
READY = {
    (Call, "publish"): _call,
    (Application, "submit"): lambda world: (world.draft_application(), world.conseiller),
    (Application, "select"): lambda world: (world.reviewed_application(), world.cnml),
    (Application, "decline"): lambda world: (world.reviewed_application(), world.cnml),
    (Project, "start_formation_action"): _formation_action,
    (Project, "start_montage"): lambda world: (world.project_at(Stage.RETENU), world.cnml),
    (Project, "launch"): lambda world: (world.project_at(Stage.MONTAGE), world.conseiller),
    (Project, "start"): _alternance_start,
    (Project, "put_in_operation"): _in_operation,
    (Project, "stop"): lambda world: (world.project_at(Stage.LANCEMENT), world.users[Role.ADMINISTRATEUR]),
    (ActivityReport, "submit"): lambda world: (make_report(world.project), world.conseiller),
    (ActivityReport, "approve"): lambda world: (make_report(world.project, status=ReportStatus.SOUMIS), world.cnml),
    (ActivityReport, "send_back"): lambda world: (make_report(world.project, status=ReportStatus.SOUMIS), world.cnml),
    (CarrierMembershipRequest, "approve"): lambda world: (world.membership_request(), world.member),
    (CarrierMembershipRequest, "refuse"): lambda world: (world.membership_request(), world.cnml),
    (CarrierMembershipRequest, "withdraw"): _withdrawn,
    (BudgetAmendment, "approve"): lambda world: (world.amendment(), world.cnml),
    (BudgetAmendment, "refuse"): lambda world: (world.amendment(), world.cnml),
}

# What the same move says once it is made (the row has left the state it starts from), as before the port.
AGAIN = {
    (Call, "publish"): "Cet appel est déjà publié.",
    (Application, "submit"): "Cette candidature a déjà été déposée.",
    (Application, "select"): "Cette candidature a déjà fait l'objet d'une décision : retenue.",
    (Application, "decline"): "Cette candidature a déjà fait l'objet d'une décision : non retenue.",
    (Project, "start_formation_action"): (
        "Le projet est à l'étape « Formation-action » : cette action n'est pas possible."
    ),
    (Project, "start_montage"): "Le projet est à l'étape « Montage » : cette action n'est pas possible.",
    (Project, "launch"): "Le projet est à l'étape « Lancement » : cette action n'est pas possible.",
    (Project, "start"): "Le projet est à l'étape « Lancement » : cette action n'est pas possible.",
    (Project, "put_in_operation"): "Le projet est à l'étape « En fonctionnement » : cette action n'est pas possible.",
    (Project, "stop"): "Le projet est à l'étape « Arrêté » : cette action n'est pas possible.",
    (ActivityReport, "submit"): "Ce bilan a déjà été soumis.",
    (ActivityReport, "approve"): "Ce bilan a déjà été approuvé.",
    (ActivityReport, "send_back"): "Seul un bilan soumis peut être approuvé ou renvoyé.",
    (CarrierMembershipRequest, "approve"): "Cette demande a déjà été traitée : acceptée.",
    (CarrierMembershipRequest, "refuse"): "Cette demande a déjà été traitée : refusée.",
    (CarrierMembershipRequest, "withdraw"): "Cette demande a déjà été traitée : retirée.",
    (BudgetAmendment, "approve"): "Cet avenant a déjà été approuvé.",
    (BudgetAmendment, "refuse"): "Cet avenant a déjà été refusé.",
}


@pytest.fixture
def world(users, network, call, cat, carrier_a1, project, member, outside_carrier) -> World:
    return World(users, network, call, cat, carrier_a1, project, member, outside_carrier)


@pytest.fixture
def stranger(network, role_groups):
    """A conseiller of ML B2: no carrier, no project, no request of theirs, no CNML role."""
    return UserFactory(email="inconnu@test.cnml.fr", role=Role.CONSEILLER, structure=network.ml_b2)


def test_every_move_of_every_mobility_workflow_is_covered_here():
    assert set(MOVES) == set(READY) == set(AGAIN)


@pytest.mark.parametrize(("model", "verb"), MOVES, ids=[f"{model.__name__}.{verb}" for model, verb in MOVES])
def test_each_move_is_logged_with_who_when_from_to_and_the_comment(world, model, verb):
    obj, user = READY[(model, verb)](world)
    transition = model.workflow.transitions[verb]
    field = model.workflow.field
    start = getattr(obj, field)
    logged_before = transitions_of(obj).count()
    assert getattr(obj, f"can_{verb}")(user), getattr(obj, verb).refusals(user)

    getattr(obj, verb)(user, comment="  Motif de la décision.  ")

    assert getattr(obj, field) == transition.target  # the caller's copy follows
    assert getattr(model.objects.get(pk=obj.pk), field) == transition.target
    assert transitions_of(obj).count() == logged_before + 1
    log = transitions_of(obj).last()
    assert (log.actor, log.at, log.from_state, log.to_state, log.comment) == (
        user,
        NOW,
        start,
        transition.target,
        "Motif de la décision.",
    )
    assert start in transition.source and transition.label


@pytest.mark.parametrize(("model", "verb"), MOVES, ids=[f"{model.__name__}.{verb}" for model, verb in MOVES])
def test_a_refused_move_raises_the_one_exception_with_its_french_sentence(world, stranger, model, verb):
    obj, user = READY[(model, verb)](world)
    state = getattr(obj, model.workflow.field)
    logged_before = transitions_of(obj).count()

    with pytest.raises(TransitionRefused) as by_role:
        getattr(obj, verb)(stranger, comment="Motif.")

    assert (by_role.value.reasons, by_role.value.by_role) == ([ROLE_REFUSAL], True)
    assert getattr(model.objects.get(pk=obj.pk), model.workflow.field) == state
    assert transitions_of(obj).count() == logged_before
    getattr(obj, verb)(user, comment="Motif.")
    with pytest.raises(TransitionRefused) as again:
        getattr(obj, verb)(user, comment="Motif.")
    assert (again.value.reasons, again.value.by_role) == ([AGAIN[(model, verb)]], False)
    assert transitions_of(obj).count() == logged_before + 1


def test_the_models_do_not_import_the_rules_that_guard_them():
    package = Path(__file__).resolve().parents[2] / "mobility" / "models"
    sources = sorted(package.glob("*.py"))
    assert len(sources) > 1
    imported = set()
    for node in (node for source in sources for node in ast.walk(ast.parse(source.read_text()))):
        if isinstance(node, ast.ImportFrom):
            imported.add(node.module)
            imported.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            imported.update(alias.name for alias in node.names)

    assert "mobility.permissions" not in imported


# --- Histories: the shared include on every page ---------------------------------------------


def _page(client_for, user, url: str) -> str:
    response = client_for(user).get(url)
    assert response.status_code == 200
    return response.content.decode()


def _shows_history(content: str, obj) -> None:
    entries = history(obj)
    assert entries
    assert content.count('<ol class="cnml-history">') == 1
    assert content.count("<li>", content.index('<ol class="cnml-history">')) >= len(entries)
    for entry in entries:
        assert f"<strong>{entry.when}</strong>" in content
        assert f"<strong>{entry.to_label}</strong>, par {entry.actor}" in content


def test_the_application_page_shows_its_history_with_the_shared_include(client_for, world):
    application = world.reviewed_application()
    services.application_decline(application=application, actor=world.cnml, comment="Budget trop élevé.")

    content = _page(client_for, world.conseiller, application.get_absolute_url())

    _shows_history(content, application)
    assert "Déposée →" in content
    assert '<blockquote class="cnml-history__comment">Budget trop élevé.</blockquote>' in content


def test_the_project_page_shows_its_history_with_the_shared_include(client_for, world):
    services.project_move(project=world.project, verb="start_montage", actor=world.cnml, comment="C'est parti.")

    content = _page(client_for, world.conseiller, world.project.get_absolute_url())

    _shows_history(content, world.project)
    assert "Retenu →" in content and "<strong>Montage</strong>" in content
    assert '<blockquote class="cnml-history__comment">C&#x27;est parti.</blockquote>' in content


def test_the_report_page_shows_its_history_with_the_shared_include(client_for, world):
    report = make_report(world.project, status=ReportStatus.SOUMIS)
    services.report_send_back(report=report, actor=world.cnml, comment="Complétez les sorties à 6 mois.")

    content = _page(client_for, world.conseiller, report.get_absolute_url())

    _shows_history(content, report)
    assert "Soumis →" in content
    assert '<blockquote class="cnml-history__comment">Complétez les sorties à 6 mois.</blockquote>' in content


def test_the_call_page_shows_its_history_to_the_cnml_with_the_shared_include(client_for, world):
    call = CallFactory(year=THIS_YEAR + 1, status=CallStatus.BROUILLON)
    services.call_publish(call=call, actor=world.cnml)

    content = _page(client_for, world.cnml, call.get_absolute_url())

    _shows_history(content, call)
    assert "En préparation →" in content
