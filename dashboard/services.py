"""Writes of the dashboard: extract imports (``extract_import_<action>(*, ...)``)."""

from __future__ import annotations

import logging
from datetime import date, timedelta
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from dashboard.importer import ExtractImporter, ImportOutcome
from dashboard.importer.staging import Staging
from dashboard.models import ExtractImport, ImportStatus

logger = logging.getLogger(__name__)

DEFAULT_SOURCE_LABEL = "Parcours 3, entrepôt national"
INTERNAL_ERROR = (
    "Erreur interne pendant l'import ({kind}) : les données en place n'ont pas changé. "
    "Relancez l'import ; si l'erreur persiste, transmettez ce message à l'équipe technique."
)
ABANDONED = (
    "Import interrompu avant la fin (processus arrêté) : les données en place n'ont pas changé. Relancez l'import."
)

# Sections of ExtractImport.quality_report that need the computed snapshot, written by
# the recompute through extract_import_add_quality_section (see its docstring).
QUALITY_SUB_LINES = "sub_lines_larger_than_parent"
QUALITY_LARGE_MOVES = "indicators_moving_more_than_50_percent"


def extract_import_create(
    *,
    extracted_on: date | None,
    provisional: bool = False,
    source_label: str = DEFAULT_SOURCE_LABEL,
    created_by=None,
    path: Path | str = "",
    archive=None,
) -> ExtractImport:
    """Record an import to run: from a folder or zip on the server (``path``) or an uploaded zip (``archive``)."""
    extract_import = ExtractImport(
        extracted_on=extracted_on,
        provisional=provisional,
        source_label=source_label or DEFAULT_SOURCE_LABEL,
        created_by=created_by if getattr(created_by, "is_authenticated", False) else None,
        path=str(path),
        step="En attente de traitement",
    )
    if archive is not None:
        extract_import.archive = archive
        extract_import.path = getattr(archive, "name", "") or ""
    extract_import.full_clean(exclude=["archive"])
    extract_import.save()
    return extract_import


def extract_import_run(*, extract_import_id: int, max_errors: int | None = None) -> ExtractImport:
    """Run a recorded import and record its outcome; return the updated record.

    A successful import replaces the facts and is marked successful in the same
    transaction; a failed one changes nothing but its record (errors, counts,
    quality report). An unexpected exception is recorded as an internal error,
    then raised again (so that Celery retries transient database errors). A
    record already successful is left alone (a task delivered twice).
    """
    extract_import = ExtractImport.objects.get(pk=extract_import_id)
    if extract_import.status == ImportStatus.SUCCEEDED:
        return extract_import
    _forget_abandoned_imports(running=extract_import_id)
    records = ExtractImport.objects.filter(pk=extract_import_id)
    records.update(
        status=ImportStatus.RUNNING,
        started_at=timezone.now(),
        finished_at=None,
        row_counts={},
        errors=[],
        error_count=0,
        quality_report={},
        step="Démarrage",
    )

    def progress(row_counts: dict[str, int], step: str) -> None:
        records.update(row_counts=row_counts, step=step)

    def succeeded(outcome: ImportOutcome) -> None:  # inside the swap transaction
        records.update(**_outcome_fields(outcome), status=ImportStatus.SUCCEEDED, step="Terminé")

    options = {"max_errors": max_errors} if max_errors else {}
    try:
        if extract_import.archive:
            with extract_import.archive.open("rb") as archive:
                outcome = _importer(extract_import, archive, progress, options).run(on_success=succeeded)
        else:
            outcome = _importer(extract_import, Path(extract_import.path), progress, options).run(on_success=succeeded)
    except Exception as exc:
        logger.exception("Import d'extraction n° %s interrompu par une erreur interne", extract_import_id)
        records.update(
            status=ImportStatus.FAILED,
            finished_at=timezone.now(),
            errors=[INTERNAL_ERROR.format(kind=type(exc).__name__)],
            error_count=1,
            step="Interrompu",
        )
        raise
    if not outcome.succeeded:
        records.update(**_outcome_fields(outcome), status=ImportStatus.FAILED, step="Refusé")
    extract_import.refresh_from_db()
    return extract_import


def _forget_abandoned_imports(*, running: int) -> None:
    """Imports still "running" long after any task would have been stopped: their process was killed.

    Mark them failed, and drop the staging tables they left (PostgreSQL).
    """
    limit = timezone.now() - timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT)
    ExtractImport.objects.filter(status=ImportStatus.RUNNING, started_at__lt=limit).exclude(pk=running).update(
        status=ImportStatus.FAILED,
        finished_at=timezone.now(),
        errors=[ABANDONED],
        error_count=1,
        step="Interrompu",
    )
    alive = set(ExtractImport.objects.filter(status=ImportStatus.RUNNING).values_list("pk", flat=True))
    Staging.for_connection(running).drop_abandoned(alive | {running})


def _importer(extract_import: ExtractImport, source, progress, options) -> ExtractImporter:
    label = Path(extract_import.path).name if extract_import.path else None
    return ExtractImporter(
        import_id=extract_import.pk,
        source=source,
        label=label,
        extracted_on=extract_import.extracted_on,
        progress=progress,
        **options,
    )


def _outcome_fields(outcome: ImportOutcome) -> dict:
    fields = {
        "finished_at": timezone.now(),
        "row_counts": outcome.row_counts,
        "error_count": outcome.error_count,
        "errors": outcome.errors,
        "quality_report": outcome.quality_report,
    }
    if outcome.extracted_on is not None:
        fields["extracted_on"] = outcome.extracted_on
    if outcome.succeeded:
        fields["first_contact_on"] = outcome.first_contact_on
    return fields


@transaction.atomic
def extract_import_add_quality_section(*, extract_import_id: int, key: str, label: str, rows: list[dict]) -> None:
    """Hook for the recompute: add (or replace) a section of an import's data-quality report.

    The import itself reports rejected and suspicious rows and structures
    without data. The checks that need the computed figures belong to the
    recompute, which calls this once the snapshot is computed, with ``key``:

    - :data:`QUALITY_SUB_LINES` ("sub-lines larger than their parent line",
      e.g. *en emploi* > *en emploi ou formation* for a structure and period);
    - :data:`QUALITY_LARGE_MOVES` ("indicators moving more than 50 % from the
      quarter before").

    ``rows`` are flat dicts of JSON values (e.g. ``{"Structure": "ML93001",
    "Période": "2011-T2", "Indicateur": "en emploi", "Valeur": 12}``): the admin
    shows them as a table, keys as column headers. An empty list records that
    the check ran and found nothing.
    """
    extract_import = ExtractImport.objects.select_for_update().get(pk=extract_import_id)
    report = dict(extract_import.quality_report or {})
    sections = dict(report.get("snapshot_checks", {}))
    sections[key] = {"label": label, "rows": rows}
    report["snapshot_checks"] = sections
    extract_import.quality_report = report
    extract_import.save(update_fields=["quality_report"])
