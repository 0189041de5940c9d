"""The outbox takes the owed task by name too: a service whose task calls it names the task instead of
importing its module (no import cycle between an app's services and tasks)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from celery import shared_task

from cnml import outbox
from cnml.models import OutboxMessage, WorkerProbe

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


@shared_task(name="tests.outbox_by_name.probe")
def named_probe(*, hostname: str) -> None:
    WorkerProbe.objects.create(worker_hostname=hostname)


def test_a_task_named_is_owed_and_run_like_the_task_itself(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        message = outbox.enqueue("tests.outbox_by_name.probe", hostname="par-nom")

    message.refresh_from_db()
    assert message.task == "tests.outbox_by_name.probe"
    assert message.done_at is not None
    assert WorkerProbe.objects.filter(worker_hostname="par-nom").exists()


def test_a_name_that_is_no_task_fails_at_once_and_owes_nothing():
    with pytest.raises(ImportError):
        outbox.enqueue("surveys.tasks.no_such_task", campaign_id=1)
    with pytest.raises(ImportError):
        outbox.enqueue("cnml.models.OutboxMessage", campaign_id=1)  # a class, not a task

    assert not OutboxMessage.objects.exists()


def test_a_task_named_whose_module_this_process_never_imported_is_imported_to_be_run():
    """A web process imports no tasks module at start: the name alone must bring its task."""
    script = (
        "import sys, django; django.setup()\n"
        "from cnml import outbox\n"
        "assert 'surveys.tasks' not in sys.modules\n"
        "task = outbox.task_named('surveys.tasks.aggregate_campaign_results')\n"
        "from cnml.celery import app\n"
        "assert app.tasks.get('surveys.tasks.aggregate_campaign_results') is not None\n"
        "print(task.name)\n"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "cnml.settings", "PYTHONPATH": str(ROOT)}
    env.pop("DATABASE_URL", None)

    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True)

    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "surveys.tasks.aggregate_campaign_results"
