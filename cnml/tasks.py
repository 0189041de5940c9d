"""Celery conventions of the project, and the core's own task.

Write tasks with :func:`cnml_task`: they take ids (never model instances, which
would be stale or unserialisable), call a service, and retry with exponential
back-off on transient errors (database or broker briefly unreachable). Enqueue
them with ``task.delay_on_commit(...)`` so that a worker never runs before the
data it reads is committed.
"""

from __future__ import annotations

import socket

from celery import shared_task
from django.db import InterfaceError, OperationalError
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerOperationalError

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
    """Mark a probe as processed: proves broker → worker → database works."""
    WorkerProbe.objects.filter(pk=probe_id).update(completed_at=timezone.now(), worker_hostname=socket.gethostname())
    return probe_id


@cnml_task
def send_email(*, subject: str, body: str, recipients: list[str]) -> int:
    """Send one plain-text e-mail to each recipient (they do not see each other)."""
    from django.core.mail import send_mass_mail

    return send_mass_mail([(subject, body, None, [address]) for address in recipients], fail_silently=False)
