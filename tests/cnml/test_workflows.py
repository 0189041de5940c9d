"""The one workflow mechanism (cnml.workflows), on a small model of its own: a ticket opened, closed, archived.

Checks and their French reasons, ``can_<verb>`` derived from them, the move applied on a locked fresh
copy of the row and logged (who, when, from, to, comment), the one exception, the one way views tell
it, and the one history include.
"""

from __future__ import annotations

import pickle

import pytest
from django.apps.registry import Apps
from django.contrib.auth.models import AnonymousUser
from django.contrib.contenttypes.models import ContentType
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.db import connection, models, transaction
from django.template import Context, Template
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cnml.audit import transitions_of
from cnml.models import Role
from cnml.workflows import TransitionRefused, Workflow, history, report_refusal
from tests.concurrency import run_together

# The test model lives in a registry of its own: the project's models, admin and checks never see it.
test_apps = Apps()


class TicketState(models.TextChoices):
    OPEN = "ouvert", "Ouvert"
    CLOSED = "clos", "Clos"
    ARCHIVED = "archive", "Archivé"


def is_staff(user, ticket) -> bool:
    return bool(getattr(user, "is_staff", False))


def has_a_note(ticket, user) -> list[str]:
    return [] if ticket.note.strip() else ["Ajoutez une note avant de clore le ticket."]


class Ticket(models.Model):
    state = models.CharField(max_length=10, choices=TicketState.choices, default=TicketState.OPEN)
    note = models.CharField(max_length=100, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    workflow = Workflow(
        field="state",
        states=TicketState,
        wrong_state="Impossible de {action} un ticket {state}.",
        overtaken="Le ticket vient de changer : il est {state}. « {label} » n'a pas été fait.",
    )

    class Meta:
        apps = test_apps
        app_label = "workflow_tests"

    def __str__(self) -> str:
        return f"Ticket n° {self.pk}"

    @workflow.transition(
        source=[TicketState.OPEN],
        target=TicketState.CLOSED,
        permission=is_staff,
        guard=has_a_note,
        label="Clore le ticket",
        action="clore",
    )
    def close(self, user, *, comment: str) -> None:
        self.closed_at = timezone.now()

    @workflow.transition(
        source=[TicketState.CLOSED],
        target=TicketState.OPEN,
        permission=is_staff,
        label="Rouvrir",
        comment_required="Dites pourquoi le ticket est rouvert.",
    )
    def reopen(self, user, **_) -> None:
        self.closed_at = None

    @workflow.transition(
        source=[TicketState.CLOSED],
        target=TicketState.ARCHIVED,
        permission=is_staff,
        label="Archiver",
        by_system=True,
    )
    def archive(self, user, **_) -> None:
        """Clos → archivé, by a member of the staff or by the nightly pass."""


def _create_table() -> None:
    if Ticket._meta.db_table not in connection.introspection.table_names():
        with connection.schema_editor() as editor:
            editor.create_model(Ticket)


@pytest.fixture(scope="session")
def ticket_table(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        _create_table()


@pytest.fixture
def tickets(ticket_table, db):
    Ticket.objects.all().delete()  # the project's flushes do not know this table
    ContentType.objects.clear_cache()
    return Ticket.objects


@pytest.fixture
def staff(users):
    return users[Role.ADMINISTRATEUR]


# --- Checks, reasons and can_<verb> ----------------------------------------------------------


def test_each_check_gives_its_french_reason_and_can_verb_follows_them(tickets, staff, users):
    ticket = tickets.create()

    assert ticket.close.refusals(staff) == ["Ajoutez une note avant de clore le ticket."]
    assert ticket.can_close(staff) is False
    ticket.note = "Réglé par téléphone."
    assert ticket.close.refusals(staff) == []
    assert ticket.can_close(staff) is True
    assert ticket.close.refusals(users[Role.CONSEILLER]) == ["Votre rôle ne vous permet pas cette action."]
    assert ticket.can_close(AnonymousUser()) is False
    ticket.state = TicketState.ARCHIVED
    assert ticket.close.refusals(staff) == ["Impossible de clore un ticket archivé."]
    assert [transition.name for transition in Ticket.workflow.allowed(ticket, staff)] == []
    ticket.state = TicketState.CLOSED
    assert [transition.name for transition in Ticket.workflow.allowed(ticket, staff)] == ["reopen", "archive"]


def test_the_model_lists_its_transitions_with_their_states(tickets):
    assert list(Ticket.workflow.transitions) == ["close", "reopen", "archive"]
    assert Ticket.close.source == {TicketState.OPEN}
    assert Ticket.close.target == TicketState.CLOSED
    assert Ticket.close.label == "Clore le ticket"
    assert Ticket.archive.__doc__.startswith("Clos → archivé")


# --- Applying: one transaction, a locked fresh copy, a log row -------------------------------


def test_a_move_changes_the_state_saves_and_logs_who_when_from_to_and_the_comment(tickets, staff):
    ticket = tickets.create(note="Réglé.")
    before = timezone.now()

    fresh = ticket.close(staff, comment="  Vu avec le jeune.  ")

    stored = Ticket.objects.get(pk=ticket.pk)
    assert stored.state == ticket.state == fresh.state == TicketState.CLOSED
    assert stored.closed_at is not None and ticket.closed_at == stored.closed_at
    [log] = transitions_of(ticket)
    assert (log.actor, log.from_state, log.to_state, log.comment) == (
        staff,
        TicketState.OPEN,
        TicketState.CLOSED,
        "Vu avec le jeune.",
    )
    assert before <= log.at <= timezone.now()


def test_a_stale_copy_is_judged_on_the_row_as_it_is_now(tickets, staff, users):
    first = Ticket.objects.create(note="Réglé.")
    second = Ticket.objects.get(pk=first.pk)  # what a second page holds when two people click at once
    first.close(staff)

    with pytest.raises(TransitionRefused) as refused:
        second.close(users[Role.RELECTEUR_CNML])

    assert refused.value.reasons == ["Impossible de clore un ticket clos."]
    assert [log.to_state for log in transitions_of(first)] == [TicketState.CLOSED]


def test_a_move_chosen_in_a_state_the_row_has_left_says_another_decision_came_first(tickets, staff, users):
    ticket = tickets.create(note="Réglé.")
    stale = Ticket.objects.get(pk=ticket.pk)
    ticket.close(staff)

    with pytest.raises(TransitionRefused) as refused:
        stale.close(users[Role.RELECTEUR_CNML], seen_state=TicketState.OPEN)

    assert refused.value.reasons == ["Le ticket vient de changer : il est clos. « Clore le ticket » n'a pas été fait."]
    assert stale.close.overtaken(users[Role.RELECTEUR_CNML], TicketState.OPEN) is None  # stale copy: still open


def test_the_move_reads_its_row_again_with_a_lock(tickets, staff):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has no SELECT … FOR UPDATE (its transaction takes the write lock).")
    ticket = tickets.create(note="Réglé.")

    with CaptureQueriesContext(connection) as queries:
        ticket.close(staff)

    locking = [query["sql"] for query in queries if "FOR UPDATE" in query["sql"]]
    assert len(locking) == 1 and Ticket._meta.db_table in locking[0]


@pytest.mark.django_db(transaction=True)
def test_moves_made_at_the_same_instant_give_one_move_and_clear_refusals(file_database, users):
    _create_table()  # the file database of SQLite is a fresh copy of the migrated one
    Ticket.objects.all().delete()
    ContentType.objects.clear_cache()
    staff = users[Role.ADMINISTRATEUR]
    ticket = Ticket.objects.create(note="Réglé.")

    results = run_together(lambda: Ticket.objects.get(pk=ticket.pk).close(staff, seen_state=TicketState.OPEN), 4)

    assert sum(isinstance(result, Ticket) for result in results) == 1, results
    refused = [result for result in results if isinstance(result, TransitionRefused)]
    assert [error.reasons for error in refused] == [
        ["Le ticket vient de changer : il est clos. « Clore le ticket » n'a pas été fait."]
    ] * 3, results
    assert [log.to_state for log in transitions_of(ticket)] == [TicketState.CLOSED]


def test_a_blank_comment_is_refused_where_the_move_requires_one(tickets, staff):
    ticket = tickets.create(state=TicketState.CLOSED)

    assert ticket.can_reopen(staff) is True  # the button shows before the comment is typed
    with pytest.raises(TransitionRefused) as refused:
        ticket.reopen(staff, comment="   ")

    assert refused.value.reasons == ["Dites pourquoi le ticket est rouvert."]
    assert Ticket.objects.get(pk=ticket.pk).state == TicketState.CLOSED
    assert not transitions_of(ticket).exists()


def test_a_move_rolled_back_with_the_work_it_owed_leaves_no_trace(tickets, staff):
    ticket = tickets.create(note="Réglé.")

    with pytest.raises(RuntimeError), transaction.atomic():
        ticket.close(staff, comment="Clos.")
        raise RuntimeError("the e-mail could not be owed")

    assert Ticket.objects.get(pk=ticket.pk).state == TicketState.OPEN
    assert not transitions_of(ticket).exists()


def test_the_system_makes_only_the_moves_declared_for_it(tickets):
    ticket = tickets.create(state=TicketState.CLOSED)

    assert ticket.close.refusals(None) == ["Votre rôle ne vous permet pas cette action."]
    ticket.archive(None, comment="Archivage automatique.")

    [log] = transitions_of(ticket)
    assert (log.actor, log.to_state, log.comment) == (None, TicketState.ARCHIVED, "Archivage automatique.")


def test_a_past_history_is_replayed_without_checks_for_demo_data_only(tickets, users):
    ticket = tickets.create()  # no note: the close guard would refuse

    Ticket.workflow.record_move(ticket, TicketState.CLOSED, actor=users[Role.CONSEILLER], comment=" Démo. ")

    assert Ticket.objects.get(pk=ticket.pk).state == TicketState.CLOSED
    [log] = transitions_of(ticket)
    assert (log.actor, log.from_state, log.to_state, log.comment) == (
        users[Role.CONSEILLER],
        TicketState.OPEN,
        TicketState.CLOSED,
        "Démo.",
    )


# --- One exception, told one way ----------------------------------------------------------------


def test_every_illegal_move_raises_the_one_exception_a_permission_denied(tickets, staff, users):
    ticket = tickets.create()

    for user in (users[Role.CONSEILLER], staff):  # by role, then by the data
        with pytest.raises(TransitionRefused) as refused:
            ticket.close(user)
        assert isinstance(refused.value, PermissionDenied)  # uncaught: 403, never 500
    assert refused.value.by_role is False
    assert str(refused.value) == "Ajoutez une note avant de clore le ticket."
    assert TransitionRefused(["Un.", "Deux."]).reasons == ["Un.", "Deux."]
    assert str(TransitionRefused(["Un.", "Deux."])) == "Un. Deux."
    copied = pickle.loads(pickle.dumps(TransitionRefused(["Un.", "Deux."], by_role=True)))
    assert (copied.reasons, copied.by_role) == (["Un.", "Deux."], True)


def test_a_template_reads_a_transition_without_making_the_move(tickets, staff):
    ticket = tickets.create(note="Réglé.")

    html = Template("{{ ticket.close.label }}|{{ ticket.close }}").render(Context({"ticket": ticket}))

    assert html.startswith("Clore le ticket|")
    assert Ticket.objects.get(pk=ticket.pk).state == TicketState.OPEN


def _request():
    request = RequestFactory().post("/")
    request.session = {}
    request._messages = FallbackStorage(request)
    return request


def test_views_tell_each_reason_as_an_error_and_forbid_a_refusal_by_role():
    request = _request()

    report_refusal(request, TransitionRefused(["Ajoutez une note.", "Choisissez un thème."]))

    assert [(message.level_tag, message.message) for message in get_messages(request)] == [
        ("error", "Ajoutez une note."),
        ("error", "Choisissez un thème."),
    ]
    with pytest.raises(PermissionDenied, match="Votre rôle"):
        report_refusal(_request(), TransitionRefused(["Votre rôle ne vous permet pas cette action."], by_role=True))


# --- One history -----------------------------------------------------------------------------------


def test_the_history_include_shows_when_who_from_to_and_why(tickets, staff):
    ticket = tickets.create(note="Réglé.")
    assert "Rien encore." in render_to_string(
        "cnml/includes/history.html", {"history": history(ticket), "empty": "Rien encore."}
    )
    ticket.close(staff, comment="Vu avec le jeune.\nDossier complet.")
    ticket.archive(None)

    entries = history(ticket)
    html = render_to_string("cnml/includes/history.html", {"history": entries})

    assert [(entry.from_label, entry.to_label) for entry in entries] == [("Ouvert", "Clos"), ("Clos", "Archivé")]
    assert f"<strong>{entries[0].when}</strong>" in html
    assert f", par {staff}" in html
    assert "Vu avec le jeune.<br>Dossier complet." in html
    assert html.count("<li>") == 2 and "par None" not in html


def test_the_history_date_reads_in_french():
    from cnml.workflows import HistoryEntry

    def when(day: int) -> str:
        moment = timezone.make_aware(timezone.datetime(2011, 9, day, 10, 5))
        return HistoryEntry(moment, None, "", "", "", "", "").when

    assert when(1) == "1er septembre 2011 à 10:05"
    assert when(3) == "3 septembre 2011 à 10:05"


# --- Declaring -----------------------------------------------------------------------------------


def test_a_transition_must_join_states_of_its_workflow_and_derive_its_own_guard():
    class Doc(models.Model):
        state = models.CharField(max_length=10)
        workflow = Workflow(field="state", states=TicketState)

        class Meta:
            apps = Apps()
            app_label = "workflow_tests"

        def __str__(self) -> str:
            return self.state

        def can_close(self, user) -> bool:  # written by hand: it would diverge from the transition
            return True

    with pytest.raises(ImproperlyConfigured, match="can_close is derived"):
        Doc.add_to_class(
            "close",
            Doc.workflow.transition(source=["ouvert"], target="clos", permission=is_staff, label="Clore")(
                lambda self, user, **_: None
            ),
        )
    with pytest.raises(ImproperlyConfigured, match="states of the workflow"):
        Doc.workflow.transition(source=["ouvert"], target="inconnu", permission=is_staff, label="?")(
            lambda *a, **k: None
        )
