"""Periodic tasks installed by migrations (cnml/schedules.py): each names a task that exists."""

from __future__ import annotations

import pytest
from django.apps import apps
from django_celery_beat.models import PeriodicTask

from cnml.celery import app as celery_app
from tests.migrations import scheduling_operations

pytestmark = pytest.mark.django_db


def test_every_scheduled_task_exists_and_scheduling_twice_adds_nothing():
    operations = scheduling_operations()
    assert len(operations) >= 3  # surveys' closing, the core's clean-up, the outbox's pass

    for operation in operations:
        operation.code(apps, None)
        operation.code(apps, None)

    celery_app.loader.import_default_modules()
    scheduled = list(PeriodicTask.objects.filter(interval__isnull=False).values_list("task", flat=True))
    assert len(scheduled) == len(set(scheduled))
    assert set(scheduled) <= set(celery_app.tasks), set(scheduled) - set(celery_app.tasks)


def test_unscheduling_removes_the_task():
    operation = scheduling_operations()[0]
    operation.code(apps, None)
    before = PeriodicTask.objects.count()

    operation.reverse_code(apps, None)

    assert PeriodicTask.objects.count() == before - 1
