"""The dashboard's share of the operators' page (``/exploitation/``): its last import and recompute."""

from __future__ import annotations

from django.utils.text import Truncator

from cnml.formatting import format_count
from cnml.registry import OperationRun
from dashboard.models import ExtractImport, ImportStatus, Snapshot, SnapshotStatus

NONE_YET = "Aucun"
CODE_IMPORT = "extract_import"
CODE_RECOMPUTE = "indicator_recompute"


def _first_line(text: str, limit: int = 300) -> str:
    lines = (text or "").strip().splitlines()
    return Truncator(lines[0]).chars(limit, truncate="…") if lines else ""


def last_import() -> OperationRun:
    label = "Dernier import d'extraction"
    extract = ExtractImport.objects.order_by("-created_at", "-pk").first()
    if extract is None:
        return OperationRun(label, NONE_YET, code=CODE_IMPORT)
    if extract.status == ImportStatus.FAILED:
        errors = extract.error_count or len(extract.error_details)
        first = _first_line(extract.first_error)
        counted = format_count(errors, "erreur", feminine=True) if errors else ""
        detail = " ; la première : ".join(part for part in (counted, first) if part)
    elif extract.status == ImportStatus.RUNNING:
        detail = f"Étape en cours : {extract.step}" if extract.step else ""
    else:
        rows = sum(count for count in extract.row_counts.values() if isinstance(count, int))
        detail = format_count(rows, "ligne lue", feminine=True)
    return OperationRun(
        label,
        extract.get_status_display(),
        started_at=extract.started_at,
        finished_at=extract.finished_at,
        failed=extract.status == ImportStatus.FAILED,
        detail=detail,
        code=CODE_IMPORT,
    )


def last_recompute() -> OperationRun:
    label = "Dernier calcul des indicateurs"
    snapshot = Snapshot.objects.order_by("-created_at", "-pk").first()
    if snapshot is None:
        return OperationRun(label, NONE_YET, code=CODE_RECOMPUTE)
    failed = snapshot.status == SnapshotStatus.FAILED
    if failed:
        detail = _first_line(snapshot.error)
    elif snapshot.status == SnapshotStatus.COMPUTING:
        detail = ""
    else:
        detail = format_count(snapshot.value_count, "valeur calculée", feminine=True)
    return OperationRun(
        label,
        snapshot.get_status_display(),
        started_at=snapshot.created_at,
        finished_at=snapshot.failed_at if failed else snapshot.computed_at,
        failed=failed,
        detail=detail,
        code=CODE_RECOMPUTE,
    )
