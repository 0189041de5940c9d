"""The project's Celery application.

Settings come from Django's settings under the ``CELERY_`` namespace. Without a
broker (the embedded default), ``CELERY_TASK_ALWAYS_EAGER`` is on and tasks run
in the calling process, so ``make run`` needs no server.

Two additions to the worker, for the outbox (``cnml.outbox``) and ``/sante/``:

- each time it connects to the broker (on start, and again after Redis came back),
  the worker hands over every owed work still pending: Redis keeps nothing on disk,
  so messages queued before a restart are gone;
- every :data:`HEARTBEAT_SECONDS` it writes its sign of life in the database.
"""

import logging
import os

from celery import Celery, bootsteps

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cnml.settings")

logger = logging.getLogger(__name__)

HEARTBEAT_SECONDS = 30

app = Celery("cnml")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def _in_worker_process(action, *args) -> None:
    """Run a database action from the worker's main process, then let its connection go.

    A failure is logged, never raised: it must not stop the worker.
    """
    from django.db import connections

    try:
        action(*args)
    except Exception as exc:  # e.g. the database not there yet: the next beat or connection tries again
        logger.warning("worker: %s failed (%s: %s)", getattr(action, "__name__", action), type(exc).__name__, exc)
    finally:
        connections.close_all()


class RedeliverOwedWork(bootsteps.StartStopStep):
    """On each connection to the broker: a sign of life, and the pending owed work published again."""

    requires = {"celery.worker.consumer.tasks:Tasks"}

    def start(self, consumer) -> None:
        from cnml.outbox import on_worker_ready

        _in_worker_process(on_worker_ready, consumer.hostname)


class Heartbeat(bootsteps.StartStopStep):
    """Writes the worker's sign of life in the database every :data:`HEARTBEAT_SECONDS`."""

    requires = {"celery.worker.components:Timer"}

    def __init__(self, worker, **kwargs) -> None:
        super().__init__(worker, **kwargs)
        self.timer_entry = None

    def start(self, worker) -> None:
        from cnml.outbox import record_heartbeat

        self.timer_entry = worker.timer.call_repeatedly(
            HEARTBEAT_SECONDS, _in_worker_process, (record_heartbeat, worker.hostname), priority=10
        )

    def stop(self, worker) -> None:
        if self.timer_entry is not None:
            self.timer_entry.cancel()
            self.timer_entry = None


app.steps["consumer"].add(RedeliverOwedWork)
app.steps["worker"].add(Heartbeat)
