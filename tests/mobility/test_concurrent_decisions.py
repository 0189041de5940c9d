"""Decisions taken twice at once (selection, stage changes, report approval, membership): one wins,
the other meets the guard of the new state and gets a clear French message, never a double
transition nor a 500.

The services re-read the row they decide on with ``select_for_update()`` inside their transaction.
The sequential tests hand a service a copy read before another decision was committed (what a page
holds when two people click at once); they run on any database. The threaded ones run the two
decisions at the same instant on PostgreSQL (``postgresql`` mark; skipped on SQLite, whose
in-memory test database serialises everything).
"""

from __future__ import annotations

import threading
from itertools import count

import pytest
from django.db import connection
from django.test import Client

from cnml.audit import transitions_of
from cnml.models import Role
from cnml.workflows import TransitionRefused
from mobility import permissions, services
from mobility.models import (
    ActivityReport,
    AmendmentStatus,
    Application,
    ApplicationStatus,
    BudgetAmendment,
    CarrierMembershipRequest,
    MembershipStatus,
    Project,
    ReportStatus,
    Stage,
)
from tests.concurrency import run_together
from tests.mobility.factories import make_application, make_report, text

DECIDED_SELECTED = "Cette candidature a déjà fait l'objet d'une décision : retenue."


def _submitted_and_reviewed(users, carrier, call, cat) -> Application:
    application = make_application(call=call, user=users[Role.CONSEILLER], carrier=carrier, cat=cat)
    services.application_submit(application=application, actor=users[Role.CONSEILLER])
    services.review_save(
        application=application,
        reviewer=users[Role.RELECTEUR_CNML],
        scores={criterion.pk: 3 for criterion in call.criteria.all()},
        comment="Solide.",
    )
    return Application.objects.get(pk=application.pk)


def _copies(model, pk: int, number: int = 2) -> list:
    """Copies of one row read now, before any of the decisions taken on them."""
    return [model.objects.get(pk=pk) for _ in range(number)]


# Sequential: a copy read before the other decision was committed ---------------------------------


@pytest.mark.django_db
def test_a_stale_application_selected_twice_gives_one_project_and_a_clear_refusal(users, carrier_a1, call, cat):
    first, second = _copies(Application, _submitted_and_reviewed(users, carrier_a1, call, cat).pk)

    services.application_select(application=first, actor=users[Role.RELECTEUR_CNML])
    with pytest.raises(TransitionRefused) as refused:
        services.application_select(application=second, actor=users[Role.ADMINISTRATEUR])

    assert refused.value.reasons == [DECIDED_SELECTED]
    assert Project.objects.count() == 1
    assert [log.to_state for log in transitions_of(first)] == ["deposee", "retenue"]


@pytest.mark.django_db
def test_a_stale_application_declined_after_its_selection_stays_selected(users, carrier_a1, call, cat):
    first, second = _copies(Application, _submitted_and_reviewed(users, carrier_a1, call, cat).pk)

    services.application_select(application=first, actor=users[Role.RELECTEUR_CNML])
    with pytest.raises(TransitionRefused):
        services.application_decline(application=second, actor=users[Role.ADMINISTRATEUR], comment="Trop cher.")

    first.refresh_from_db()
    assert first.status == ApplicationStatus.RETENUE
    assert first.decision_comment == ""


@pytest.mark.django_db
def test_the_decision_page_explains_a_decision_taken_meanwhile(client_for, users, carrier_a1, call, cat, monkeypatch):
    first, second = _copies(Application, _submitted_and_reviewed(users, carrier_a1, call, cat).pk)
    services.application_select(application=first, actor=users[Role.RELECTEUR_CNML])
    # The page read the application before the selection was committed.
    monkeypatch.setattr(permissions, "get_application_for", lambda user, pk: second)

    response = client_for(users[Role.ADMINISTRATEUR]).post(
        f"/mobilite/candidatures/{first.pk}/decider/", {"decision": "refuser", "comment": "Trop cher."}, follow=True
    )

    assert response.status_code == 200
    assert DECIDED_SELECTED in text(response)
    first.refresh_from_db()
    assert first.status == ApplicationStatus.RETENUE


@pytest.mark.django_db
def test_a_stale_application_submitted_twice_is_submitted_once(users, carrier_a1, call, cat):
    application = make_application(call=call, user=users[Role.CONSEILLER], carrier=carrier_a1, cat=cat)
    first, second = _copies(Application, application.pk)

    services.application_submit(application=first, actor=users[Role.CONSEILLER])
    with pytest.raises(TransitionRefused) as refused:
        services.application_submit(application=second, actor=users[Role.CONSEILLER])

    assert refused.value.reasons == ["Cette candidature a déjà été déposée."]
    assert transitions_of(application).count() == 1


@pytest.mark.django_db
def test_a_stale_project_moved_twice_moves_once(users, project):
    first, second = _copies(Project, project.pk)

    services.project_move(project=first, verb="start_montage", actor=users[Role.RELECTEUR_CNML])
    with pytest.raises(TransitionRefused) as refused:
        services.project_move(project=second, verb="start_montage", actor=users[Role.ADMINISTRATEUR])

    assert refused.value.reasons == ["Le projet est à l'étape « Montage » : cette action n'est pas possible."]
    assert [log.to_state for log in transitions_of(project)] == ["montage"]


@pytest.mark.django_db
def test_a_stale_report_sent_back_after_its_approval_stays_approved(client_for, users, project, monkeypatch):
    report = make_report(project, status=ReportStatus.SOUMIS)
    first, second = _copies(ActivityReport, report.pk)
    services.report_approve(report=first, actor=users[Role.RELECTEUR_CNML])
    monkeypatch.setattr(permissions, "get_report_for", lambda user, project_pk, pk: second)

    response = client_for(users[Role.ADMINISTRATEUR]).post(
        f"/mobilite/projets/{project.pk}/bilans/{report.pk}/renvoyer/", {"comment": "À revoir."}, follow=True
    )

    assert response.status_code == 200
    assert "Ce bilan a déjà été approuvé." in text(response)
    report.refresh_from_db()
    assert (report.status, report.review_comment) == (ReportStatus.APPROUVE, "")
    assert [log.to_state for log in transitions_of(report)] == ["approuve"]


# Threaded, on PostgreSQL: two decisions at the same instant --------------------------------------


@pytest.fixture
def postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("Concurrence réelle : lancer avec DATABASE_URL sur PostgreSQL.")


def _at_once(*calls) -> list:
    """Run each call in its own thread and connection, all released at the same instant."""
    pending = iter(calls)
    lock = threading.Lock()

    def next_call():
        with lock:
            call = next(pending)
        return call()

    return run_together(next_call, len(calls))


def _outcome(results: list) -> tuple[int, list[str]]:
    assert not [
        result for result in results if isinstance(result, Exception) and not isinstance(result, TransitionRefused)
    ], results
    refusals = [reason for result in results if isinstance(result, TransitionRefused) for reason in result.reasons]
    return sum(not isinstance(result, Exception) for result in results), refusals


@pytest.mark.usefixtures("postgresql_only")
@pytest.mark.parametrize("second", ["select", "decline"])
@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_two_reviewers_deciding_an_application_at_once_give_one_decision(users, carrier_a1, call, cat, second):
    first_copy, second_copy = _copies(Application, _submitted_and_reviewed(users, carrier_a1, call, cat).pk)
    other = {
        "select": lambda: services.application_select(application=second_copy, actor=users[Role.ADMINISTRATEUR]),
        "decline": lambda: services.application_decline(
            application=second_copy, actor=users[Role.ADMINISTRATEUR], comment="Trop cher."
        ),
    }[second]

    results = _at_once(
        lambda: services.application_select(application=first_copy, actor=users[Role.RELECTEUR_CNML]), other
    )

    successes, refusals = _outcome(results)
    assert successes == 1
    assert len(refusals) == 1 and "Cette candidature a déjà fait l'objet d'une décision" in refusals[0]
    decisions = [log for log in transitions_of(first_copy) if log.from_state == "deposee"]
    assert len(decisions) == 1
    assert Project.objects.count() == (1 if decisions[0].to_state == "retenue" else 0)


@pytest.mark.usefixtures("postgresql_only")
@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_two_decision_posts_at_once_give_one_success_and_one_message_never_a_500(
    users, carrier_a1, call, cat, monkeypatch
):
    application = _submitted_and_reviewed(users, carrier_a1, call, cat)
    copies = _copies(Application, application.pk)
    lock = threading.Lock()
    read = permissions.get_application_for

    def read_before_the_other_commits(user, pk):
        # Each decision works on a copy read before either was committed; the pages after them read afresh.
        with lock:
            return copies.pop() if copies else read(user, pk)

    monkeypatch.setattr(permissions, "get_application_for", read_before_the_other_commits)
    clients = []
    for role in (Role.RELECTEUR_CNML, Role.ADMINISTRATEUR):
        client = Client()
        client.force_login(users[role])
        clients.append(client)
    posts = count()

    def post():
        client = clients[next(posts)]
        return client.post(f"/mobilite/candidatures/{application.pk}/decider/", {"decision": "retenir"}, follow=True)

    responses = run_together(post, 2)

    assert all(not isinstance(response, Exception) for response in responses), responses
    assert sorted(response.status_code for response in responses) == [200, 200]
    pages = [text(response) for response in responses]
    assert sum("Candidature retenue : le projet est créé" in page for page in pages) == 1
    assert sum(DECIDED_SELECTED in page for page in pages) == 1
    assert Project.objects.count() == 1


@pytest.mark.usefixtures("postgresql_only")
@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_two_stage_changes_at_once_move_the_project_once(users, project):
    first, second = _copies(Project, project.pk)

    results = _at_once(
        lambda: services.project_move(project=first, verb="start_montage", actor=users[Role.RELECTEUR_CNML]),
        lambda: services.project_move(project=second, verb="start_montage", actor=users[Role.ADMINISTRATEUR]),
    )

    successes, refusals = _outcome(results)
    assert (successes, refusals) == (1, ["Le projet est à l'étape « Montage » : cette action n'est pas possible."])
    assert [log.to_state for log in transitions_of(project)] == [Stage.MONTAGE]


@pytest.mark.usefixtures("postgresql_only")
@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_approving_and_sending_back_a_report_at_once_gives_one_decision(users, project):
    report = make_report(project, status=ReportStatus.SOUMIS)
    first, second = _copies(ActivityReport, report.pk)

    results = _at_once(
        lambda: services.report_approve(report=first, actor=users[Role.RELECTEUR_CNML]),
        lambda: services.report_send_back(report=second, actor=users[Role.ADMINISTRATEUR], comment="À revoir."),
    )

    successes, refusals = _outcome(results)
    assert successes == 1 and len(refusals) == 1
    assert len(transitions_of(report)) == 1


@pytest.mark.usefixtures("postgresql_only")
@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_a_member_and_the_cnml_deciding_a_membership_request_at_once_give_one_decision(
    users, member, outside_carrier, network
):
    from tests.factories import UserFactory

    applicant = UserFactory(role=Role.CONSEILLER, structure=network.ml_b2)
    request = services.membership_request_open(carrier=outside_carrier, user=applicant, actor=applicant)
    first, second = _copies(CarrierMembershipRequest, request.pk)

    results = _at_once(
        lambda: services.membership_request_approve(request=first, actor=member),
        lambda: services.membership_request_refuse(request=second, actor=users[Role.RELECTEUR_CNML]),
    )

    successes, refusals = _outcome(results)
    assert successes == 1
    assert len(refusals) == 1 and refusals[0].startswith("Cette demande a déjà été traitée")
    request.refresh_from_db()
    assert outside_carrier.members.filter(pk=applicant.pk).exists() == (request.status == MembershipStatus.ACCEPTEE)
    assert len(transitions_of(request)) == 2  # opened, then one decision


@pytest.mark.usefixtures("postgresql_only")
@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_approving_and_refusing_a_budget_amendment_at_once_gives_one_decision(users, project):
    from decimal import Decimal

    line = project.budget_lines.get(label="Fonctionnement")
    amendment = services.budget_amendment_request(
        project=project, actor=users[Role.CONSEILLER], reason="Plus.", changes=[(line, None, "", Decimal("60000"))]
    )
    first, second = _copies(BudgetAmendment, amendment.pk)

    results = _at_once(
        lambda: services.budget_amendment_approve(amendment=first, actor=users[Role.RELECTEUR_CNML]),
        lambda: services.budget_amendment_refuse(amendment=second, actor=users[Role.ADMINISTRATEUR], comment="Non."),
    )

    successes, refusals = _outcome(results)
    assert successes == 1
    assert len(refusals) == 1 and refusals[0].startswith("Cet avenant a déjà été")
    amendment.refresh_from_db()
    line.refresh_from_db()
    expected = Decimal("60000") if amendment.status == AmendmentStatus.APPROUVE else Decimal("40000")
    assert line.planned_amount == expected


@pytest.mark.usefixtures("postgresql_only")
@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_two_amendment_requests_at_once_open_one(users, project):
    from decimal import Decimal

    line = project.budget_lines.get(label="Fonctionnement")

    results = _at_once(
        *[
            (
                lambda amount=amount, who=who: services.budget_amendment_request(
                    project=Project.objects.get(pk=project.pk),
                    actor=users[who],
                    reason="Plus.",
                    changes=[(line, None, "", Decimal(amount))],
                )
            )
            for amount, who in [("60000", Role.CONSEILLER), ("70000", Role.DIRECTEUR)]
        ]
    )

    successes, refusals = _outcome(results)
    assert successes == 1
    assert refusals == ["Un avenant attend déjà la décision du CNML : une nouvelle demande attendra cette décision."]
    assert BudgetAmendment.objects.count() == 1
