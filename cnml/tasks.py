"""Celery conventions of the project, and the core's own task.

Write tasks with :func:`cnml_task`: they take ids (never model instances, which
would be stale or unserialisable), call a service, and retry with exponential
back-off on transient errors (database or broker briefly unreachable).

Work a write owes (an e-mail, a computation) is enqueued with
``cnml.outbox.enqueue(task, **kwargs)`` inside the write's transaction: recorded with
it, handed to the broker once committed, never lost when the broker is down, done
once. Give such a task an ``outbox_label`` (what the user is told is delayed, in
French) and ``outbox_atomic=False`` when it commits its own progress.
"""

from __future__ import annotations

import socket

from celery import shared_task
from django.db import InterfaceError, OperationalError
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerOperationalError

from cnml import outbox, retention
from cnml.models import WorkerProbe

TRANSIENT_ERRORS = (OperationalError, InterfaceError, BrokerOperationalError, ConnectionError, TimeoutError)


def cnml_task(*args, **options):
    """``shared_task`` with the project's retry policy (overridable per task)."""
    options.setdefault("autoretry_for", TRANSIENT_ERRORS)
    options.setdefault("retry_backoff", 5)
    options.setdefault("retry_backoff_max", 600)
    options.setdefault("retry_jitter", True)
    options.setdefault("max_retries", 5)
    return shared_task(*args, **options)


@cnml_task
def probe_worker(probe_id: int) -> int:
    """Mark a probe as processed: proves broker → worker → database works (and the worker is alive)."""
    WorkerProbe.objects.filter(pk=probe_id).update(completed_at=timezone.now(), worker_hostname=socket.gethostname())
    outbox.record_heartbeat(_worker_name(probe_worker))
    return probe_id


def _worker_name(task) -> str:
    return task.request.hostname or socket.gethostname()


# The outbox's own delivery is not retried by Celery: a failed run stays on its row, which
# the periodic pass hands over again after a growing delay (cnml.outbox.retry_delay).
@cnml_task(autoretry_for=())
def deliver_owed_work(message_id: int) -> str:
    """Run one work owed by a write (a row of the outbox), at most once to completion."""
    return outbox.deliver(message_id)


@cnml_task
def outbox_maintenance() -> dict:
    """Every minute (Celery beat): the worker's sign of life, owed work handed over again, old rows purged."""
    return outbox.maintenance(_worker_name(outbox_maintenance))


@cnml_task
def purge_expired() -> dict:
    """Delete what has outlived its use (scheduled every hour by Celery beat): ``cnml/retention.py``.

    Expired sessions, with whatever they held (an anonymous respondent's session expires
    with the survey's own time-out, so unfinished answers go with it), password-reset
    requests past the throttle's window, old sign-in and admin logs, long-abandoned
    e-mails, and each app's own (docs/personal-data.md).
    """
    return retention.purge_expired()


@cnml_task(outbox_label="l'envoi des e-mails")
def send_email(*, subject: str, body: str, recipients: list[str]) -> int:
    """Send one plain-text e-mail to each recipient (they do not see each other)."""
    from django.core.mail import send_mass_mail

    return send_mass_mail([(subject, body, None, [address]) for address in recipients], fail_silently=False)
