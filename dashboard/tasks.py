"""Celery tasks of the dashboard: run an extract import, recompute the indicators.

Both take ids and call a service. The recompute is work an import or a reviewer's
request owes: it goes through the outbox (``cnml.outbox.enqueue``), so it is not lost
when the broker is down, and runs once.
"""

from __future__ import annotations

from cnml import outbox
from cnml.tasks import cnml_task
from dashboard import recompute, services
from dashboard.recompute import RecomputeError

# The outbox key of the recompute an import owes (the import's page waits for it).
RECOMPUTE_AFTER_IMPORT_KEY = "dashboard.recompute-after-import:{}"


@cnml_task
def run_extract_import(extract_import_id: int) -> str:
    """Run a recorded import; after a success, the recompute of the indicators is owed."""
    extract_import = services.extract_import_run(
        extract_import_id=extract_import_id, owed_on_success=recompute_after_import
    )
    return extract_import.status


def recompute_after_import(extract_import_id: int) -> None:
    """Owe one recompute per successful import, even when the import's task is delivered twice.

    Called inside the import's swap transaction (``extract_import_run(owed_on_success=...)``):
    the new facts and the recompute they owe commit together.
    """
    outbox.enqueue(
        recompute_indicators,
        key=RECOMPUTE_AFTER_IMPORT_KEY.format(extract_import_id),
        extract_import_id=extract_import_id,
    )


# Not in one transaction with its outbox row: the recompute commits its own progress (and
# computes in parallel lanes only outside a transaction). It claims its row instead. A
# recompute that cannot start (no import yet) would not start on a later try either.
@cnml_task(outbox_label="le recalcul des indicateurs", outbox_atomic=False, outbox_give_up_on=(RecomputeError,))
def recompute_indicators(extract_import_id: int | None = None) -> int:
    """Recompute every indicator into a new snapshot (of the given import's facts, or the latest)."""
    snapshot = recompute.snapshot_recompute(extract_import_id=extract_import_id)
    return snapshot.pk
