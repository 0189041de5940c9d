"""What the operators' page (``/exploitation/``) shows: the state of the machinery, read now.

Beside ``/sante/`` (a probe's yes or no), the CNML administrators see what runs and what waits:
each worker's last sign of life, the broker's queue, the last run of each app's long jobs (through
the app registry: ``operations_status``), the owed work waiting or given up (the outbox, the only
record of failed tasks: the project keeps no Celery results), and the free space where uploads go.
Each part reads on its own: one that fails says so and the others still show.
"""

from __future__ import annotations

import logging
import shutil
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from cnml import health, outbox, registry
from cnml.celery import app as celery_app
from cnml.formatting import format_duration, format_percent, format_size
from cnml.models import OutboxMessage, Role, WorkerHeartbeat

logger = logging.getLogger(__name__)

FAILED_SHOWN = 20
# Below this share of free space, the page warns: an extract archive is up to 500 Mo.
DISK_FREE_WARNING = 0.10


def may_see(user) -> bool:
    """Only CNML administrators (and superusers); everyone else is answered 404."""
    return bool(user.is_authenticated and (user.is_superuser or getattr(user, "role", "") == Role.ADMINISTRATEUR))


@dataclass(frozen=True)
class Worker:
    hostname: str
    seen_at: datetime
    alive: bool
    # « 25 s » ago
    age: str


def workers() -> list[Worker]:
    """Every worker that ever gave a sign of life, the latest first."""
    now = health.current_time()
    return [
        Worker(
            beat.hostname,
            beat.seen_at,
            beat.seen_at >= now - health.WORKER_SILENCE_MAX,
            format_duration(now - beat.seen_at),
        )
        for beat in WorkerHeartbeat.objects.order_by("-seen_at", "hostname")
    ]


def queue_length() -> int | None:
    """Messages waiting on the broker's default queue (all priorities); None without a broker."""
    if not settings.REDIS_URL:
        return None
    queue = celery_app.conf.task_default_queue
    with celery_app.connection_for_read() as connection:
        connection.ensure_connection(max_retries=1, interval_start=0, interval_step=0.2, timeout=2)
        # The declaration answers the count (LLEN of each priority's list on Redis). Not passive: that
        # would fail on an empty queue, Redis keeping no list without messages; it creates nothing there.
        return connection.default_channel.queue_declare(queue=queue).message_count


@dataclass(frozen=True)
class FailureTable:
    """One table of owed work that failed, as the page shows it."""

    title: str
    # The header of its date column.
    when: str
    note: str = ""
    command: str = ""


RETRIED = FailureTable("Tâches en échec, réessayées plus tard", "Prochain essai")
ABANDONED = FailureTable(
    "Tâches abandonnées",
    "Abandonnée le",
    "Les plus récentes ; une fois la cause corrigée, cette commande les remet en file :",
    "manage.py outbox_redeliver --abandoned",
)


def failing_work() -> list[tuple[OutboxMessage, datetime]]:
    """Owed work that failed at least once and will be tried again, with when: the soonest first."""
    rows = OutboxMessage.objects.filter(done_at__isnull=True, failed_at__isnull=True, attempts__gt=0, last_error__gt="")
    return [(message, message.due_at) for message in rows.order_by("due_at")[:FAILED_SHOWN]]


def failed_work() -> list[tuple[OutboxMessage, datetime]]:
    """Owed work given up (after its last run, or at once when it could not succeed): the latest first."""
    rows = OutboxMessage.objects.filter(done_at__isnull=True, failed_at__isnull=False)
    return [(message, message.failed_at) for message in rows.order_by("-failed_at")[:FAILED_SHOWN]]


@dataclass(frozen=True)
class Disk:
    path: Path
    total: int
    free: int

    @property
    def free_share(self) -> float:
        return self.free / self.total if self.total else 0.0

    @property
    def low(self) -> bool:
        return self.free_share < DISK_FREE_WARNING

    @property
    def summary(self) -> str:
        """« 12,3 Go libres sur 50,0 Go (24,6 %) »"""
        return (
            f"{format_size(self.free)} libres sur {format_size(self.total)} ({format_percent(self.free_share * 100)})"
        )


def upload_disk() -> Disk:
    path = Path(settings.PRIVATE_MEDIA_ROOT)
    # The folder is made at the first upload: until then, the disk it will be on.
    existing = next((folder for folder in (path, *path.parents) if folder.exists()), path)
    usage = shutil.disk_usage(existing)
    return Disk(path, usage.total, usage.free)


def _read(name: str, reader):
    """(value, None), or (None, a French sentence) when the part could not be read."""
    try:
        return reader(), None
    except Exception:  # one part down (Redis, a missing folder) must not hide the others
        logger.exception("operations: %s unreadable", name)
        return None, "Illisible pour le moment (le détail est dans le journal)."


def report() -> dict:
    """Everything the page shows, each part with its own error."""
    parts = {
        "workers": workers,
        "queue": queue_length,
        # « — »: the page's empty cell.
        "runs": lambda: [(run, format_duration(run.duration, empty="—")) for run in registry.operations_status()],
        "pending": outbox.pending_report,
        "disk": upload_disk,
    }
    context = {"broker": bool(settings.REDIS_URL), "now": timezone.now()}
    for name, reader in parts.items():
        context[name], context[f"{name}_error"] = _read(name, reader)
    context["failure_tables"] = [
        (table, *_read(table.title, reader)) for table, reader in ((RETRIED, failing_work), (ABANDONED, failed_work))
    ]
    return context
