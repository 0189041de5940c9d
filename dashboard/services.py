"""Writes of the dashboard: extract imports (``extract_import_<action>(*, ...)``)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date, timedelta
from functools import partial
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from cnml import outbox
from cnml.formatting import format_count
from dashboard.importer import ExtractImporter, ImportOutcome
from dashboard.importer.limits import inspect_zip
from dashboard.importer.staging import Staging
from dashboard.models import ExtractImport, ImportStatus, extraction_date_error, reason_row

logger = logging.getLogger(__name__)

DEFAULT_SOURCE_LABEL = "Parcours 3, entrepôt national"
INTERNAL_ERROR = (
    "Erreur interne pendant l'import ({kind}) : les données en place n'ont pas changé. "
    "Relancez l'import ; si l'erreur persiste, transmettez ce message à l'équipe technique."
)
ABANDONED = (
    "Import interrompu avant la fin (processus arrêté) : les données en place n'ont pas changé. Relancez l'import."
)
QUEUE_UNAVAILABLE = (
    "Le service de traitement est indisponible : l'import n'a pas pu être lancé. "
    "Déposez à nouveau l'extraction quand il sera rétabli."
)
NEVER_STARTED = (
    "Import jamais lancé : aucun service de traitement ne l'a pris en charge dans les {delay} "
    "qui ont suivi le dépôt. Déposez à nouveau l'extraction."
)
# The task that runs a recorded import (dashboard/tasks.py).
RUN_EXTRACT_IMPORT = "dashboard.tasks.run_extract_import"
# ExtractImport.step of an import that failed without running (nothing was read).
STEP_NOT_STARTED = "Non lancé"
# The step of an import refused for errors in its files (the admin opens it on them and their CSV).
STEP_REFUSED = "Refusé"

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
    demo: bool = False,
) -> ExtractImport:
    """Record an import to run: from a folder or zip on the server (``path``) or an uploaded zip (``archive``).

    Raises :class:`ValidationError` (French) for an extraction date in the future or
    before 2000, or an archive whose zip directory is over the limits
    (:func:`dashboard.importer.limits.inspect_zip`: nothing is decompressed here).
    """
    if archive is not None:
        name = getattr(archive, "name", "") or "archive"
        errors = inspect_zip(archive, Path(name).name)
        if errors:
            raise ValidationError({"archive": [str(error) for error in errors]}, code="archive_limit")
    extract_import = ExtractImport(
        extracted_on=extracted_on,
        provisional=provisional,
        source_label=source_label or DEFAULT_SOURCE_LABEL,
        demo=demo,
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


@transaction.atomic
def extract_import_submit(
    *,
    archive,
    extracted_on: date | None,
    provisional: bool = False,
    source_label: str = DEFAULT_SOURCE_LABEL,
    created_by=None,
) -> ExtractImport:
    """Record an uploaded extract and hand it to a worker once committed (:func:`_publish_import`).

    The request only checks the archive's directory and stores it: the import
    itself runs in the worker. Without a broker (development, ``REDIS_URL``
    unset), Celery is eager and runs it on commit in this process.
    """
    extract_import = extract_import_create(
        archive=archive,
        extracted_on=extracted_on,
        provisional=provisional,
        source_label=source_label,
        created_by=created_by,
    )
    transaction.on_commit(partial(_publish_import, extract_import.pk))
    return extract_import


def _publish_import(extract_import_id: int) -> None:
    """Publish the import's task; a broker that cannot take it fails the import, in French, archive removed.

    Never raises for the broker: the upload answers normally and its page says why.
    ``ignore_result``: nobody reads the task's result (the record holds the
    outcome), and subscribing to it would wait on the result backend too.
    The task is named, not imported: the tasks call the services, not the other way round.
    """
    run_extract_import = outbox.task_named(RUN_EXTRACT_IMPORT)
    if run_extract_import.app.conf.task_always_eager:
        run_extract_import.apply_async(args=[extract_import_id])
        return
    try:
        run_extract_import.apply_async(args=[extract_import_id], ignore_result=True)
    except Exception:  # any failure to publish (broker down, timeout, result backend): not queued
        logger.exception("Import d'extraction n° %s : tâche non publiée", extract_import_id)
        ExtractImport.objects.filter(pk=extract_import_id, status=ImportStatus.PENDING).update(
            status=ImportStatus.FAILED,
            finished_at=timezone.now(),
            error_details=[reason_row(QUEUE_UNAVAILABLE)],
            error_count=1,
            step=STEP_NOT_STARTED,
        )
        extract_import_discard_archive(extract_import_id=extract_import_id)


def extract_import_discard_archive(*, extract_import_id: int) -> None:
    """Remove a refused import's archive from private storage (pseudonymised data kept for nothing)."""
    extract_import = ExtractImport.objects.filter(pk=extract_import_id).first()
    if extract_import is None or not extract_import.archive:
        return
    try:
        extract_import.archive.delete(save=False)
    except OSError:  # never hide the import's outcome; the file is logged to be removed by hand
        logger.exception("Archive de l'import %s non supprimée", extract_import_id)
        return
    ExtractImport.objects.filter(pk=extract_import_id).update(archive="")


def extract_import_expire_stale() -> int:
    """Imports no worker finished: waiting, or running, for longer than any task may take.

    A task lost with its broker never starts; a worker killed mid-import stops
    writing. Both are marked failed, in French, rather than left « en attente » /
    « en cours » forever. Called when the imports are listed or read (admin) and
    before each import runs. A task delivered later still runs the import (its
    record then says so). Returns the number of imports marked.
    """
    now = timezone.now()
    limit = timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT)
    never_started = ExtractImport.objects.filter(status=ImportStatus.PENDING, created_at__lt=now - limit).update(
        status=ImportStatus.FAILED,
        finished_at=now,
        error_details=[reason_row(NEVER_STARTED.format(delay=_delay_text(limit)))],
        error_count=1,
        step=STEP_NOT_STARTED,
    )
    return never_started + _mark_abandoned(now - limit)


def _delay_text(delay: timedelta) -> str:
    minutes = round(delay.total_seconds() / 60)
    if minutes % 60 == 0:
        hours = minutes // 60
        return format_count(hours, "heure", feminine=True)
    return f"{minutes} minutes"


def _mark_abandoned(started_before, *, running: int | None = None) -> int:
    return (
        ExtractImport.objects.filter(status=ImportStatus.RUNNING, started_at__lt=started_before)
        .exclude(pk=running)
        .update(
            status=ImportStatus.FAILED,
            finished_at=timezone.now(),
            error_details=[reason_row(ABANDONED)],
            error_count=1,
            step="Interrompu",
        )
    )


class _ExtractionDateRefused(Exception):
    """Raised inside the swap transaction to roll it back: the extraction date read from the data is refused."""

    def __init__(self, message: str, outcome: ImportOutcome):
        super().__init__(message)
        self.outcome = outcome


def extract_import_run(
    *, extract_import_id: int, max_errors: int | None = None, owed_on_success: Callable[[int], None] | None = None
) -> ExtractImport:
    """Run a recorded import and record its outcome; return the updated record.

    A successful import replaces the facts and is marked successful in the same
    transaction, where ``owed_on_success(extract_import_id)`` records the work the
    success owes (the recompute, through the outbox): both commit or neither. A failed one changes nothing but its record (errors, counts,
    quality report) and its archive is removed. An extraction date read from the
    last contact that is in the future (or before 2000) fails it the same way.
    An unexpected exception is recorded as an internal error, then raised again
    (so that Celery retries transient database errors; the archive is kept for
    the retry). A record already successful is left alone (a task delivered twice).
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
        error_details=[],
        error_count=0,
        quality_report={},
        step="Démarrage",
    )
    try:
        outcome = _run_importer(extract_import, max_errors=max_errors, owed_on_success=owed_on_success)
    except _ExtractionDateRefused as refused:
        fields = _outcome_fields(refused.outcome)
        fields.pop("extracted_on", None)
        fields.pop("first_contact_on", None)
        fields.pop("has_certification", None)
        fields.update(
            error_details=[reason_row(str(refused))], error_count=1, status=ImportStatus.FAILED, step=STEP_REFUSED
        )
        records.update(**fields)
        extract_import_discard_archive(extract_import_id=extract_import_id)
        extract_import.refresh_from_db()
        return extract_import
    except Exception as exc:
        logger.exception("Import d'extraction n° %s interrompu par une erreur interne", extract_import_id)
        records.update(
            status=ImportStatus.FAILED,
            finished_at=timezone.now(),
            error_details=[reason_row(INTERNAL_ERROR.format(kind=type(exc).__name__))],
            error_count=1,
            step="Interrompu",
        )
        raise
    if not outcome.succeeded:
        records.update(**_outcome_fields(outcome), status=ImportStatus.FAILED, step=STEP_REFUSED)
        extract_import_discard_archive(extract_import_id=extract_import_id)
    extract_import.refresh_from_db()
    return extract_import


def _run_importer(
    extract_import: ExtractImport, *, max_errors: int | None, owed_on_success: Callable[[int], None] | None
) -> ImportOutcome:
    """Import the record's archive (or server path), its progress and its success recorded as it goes.

    The success is recorded in the swap transaction, with the work it owes; an
    extraction date read from the data that is refused rolls the swap back.
    """
    records = ExtractImport.objects.filter(pk=extract_import.pk)

    def progress(row_counts: dict[str, int], step: str) -> None:
        records.update(row_counts=row_counts, step=step)

    def succeeded(outcome: ImportOutcome) -> None:  # inside the swap transaction
        refusal = extraction_date_error(outcome.extracted_on, read_from_contacts=extract_import.extracted_on is None)
        if refusal:
            raise _ExtractionDateRefused(refusal, outcome)
        records.update(**_outcome_fields(outcome), status=ImportStatus.SUCCEEDED, step="Terminé")
        if owed_on_success is not None:
            owed_on_success(extract_import.pk)

    options = {"max_errors": max_errors} if max_errors else {}
    if extract_import.archive:
        with extract_import.archive.open("rb") as archive:
            return _importer(extract_import, archive, progress, options).run(on_success=succeeded)
    return _importer(extract_import, Path(extract_import.path), progress, options).run(on_success=succeeded)


def _forget_abandoned_imports(*, running: int) -> None:
    """Imports still "running" long after any task would have been stopped: their process was killed.

    Mark them failed, and drop the staging tables they left (PostgreSQL).
    """
    _mark_abandoned(timezone.now() - timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT), running=running)
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
        "error_details": outcome.error_details,
        "quality_report": outcome.quality_report,
    }
    if outcome.extracted_on is not None:
        fields["extracted_on"] = outcome.extracted_on
    if outcome.succeeded:
        fields["first_contact_on"] = outcome.first_contact_on
        fields["has_certification"] = outcome.has_certification
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
