"""Celery tasks of the dashboard: run an extract import, recompute the indicators.

Both take ids, call a service, and are enqueued with ``delay_on_commit``.
"""

from __future__ import annotations

from cnml.tasks import cnml_task
from dashboard.models import ImportStatus


@cnml_task
def run_extract_import(extract_import_id: int) -> str:
    """Run a recorded import; after a success, enqueue the recompute of the indicators."""
    from dashboard.services import extract_import_run

    extract_import = extract_import_run(extract_import_id=extract_import_id)
    if extract_import.status == ImportStatus.SUCCEEDED:
        recompute_indicators.delay_on_commit(extract_import_id=extract_import.pk)
    return extract_import.status


@cnml_task
def recompute_indicators(extract_import_id: int | None = None) -> int:
    """Recompute every indicator into a new snapshot (of the given import's facts, or the latest)."""
    from dashboard.recompute import snapshot_recompute

    snapshot = snapshot_recompute(extract_import_id=extract_import_id)
    return snapshot.pk
