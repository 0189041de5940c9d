"""The recompute is owed through the outbox (cnml/outbox.py): once per import, never lost, never retried in vain."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from cnml import outbox
from cnml.models import OutboxMessage
from dashboard import tasks
from dashboard.models import ExtractImport, ImportStatus, Snapshot, SnapshotStatus
from dashboard.services import extract_import_create
from tests.dashboard.test_import import small_extract

pytestmark = pytest.mark.django_db

RECOMPUTE = "dashboard.tasks.recompute_indicators"


def test_an_import_task_delivered_twice_owes_one_recompute(tmp_path):
    extract_import = extract_import_create(path=small_extract(tmp_path / "x"), extracted_on=None)

    assert tasks.run_extract_import.delay(extract_import.pk).get() == ImportStatus.SUCCEEDED
    assert tasks.run_extract_import.delay(extract_import.pk).get() == ImportStatus.SUCCEEDED

    [owed] = OutboxMessage.objects.filter(task=RECOMPUTE)
    assert owed.kwargs == {"extract_import_id": extract_import.pk}


def test_the_import_and_the_recompute_it_owes_commit_together(tmp_path, monkeypatch):
    from dashboard.models import YoungPerson
    from dashboard.services import extract_import_run

    extract_import = extract_import_create(path=small_extract(tmp_path / "x"), extracted_on=None)

    def outbox_down(task, **kwargs):
        raise RuntimeError("the outbox row could not be written")

    monkeypatch.setattr(outbox, "enqueue", outbox_down)
    with pytest.raises(RuntimeError):  # raised again for the task's retry
        extract_import_run(extract_import_id=extract_import.pk, owed_on_success=tasks.recompute_after_import)

    # No recompute owed, so no import either: the facts in place did not change.
    extract_import.refresh_from_db()
    assert extract_import.status == ImportStatus.FAILED
    assert not YoungPerson.objects.exists()
    assert not OutboxMessage.objects.exists()


def test_a_worker_dying_right_after_the_import_still_owes_its_recompute(tmp_path):
    from dashboard.services import extract_import_run

    extract_import = extract_import_create(path=small_extract(tmp_path / "x"), extracted_on=None)

    # The on-commit hand-over never runs (the worker died): the row is there all the same.
    extract_import = extract_import_run(
        extract_import_id=extract_import.pk, owed_on_success=tasks.recompute_after_import
    )

    assert extract_import.status == ImportStatus.SUCCEEDED
    [owed] = OutboxMessage.objects.filter(task=RECOMPUTE)
    assert owed.kwargs == {"extract_import_id": extract_import.pk} and owed.done_at is None


def test_the_import_command_owes_the_recompute_to_the_worker_even_with_redis_down(
    tmp_path, redis_down, django_capture_on_commit_callbacks
):
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("import_extract", str(small_extract(tmp_path / "x")), stdout=out, stderr=io.StringIO())

    assert "Recalcul des indicateurs confié au worker Celery." in out.getvalue()
    [owed] = OutboxMessage.objects.filter(task=RECOMPUTE)
    assert owed.kwargs == {"extract_import_id": ExtractImport.objects.get().pk}
    assert owed.done_at is None
    assert not Snapshot.objects.exists()


def test_the_recompute_command_owes_it_to_the_worker_even_with_redis_down(
    redis_down, django_capture_on_commit_callbacks
):
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("recompute_indicators", stdout=out)

    owed = OutboxMessage.objects.get(task=RECOMPUTE)
    assert f"Recalcul confié au worker Celery (travail différé n° {owed.pk})." in out.getvalue()
    assert owed.kwargs == {"extract_import_id": None}


def test_a_recompute_that_cannot_start_is_abandoned_at_once_not_retried():
    owed = OutboxMessage.objects.create(task=RECOMPUTE, kwargs={})

    with pytest.raises(Exception, match="Aucun import réussi"):
        outbox.deliver(owed.pk)

    owed.refresh_from_db()
    assert owed.failed_at is not None
    assert outbox.redeliver(everything=True) == 0
    assert Snapshot.objects.filter(status=SnapshotStatus.FAILED).count() == 1
