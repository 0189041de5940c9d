"""The outbox (cnml/outbox.py): work a write owes is recorded with it, handed over once committed,
never lost when the broker is down, done once however often it is delivered."""

from __future__ import annotations

import html
import io
import smtplib
import socket
from datetime import timedelta

import pytest
from celery import shared_task
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.middleware import SessionMiddleware
from django.core import mail
from django.core.management import call_command
from django.db import connections, transaction
from django.http import HttpResponse
from django.test import RequestFactory
from django.utils import timezone

from cnml import outbox, tasks
from cnml.celery import Heartbeat, RedeliverOwedWork
from cnml.celery import app as celery_app
from cnml.emails import notify
from cnml.models import OutboxMessage, WorkerHeartbeat, WorkerProbe
from tests.clock import frozen

pytestmark = pytest.mark.django_db

EMAIL_TASK = "cnml.tasks.send_email"


@shared_task(name="tests.outbox.write_probe", outbox_label="l'essai")
def write_probe(*, hostname: str, fail: bool = False) -> None:
    """Work with an effect in the database, that can fail after writing it."""
    WorkerProbe.objects.create(worker_hostname=hostname)
    if fail:
        raise RuntimeError("échec après écriture")


@shared_task(name="tests.outbox.long_work", outbox_atomic=False)
def long_work(*, hostname: str) -> None:
    """A long task: it runs outside any transaction (it commits its own progress) and claims its row."""
    WorkerProbe.objects.create(worker_hostname=hostname, completed_at=None if in_transaction() else timezone.now())


def in_transaction() -> bool:
    return transaction.get_connection().in_atomic_block


@shared_task(name="tests.outbox.gone")
def gone_object() -> None:
    WorkerProbe.objects.get(pk=0)


class Broker:
    """A broker standing in for Redis: records what is published, or refuses like a stopped Redis."""

    def __init__(self) -> None:
        self.published: list[int] = []
        self.down = False

    def apply_async(self, args, **options):
        if self.down:
            raise ConnectionRefusedError(111, "Connection refused")
        self.published.append(args[0])


@pytest.fixture
def broker(monkeypatch):
    """Tasks not eager: deliveries go to a broker (this one)."""
    fake = Broker()
    celery_app.conf.task_always_eager = False  # restored by the celery_eager fixture
    monkeypatch.setattr(tasks.deliver_owed_work, "apply_async", fake.apply_async)
    return fake


class RefusingSMTP:
    """An e-mail backend whose server is down."""

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError(111, "Connection refused")


@pytest.fixture
def smtp_down(settings):
    settings.EMAIL_BACKEND = f"{__name__}.RefusingSMTP"


def email(**kwargs) -> None:
    notify(recipients=["relecteur@test.cnml.fr"], subject="Fiche à relire", template="cnml/test_email.txt", context={})


@pytest.fixture(autouse=True)
def email_template(settings, tmp_path):
    (tmp_path / "cnml").mkdir()
    (tmp_path / "cnml" / "test_email.txt").write_text("Bonjour,\nune fiche attend votre relecture.\n")
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]]}]


# --- Recorded with the write ---------------------------------------------------------------------


def test_work_owed_in_a_rolled_back_transaction_leaves_nothing_and_sends_nothing(django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        email()
        raise RuntimeError("annulé")

    assert callbacks == []
    assert not OutboxMessage.objects.exists()
    assert mail.outbox == []


def test_work_owed_is_recorded_in_the_transaction_and_handed_over_once_committed(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks, transaction.atomic():
        email()
        message = OutboxMessage.objects.get()
        assert message.task == EMAIL_TASK
        assert message.kwargs["recipients"] == ["relecteur@test.cnml.fr"]
    assert len(callbacks) == 1
    assert mail.outbox == []

    callbacks[0]()  # the commit (tasks eager here: run in-process)

    assert [m.subject for m in mail.outbox] == ["Fiche à relire"]
    message.refresh_from_db()
    assert message.done_at is not None
    assert message.attempts == 1


def test_a_done_row_keeps_no_arguments(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        email()

    message = OutboxMessage.objects.get()
    assert message.done_at is not None
    assert message.kwargs == {}  # the e-mail's text (a comment, a reset link) is not kept


def test_work_with_a_key_is_owed_once(django_capture_on_commit_callbacks, broker):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        first = outbox.enqueue(write_probe, key="une-fois", hostname="a")
        second = outbox.enqueue(write_probe, key="une-fois", hostname="b")

    assert first.pk == second.pk
    assert len(callbacks) == 1
    assert OutboxMessage.objects.get().kwargs == {"hostname": "a"}
    assert broker.published == [first.pk]


# --- Handed to the broker ------------------------------------------------------------------------


def test_a_row_handed_to_the_broker_is_due_again_only_much_later(django_capture_on_commit_callbacks, broker):
    with django_capture_on_commit_callbacks(execute=True):
        message = outbox.enqueue(write_probe, hostname="a")

    message.refresh_from_db()
    assert broker.published == [message.pk]
    assert message.dispatched_at is not None
    assert message.due_at == message.dispatched_at + outbox.REDELIVER_AFTER
    assert message.done_at is None


@frozen
def test_a_broker_down_leaves_the_row_pending_and_nothing_raises(django_capture_on_commit_callbacks, broker):
    broker.down = True

    with django_capture_on_commit_callbacks(execute=True):
        message = outbox.enqueue(write_probe, hostname="a")

    message.refresh_from_db()
    assert message.dispatched_at is None
    assert message.done_at is None
    assert message.due_at <= timezone.now()  # the next pass takes it
    assert "ConnectionRefusedError" in message.last_error


@pytest.mark.outage
def test_a_real_redis_that_refuses_fails_fast_and_leaves_the_row_pending(
    redis_down, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        message = outbox.enqueue(write_probe, hostname="a")

    message.refresh_from_db()
    assert message.dispatched_at is None
    assert "OperationalError" in message.last_error or "Connection" in message.last_error


# --- Run once -----------------------------------------------------------------------------------


def test_a_row_delivered_twice_does_its_work_once():
    message = OutboxMessage.objects.create(task=write_probe.name, kwargs={"hostname": "a"})

    assert outbox.deliver(message.pk) == outbox.DONE
    assert outbox.deliver(message.pk) == outbox.ALREADY_DONE
    assert tasks.deliver_owed_work.delay(message.pk).get() == outbox.ALREADY_DONE

    assert WorkerProbe.objects.filter(worker_hostname="a").count() == 1


@frozen
def test_a_failed_run_undoes_its_work_keeps_the_row_and_tries_again_later():
    message = OutboxMessage.objects.create(task=write_probe.name, kwargs={"hostname": "a", "fail": True})

    with pytest.raises(RuntimeError):
        outbox.deliver(message.pk)

    assert not WorkerProbe.objects.exists()  # the work and its row commit together, or neither
    message.refresh_from_db()
    assert message.done_at is None
    assert message.failed_at is None
    assert message.attempts == 1
    assert message.last_error == "RuntimeError: échec après écriture"
    assert timezone.now() < message.due_at <= timezone.now() + timedelta(minutes=1)
    assert message.kwargs == {"hostname": "a", "fail": True}


def test_the_delay_between_runs_grows_up_to_an_hour():
    assert [outbox.retry_delay(n) for n in (1, 2, 3, 7, 20)] == [
        timedelta(minutes=1),
        timedelta(minutes=2),
        timedelta(minutes=4),
        timedelta(hours=1),
        timedelta(hours=1),
    ]


def test_a_row_is_abandoned_after_its_last_attempt(caplog):
    message = OutboxMessage.objects.create(
        task=write_probe.name, kwargs={"hostname": "a", "fail": True}, attempts=outbox.MAX_ATTEMPTS - 1
    )

    with pytest.raises(RuntimeError):
        outbox.deliver(message.pk)

    message.refresh_from_db()
    assert message.failed_at is not None
    assert any(record.levelname == "ERROR" and "abandoned" in record.getMessage() for record in caplog.records)
    assert outbox.deliver(message.pk) == outbox.ALREADY_DONE  # never run again unless revived


def test_work_on_an_object_that_is_gone_is_abandoned_at_once():
    message = OutboxMessage.objects.create(task=gone_object.name)

    with pytest.raises(WorkerProbe.DoesNotExist):
        outbox.deliver(message.pk)

    message.refresh_from_db()
    assert message.failed_at is not None
    assert message.attempts == 1


def test_a_row_of_an_unknown_task_is_abandoned_not_run():
    message = OutboxMessage.objects.create(task="cnml.tasks.nothing_of_that_name")

    assert outbox.deliver(message.pk) == outbox.ABANDONED

    message.refresh_from_db()
    assert message.failed_at is not None
    assert "cnml.tasks.nothing_of_that_name" in message.last_error


@pytest.mark.django_db(transaction=True)
def test_a_long_task_claims_its_row_so_a_second_delivery_meanwhile_skips_it():
    message = OutboxMessage.objects.create(task=long_work.name, kwargs={"hostname": "a"})
    OutboxMessage.objects.filter(pk=message.pk).update(started_at=timezone.now())  # another worker is on it

    assert outbox.deliver(message.pk) == outbox.RUNNING_ELSEWHERE
    assert not WorkerProbe.objects.exists()

    # Past the lease, the other run is dead: this one does the work.
    OutboxMessage.objects.filter(pk=message.pk).update(started_at=timezone.now() - outbox.LEASE)
    assert outbox.deliver(message.pk) == outbox.DONE
    assert outbox.deliver(message.pk) == outbox.ALREADY_DONE
    assert WorkerProbe.objects.get().completed_at is not None  # it ran outside a transaction
    message.refresh_from_db()
    assert message.done_at is not None
    assert message.started_at is None


def test_a_revived_row_runs_again():
    message = OutboxMessage.objects.create(
        task=write_probe.name, kwargs={"hostname": "a"}, failed_at=timezone.now(), attempts=outbox.MAX_ATTEMPTS
    )

    assert outbox.revive_abandoned() == 1
    assert outbox.deliver(message.pk) == outbox.DONE
    assert WorkerProbe.objects.count() == 1


# --- Embedded default: run in-process ----------------------------------------------------------


def test_without_a_broker_a_mail_server_down_leaves_the_email_owed_and_nothing_raises(
    smtp_down, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        email()

    message = OutboxMessage.objects.get()
    assert message.done_at is None
    assert message.attempts == 1
    assert "ConnectionRefusedError" in message.last_error


def test_the_command_tries_the_owed_work_again_here_without_a_broker(settings, smtp_down):
    OutboxMessage.objects.create(
        task=EMAIL_TASK, kwargs={"subject": "Relance", "body": "Bonjour", "recipients": ["a@test.cnml.fr"]}
    )
    out = io.StringIO()
    call_command("outbox_redeliver", stdout=out)
    assert "Encore en attente : 1." in out.getvalue()

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    out = io.StringIO()
    call_command("outbox_redeliver", stdout=out)

    assert "Travaux confiés ou exécutés : 1. Encore en attente : 0." in out.getvalue()
    assert [m.subject for m in mail.outbox] == ["Relance"]


# --- Catching up: the periodic pass, a worker's start ------------------------------------------


@frozen
def test_the_periodic_pass_hands_over_due_rows_purges_old_done_ones_and_notes_the_worker(broker):
    now = timezone.now()
    due = OutboxMessage.objects.create(
        task=write_probe.name, kwargs={"hostname": "a"}, due_at=now - timedelta(seconds=1)
    )
    later = OutboxMessage.objects.create(
        task=write_probe.name, kwargs={"hostname": "b"}, due_at=now + timedelta(minutes=5)
    )
    old_done = OutboxMessage.objects.create(task=write_probe.name, done_at=now - outbox.RETENTION - timedelta(hours=1))
    recent_done = OutboxMessage.objects.create(task=write_probe.name, done_at=now - timedelta(days=1))
    abandoned = OutboxMessage.objects.create(task=write_probe.name, failed_at=now, due_at=now - timedelta(hours=1))

    report = tasks.outbox_maintenance()

    assert report == {"redelivered": 1, "purged": 1}
    assert broker.published == [due.pk]
    assert set(OutboxMessage.objects.values_list("pk", flat=True)) == {due.pk, later.pk, recent_done.pk, abandoned.pk}
    assert old_done.pk not in broker.published
    assert WorkerHeartbeat.objects.filter(hostname=socket.gethostname()).exists()


def test_the_periodic_pass_stops_at_the_first_refusal_of_the_broker(broker):
    for hostname in "abc":
        OutboxMessage.objects.create(task=write_probe.name, kwargs={"hostname": hostname})
    broker.down = True

    assert outbox.redeliver() == 0

    assert broker.published == []
    assert OutboxMessage.objects.filter(dispatched_at__isnull=True).count() == 3


@pytest.fixture
def worker_main_process(monkeypatch):
    """The worker's main process lets its database connections go after its own writes; here the
    test's connection must stay (its transaction holds the test): the closing is only counted."""
    closed = []
    monkeypatch.setattr(connections, "close_all", lambda: closed.append(True))
    return closed


@frozen
def test_a_worker_connecting_to_the_broker_hands_over_every_pending_row(broker, worker_main_process):
    now = timezone.now()
    lost = OutboxMessage.objects.create(
        task=write_probe.name, kwargs={"hostname": "a"}, dispatched_at=now, due_at=now + timedelta(minutes=10)
    )
    never_sent = OutboxMessage.objects.create(task=write_probe.name, kwargs={"hostname": "b"})
    OutboxMessage.objects.create(task=write_probe.name, done_at=now)

    class Consumer:
        hostname = "celery@machine"

    RedeliverOwedWork(Consumer()).start(Consumer())

    assert sorted(broker.published) == sorted([lost.pk, never_sent.pk])
    assert WorkerHeartbeat.objects.filter(hostname="celery@machine").exists()
    assert worker_main_process == [True]


def test_the_worker_writes_its_sign_of_life_on_a_timer(worker_main_process):
    calls = []

    class Timer:
        def call_repeatedly(self, seconds, function, args, priority):
            calls.append(seconds)
            self.tick = lambda: function(*args)
            return self

        def cancel(self):
            calls.append("annulé")

    class Worker:
        hostname = "celery@machine"
        timer = Timer()

    step = Heartbeat(Worker())
    step.start(Worker())
    Worker.timer.tick()
    step.stop(Worker())

    assert calls == [30, "annulé"]
    assert WorkerHeartbeat.objects.filter(hostname="celery@machine").exists()
    assert worker_main_process == [True]


def test_the_worker_steps_are_installed():
    assert RedeliverOwedWork in celery_app.steps["consumer"]
    assert Heartbeat in celery_app.steps["worker"]


# --- Telling the user ---------------------------------------------------------------------------


def test_the_delayed_message_names_each_delayed_work_once():
    assert outbox.delayed_message(["l'envoi des e-mails", "le calcul des résultats", "l'envoi des e-mails"]) == (
        "Votre demande est bien enregistrée. Un service est momentanément indisponible : "
        "l'envoi des e-mails et le calcul des résultats se feront dès son rétablissement."
    )


@pytest.mark.django_db(transaction=True)
def test_a_mail_server_down_in_the_embedded_default_is_told_to_the_user(smtp_down, users, network, client_for):
    from tests.practices.factories import make_fiche

    author = users["conseiller"]
    fiche = make_fiche(structure=network.ml_a1, author=author)

    response = client_for(author).post(f"/bonnes-pratiques/fiche/{fiche.pk}/soumettre/", {"comment": ""}, follow=True)

    assert response.status_code == 200
    assert outbox.delayed_message(["l'envoi des e-mails"]) in html.unescape(response.content.decode())
    assert OutboxMessage.objects.get().done_at is None
    assert mail.outbox == []


def request_through_the_middleware(view) -> list[str]:
    """The messages a request stores when ``view`` answers it through DelayedWorkMiddleware."""
    request = RequestFactory().post("/")
    SessionMiddleware(lambda r: None).process_request(request)
    request._messages = FallbackStorage(request)
    outbox.DelayedWorkMiddleware(view)(request)
    return [str(message) for message in get_messages(request)]


def test_the_user_is_told_once_per_request_of_the_delayed_work(broker, django_capture_on_commit_callbacks):
    broker.down = True

    def view(request):
        with django_capture_on_commit_callbacks(execute=True):  # the request's commit
            email()
            email()
            outbox.enqueue(write_probe, hostname="a")
        return HttpResponse()

    assert request_through_the_middleware(view) == [
        outbox.delayed_message(["l'envoi des e-mails", "l'essai"]),
    ]


def test_quiet_work_is_never_told_so_the_answer_does_not_depend_on_it(broker, django_capture_on_commit_callbacks):
    broker.down = True

    def view(request):
        with django_capture_on_commit_callbacks(execute=True):
            notify(
                recipients=["a@test.cnml.fr"], subject="Lien", template="cnml/test_email.txt", context={}, quiet=True
            )
        return HttpResponse()

    assert request_through_the_middleware(view) == []
    assert OutboxMessage.objects.get().dispatched_at is None  # owed all the same


def test_nothing_is_told_when_the_broker_takes_the_work(broker, django_capture_on_commit_callbacks):
    def view(request):
        with django_capture_on_commit_callbacks(execute=True):
            email()
        return HttpResponse()

    assert request_through_the_middleware(view) == []


def test_smtp_errors_count_as_a_service_down():
    assert issubclass(smtplib.SMTPServerDisconnected, outbox.OUTAGE_ERRORS)
