"""The one way to enqueue work a write owes (e-mails, computations): an outbox in the database.

A service calls :func:`enqueue` inside its transaction. The row (:class:`cnml.models.OutboxMessage`)
commits with the write or not at all. Once committed, it is handed to the broker in one short
attempt that never raises into the request; when the broker cannot take it, the row waits, the
failure is logged, and the request is told once (:class:`DelayedWorkMiddleware`).

Rows not done are published again by ``cnml.tasks.outbox_maintenance`` (Celery beat, every
minute) and whenever a worker starts: this Redis keeps nothing on disk, so a restart loses the
messages it held. A worker runs a row with :func:`deliver`, which locks it and skips it once done:
a row published twice does its work once. A short task does its work and marks its row done in
one transaction. A long one (``outbox_atomic = False`` on the task: the indicators' recompute
commits its own progress) claims its row for a lease, works, then marks it done. A failed run is
tried again later with a growing delay, and abandoned after :data:`MAX_ATTEMPTS` runs (logged as
an error, counted on ``/sante/``).

Without a broker (the embedded default, eager tasks) the row is run in-process right after the
commit: a failure (the mail server down) leaves it pending, is logged and never raised into the
request; ``manage.py outbox_redeliver`` tries again.
"""

from __future__ import annotations

import contextvars
import logging
import time
from datetime import timedelta
from functools import partial

from celery import Task
from celery import current_app as celery_app
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist
from django.db import InterfaceError, OperationalError, transaction
from django.db.models import Count, F, Min
from django.utils import timezone
from django.utils.module_loading import import_string
from kombu.exceptions import OperationalError as BrokerOperationalError

from cnml import requestid
from cnml.models import OutboxMessage, WorkerHeartbeat

logger = logging.getLogger(__name__)

# The task that runs one row, named like the rows' own tasks: the tasks module imports this one
# (`cnml.celery` is reached as Celery's current app), never the other way round.
DELIVERY_TASK = "cnml.tasks.deliver_owed_work"

# A message handed to the broker and still not done after this long is published again (it
# may have been lost with a Redis restart; a worker already on it skips the copy).
REDELIVER_AFTER = timedelta(minutes=15)
# A long task's claim on its row: past the hard time limit, the run is dead.
LEASE = timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 60)
MAX_ATTEMPTS = 20
RETRY_DELAY_MAX = timedelta(hours=1)
# Done rows are kept this long (what was done, when), then deleted.
RETENTION = timedelta(days=30)
REDELIVER_BATCH = 500

DONE = "fait"
ALREADY_DONE = "déjà fait"
RUNNING_ELSEWHERE = "en cours ailleurs"
ABANDONED = "abandonné"

DEFAULT_LABEL = "le traitement demandé"

# Failures that say a service is down (database, broker, mail server: sockets), not a bug.
OUTAGE_ERRORS = (OperationalError, InterfaceError, BrokerOperationalError, OSError)
# Failures that another run cannot fix (the object is gone): the row is abandoned at once.
# A task adds its own with ``outbox_give_up_on`` (e.g. a recompute without any import).
GIVE_UP_ON = (ObjectDoesNotExist,)


# --- Enqueueing ---------------------------------------------------------------------------------


def enqueue(task: Task | str, /, *, key: str | None = None, quiet: bool = False, **kwargs) -> OutboxMessage:
    """Record, in the current transaction, that ``task(**kwargs)`` is owed; hand it over once committed.

    ``task``: the task, or its name where the caller may not import it (a service that a task
    of its own app calls names that app's tasks: ``"surveys.tasks.aggregate_campaign_results"``,
    so that services and tasks do not import each other; see :func:`task_named`).
    ``kwargs`` must be JSON (ids, strings). ``key``: work owed once, whatever the number of
    requests for it; a second call with the same key returns the first row and adds nothing.
    ``quiet``: the user is not told when it waits, for answers that must not depend on whether
    work was owed (the password reset must not tell whether an account exists).
    """
    if isinstance(task, str):
        task = task_named(task)
    # The run is logged under the id of the request that owes it (cnml/requestid.py).
    fields = {"task": task.name, "kwargs": kwargs, "request_id": requestid.current()}
    if key is None:
        message = OutboxMessage.objects.create(**fields)
    else:
        message, created = OutboxMessage.objects.get_or_create(key=key, defaults=fields)
        if not created:
            return message
    transaction.on_commit(partial(dispatch, message.pk, task.name, quiet=quiet), robust=True)
    return message


def task_named(name: str) -> Task:
    """The task registered as ``name``, its module imported if this process has not yet done so.

    A web process imports no tasks module at start, and the row is run by name (here when tasks
    are eager, by a worker otherwise): the default name of a task is its dotted path. A name
    that is no task raises ``ImportError`` now, in the write's transaction, not later in a worker.
    """
    task = celery_app.tasks.get(name)
    if task is None:
        task = import_string(name)
    if not isinstance(task, Task) or task.name != name:
        raise ImportError(f"{name} is not a Celery task.")
    return task


def dispatch(message_id: int, task_name: str, *, quiet: bool = False) -> bool:
    """Hand a committed row to the broker, or run it here when tasks are eager. Never raises.

    True when the broker took it (or it ran here); False when it waits for a later try (then
    the request is told, unless ``quiet``).
    """
    told = None if quiet else task_name
    try:
        if celery_app.conf.task_always_eager:
            return _run_here(message_id, told)
        handed = publish(message_id)
    except Exception:  # the write is committed: whatever happens here, the row waits
        logger.exception("outbox: message %s could not be handed over; it waits", message_id)
        handed = False
    if not handed:
        _note_delayed(told)
    return handed


def publish(message_id: int) -> bool:
    """One short attempt to put the row's delivery on the broker (retry policy in settings)."""
    try:
        task_named(DELIVERY_TASK).apply_async(args=[message_id], ignore_result=True)
    except Exception as exc:  # broker down or unreachable: the row waits for the next pass
        logger.warning("outbox: message %s not handed to the broker (%s); it waits", message_id, _describe(exc))
        OutboxMessage.objects.filter(pk=message_id).update(last_error=_describe(exc))
        return False
    now = timezone.now()
    OutboxMessage.objects.filter(pk=message_id, done_at__isnull=True).update(
        dispatched_at=now, due_at=now + REDELIVER_AFTER
    )
    return True


def _run_here(message_id: int, told: str | None = None) -> bool:
    """Run a row in this process (no broker); False when it failed and waits for another try."""
    try:
        deliver(message_id)
    except Exception as exc:
        logger.exception("outbox: message %s failed in-process; kept to try again", message_id)
        if isinstance(exc, OUTAGE_ERRORS):  # a service is down (the mail server): the user is told
            _note_delayed(told)
        return False
    return True


# --- Running ------------------------------------------------------------------------------------


def deliver(message_id: int) -> str:
    """Run one owed work, once: under a lock on its row, skipped when already done.

    A failure is recorded on the row (tried again later) and raised again.
    """
    message = OutboxMessage.objects.filter(pk=message_id).only("task", "request_id").first()
    if message is None:  # purged long after it was done
        return ALREADY_DONE
    with requestid.bound(message.request_id):
        return _deliver(message)


def _deliver(message: OutboxMessage) -> str:
    message_id = message.pk
    task = celery_app.tasks.get(message.task)
    if task is None:
        _abandon(message_id, f"Tâche inconnue : {message.task}")
        return ABANDONED
    started = time.monotonic()
    if getattr(task, "outbox_atomic", True):
        outcome = _deliver_in_one_transaction(message_id, task)
    else:
        outcome = _deliver_with_lease(message_id, task)
    logger.info("outbox: %s %s in %.2f s", message, outcome, time.monotonic() - started)
    return outcome


def _pending_locked(message_id: int) -> OutboxMessage | None:
    return (
        OutboxMessage.objects.select_for_update()
        .filter(pk=message_id, done_at__isnull=True, failed_at__isnull=True)
        .first()
    )


def _deliver_in_one_transaction(message_id: int, task: Task) -> str:
    try:
        with transaction.atomic():
            message = _pending_locked(message_id)
            if message is None:
                return ALREADY_DONE
            task(**message.kwargs)
            _mark_done(message_id, attempts=F("attempts") + 1)
    except Exception as exc:
        _record_failure(message_id, exc, counted=False, give_up=_gives_up(task, exc))
        raise
    return DONE


def _deliver_with_lease(message_id: int, task: Task) -> str:
    now = timezone.now()
    with transaction.atomic():
        message = _pending_locked(message_id)
        if message is None:
            return ALREADY_DONE
        if message.started_at and message.started_at > now - LEASE:
            return RUNNING_ELSEWHERE
        OutboxMessage.objects.filter(pk=message_id).update(
            started_at=now, due_at=now + LEASE, attempts=F("attempts") + 1
        )
    try:
        task(**message.kwargs)
    except Exception as exc:
        _record_failure(message_id, exc, counted=True, give_up=_gives_up(task, exc))
        raise
    _mark_done(message_id)
    return DONE


def _mark_done(message_id: int, **fields) -> None:
    # The arguments (an e-mail's text, a reset link) are not kept once the work is done.
    OutboxMessage.objects.filter(pk=message_id).update(
        done_at=timezone.now(), started_at=None, kwargs={}, last_error="", **fields
    )


def _gives_up(task: Task, exc: Exception) -> bool:
    return isinstance(exc, GIVE_UP_ON + tuple(getattr(task, "outbox_give_up_on", ())))


def _record_failure(message_id: int, exc: Exception, *, counted: bool, give_up: bool) -> None:
    try:
        message = OutboxMessage.objects.filter(pk=message_id).only("task", "attempts").first()
        if message is None:
            return
        attempts = message.attempts if counted else message.attempts + 1
        now = timezone.now()
        fields = {
            "attempts": attempts,
            "last_error": _describe(exc),
            "started_at": None,
            "due_at": now + retry_delay(attempts),
        }
        if give_up or attempts >= MAX_ATTEMPTS:
            fields["failed_at"] = now
            logger.error("outbox: %s abandoned after %s run(s): %s", message, attempts, _describe(exc))
        OutboxMessage.objects.filter(pk=message_id).update(**fields)
    except Exception:
        logger.exception("outbox: the failure of message %s could not be recorded", message_id)


def _abandon(message_id: int, reason: str) -> None:
    logger.error("outbox: message %s abandoned: %s", message_id, reason)
    OutboxMessage.objects.filter(pk=message_id).update(failed_at=timezone.now(), last_error=reason)


def retry_delay(attempts: int) -> timedelta:
    """1, 2, 4… minutes after the first, second, third failed run, at most an hour."""
    return min(timedelta(minutes=2 ** min(max(attempts, 1) - 1, 10)), RETRY_DELAY_MAX)


def _describe(exc: Exception) -> str:
    return f"{type(exc).__name__}: {exc}"[:1000]


# --- Catching up --------------------------------------------------------------------------------


def redeliver(*, everything: bool = False) -> int:
    """Hand over again the pending rows that are due (all of them with ``everything``); return how many."""
    pending = OutboxMessage.objects.filter(done_at__isnull=True, failed_at__isnull=True)
    if not everything:
        pending = pending.filter(due_at__lte=timezone.now())
    eager = celery_app.conf.task_always_eager
    handed = 0
    for message_id in pending.order_by("due_at", "pk").values_list("pk", flat=True)[:REDELIVER_BATCH]:
        if eager:
            handed += _run_here(message_id)
        elif publish(message_id):
            handed += 1
        else:  # the broker is gone again: the next pass tries
            break
    return handed


def purge_done() -> int:
    """Delete the rows done more than :data:`RETENTION` ago."""
    deleted, _ = OutboxMessage.objects.filter(done_at__lt=timezone.now() - RETENTION).delete()
    return deleted


def revive_abandoned(*, ids: list[int] | None = None) -> int:
    """Put the abandoned rows (all, or those of ``ids``) back in the queue, once the cause is fixed."""
    rows = OutboxMessage.objects.filter(done_at__isnull=True, failed_at__isnull=False)
    if ids is not None:
        rows = rows.filter(pk__in=ids)
    return rows.update(failed_at=None, attempts=0, due_at=timezone.now())


def record_heartbeat(hostname: str) -> None:
    WorkerHeartbeat.objects.update_or_create(hostname=hostname[:200], defaults={"seen_at": timezone.now()})


def maintenance(hostname: str) -> dict:
    """The periodic pass: the worker's sign of life, due rows handed over again, old rows purged."""
    record_heartbeat(hostname)
    return {"redelivered": redeliver(), "purged": purge_done()}


def on_worker_ready(hostname: str) -> int:
    """A worker starts: sign of life, and every pending row published again (Redis may have lost them)."""
    record_heartbeat(hostname)
    return redeliver(everything=True)


def pending_report() -> dict:
    """What /sante/ says of the outbox: rows waiting (and the oldest one's age), rows abandoned."""
    pending = OutboxMessage.objects.filter(done_at__isnull=True, failed_at__isnull=True).aggregate(
        count=Count("pk"), oldest=Min("created_at")
    )
    oldest = pending["oldest"]
    return {
        "en_attente": pending["count"],
        "plus_ancien_secondes": int((timezone.now() - oldest).total_seconds()) if oldest else None,
        "abandonnes": OutboxMessage.objects.filter(done_at__isnull=True, failed_at__isnull=False).count(),
    }


# --- Telling the user ---------------------------------------------------------------------------

_delayed: contextvars.ContextVar[list[str] | None] = contextvars.ContextVar("cnml_outbox_delayed", default=None)


def _note_delayed(task_name: str | None) -> None:
    """Tell the current request that work it owes waits (``task_name`` None: quiet work)."""
    labels = _delayed.get()
    if labels is None or task_name is None:  # not in a request (the log says it), or quiet work
        return
    task = celery_app.tasks.get(task_name)
    labels.append(getattr(task, "outbox_label", None) or DEFAULT_LABEL)


def delayed_message(labels: list[str]) -> str:
    """« Votre demande est bien enregistrée. Un service est momentanément indisponible : … »"""
    unique = list(dict.fromkeys(labels))
    what = unique[0] if len(unique) == 1 else f"{', '.join(unique[:-1])} et {unique[-1]}"
    verb = "se fera" if len(unique) == 1 else "se feront"
    return (
        "Votre demande est bien enregistrée. Un service est momentanément indisponible : "
        f"{what} {verb} dès son rétablissement."
    )


class DelayedWorkMiddleware:
    """Tells the user, once, that the work their request owes waits for a service to come back.

    Placed after MessageMiddleware: the warning is stored with the response (shown on the page
    the user is redirected to).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _delayed.set([])
        try:
            response = self.get_response(request)
            labels = _delayed.get()
        finally:
            _delayed.reset(token)
        if labels:
            messages.warning(request, delayed_message(labels), fail_silently=True)
        return response
