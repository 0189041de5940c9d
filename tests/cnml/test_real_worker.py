"""End to end through the broker: only meaningful in .ci/run's second phase.

.ci/run sets CNML_REAL_WORKER=1 after starting ``celery -A cnml worker`` against
Redis and the PostgreSQL test database. There, these tests must run; a missing
service is a failure, not a skip.
"""

import os

import pytest
from django.conf import settings
from django.db import connection, transaction

from cnml import outbox
from cnml.celery import app as celery_app
from cnml.health import health_report
from cnml.models import OutboxMessage, WorkerProbe
from cnml.tasks import probe_worker
from tests.outage import wait_for

pytestmark = [pytest.mark.real_worker, pytest.mark.django_db(transaction=True)]

REAL_WORKER = os.environ.get("CNML_REAL_WORKER") == "1"


@pytest.fixture(autouse=True)
def _require_real_worker():
    if not REAL_WORKER:
        pytest.skip("Needs .ci/run's PostgreSQL + Redis phase with a running worker (CNML_REAL_WORKER=1).")
    # Under pytest-xdist each process has a test database of its own (test_<name>_gw0…), not the worker's.
    assert not os.environ.get("PYTEST_XDIST_WORKER"), "run the real_worker tests in one process (-n 0)"
    assert settings.REDIS_URL, "REDIS_URL must be set in the real-worker phase"
    assert connection.vendor == "postgresql", "the real-worker phase runs on PostgreSQL"
    assert not celery_app.conf.task_always_eager


def test_task_goes_through_redis_to_a_real_worker_and_lands_in_postgresql():
    with transaction.atomic():
        probe = WorkerProbe.objects.create()
        probe_worker.delay_on_commit(probe.pk)
        # Enqueued on commit only: nothing can have run yet.
        assert WorkerProbe.objects.get(pk=probe.pk).completed_at is None

    assert wait_for(lambda: WorkerProbe.objects.filter(pk=probe.pk, completed_at__isnull=False).exists())
    probe.refresh_from_db()
    assert probe.worker_hostname


def test_task_enqueued_in_a_rolled_back_transaction_never_runs():
    probe = WorkerProbe.objects.create()
    with pytest.raises(RuntimeError), transaction.atomic():
        probe_worker.delay_on_commit(probe.pk)
        raise RuntimeError("rollback")
    # Give a worker time to (wrongly) pick it up, then check it did not.
    control = WorkerProbe.objects.create()
    probe_worker.delay(control.pk)
    assert wait_for(lambda: WorkerProbe.objects.filter(pk=control.pk, completed_at__isnull=False).exists())
    probe.refresh_from_db()
    assert probe.completed_at is None


def test_health_reports_the_running_worker():
    # The worker's sign of life is in the database, which the tests empty: a probe writes it again.
    probe = WorkerProbe.objects.create()
    probe_worker.delay(probe.pk)
    assert wait_for(lambda: WorkerProbe.objects.filter(pk=probe.pk, completed_at__isnull=False).exists())

    report, healthy = health_report()
    assert healthy, report
    assert report["broker"] == {"ok": True, "configure": True}
    assert report["workers"]["nombre"] >= 1


def test_owed_work_goes_through_redis_to_the_worker():
    probe = WorkerProbe.objects.create()
    with transaction.atomic():
        message = outbox.enqueue(probe_worker, probe_id=probe.pk)

    assert wait_for(lambda: OutboxMessage.objects.filter(pk=message.pk, done_at__isnull=False).exists())
    message.refresh_from_db()
    assert message.dispatched_at is not None
    assert message.attempts == 1
    probe.refresh_from_db()
    assert probe.completed_at is not None
