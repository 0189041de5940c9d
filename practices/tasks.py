"""Celery tasks of the practices app: they call a service."""

from __future__ import annotations

from cnml.tasks import cnml_task
from practices import services


@cnml_task
def recensements_daily_pass() -> dict[str, list[int]]:
    """Remind the structures silent before a recensement's deadline, close those past it (every day)."""
    return services.recensements_daily_pass()
