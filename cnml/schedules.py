"""Periodic tasks (Celery beat, django-celery-beat's database scheduler), installed by migrations.

Each app schedules its own tasks in a data migration with :func:`every`, so a fresh install
(and the CI) has them without a manual step, and an operator can still pause one in the admin.
"""

from __future__ import annotations

from django.db import migrations


def every(count: int, period: str, *, name: str, task: str) -> migrations.RunPython:
    """A migration operation scheduling ``task`` every ``count`` ``period`` ("minutes", "hours"…).

    ``name`` is the French label operators read in the admin; reversing removes the task.
    """

    def schedule(apps, schema_editor) -> None:
        interval, _ = apps.get_model("django_celery_beat", "IntervalSchedule").objects.get_or_create(
            every=count, period=period
        )
        apps.get_model("django_celery_beat", "PeriodicTask").objects.get_or_create(
            name=name, defaults={"task": task, "interval": interval, "enabled": True}
        )

    def unschedule(apps, schema_editor) -> None:
        apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=name).delete()

    return migrations.RunPython(schedule, unschedule)
