"""The dashboard's data past its retention (the registry's ``purge_expired`` hook; docs/personal-data.md).

An extract's archive (pseudonymised data on every young person followed) is kept after its import to
check it or import it again; its rows live in the database until the next import replaces them. Past
:data:`ARCHIVE_RETENTION` the archive is deleted, except the latest successful import's, the source of
the figures shown. The import's record (who, when, counts, errors, quality report) stays.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from dashboard.models import ExtractImport, ImportStatus
from dashboard.services import extract_import_discard_archive

ARCHIVE_RETENTION = timedelta(days=90)


def purge_expired(*, now: datetime) -> dict[str, int]:
    latest = (
        ExtractImport.objects.filter(status=ImportStatus.SUCCEEDED).order_by("-finished_at", "-pk").values("pk")[:1]
    )
    expired = (
        ExtractImport.objects.exclude(archive="")
        .filter(finished_at__lt=now - ARCHIVE_RETENTION)
        .exclude(pk__in=latest)
        .values_list("pk", flat=True)
    )
    ids = list(expired)
    for extract_import_id in ids:
        extract_import_discard_archive(extract_import_id=extract_import_id)
    return {"extract_archives": ExtractImport.objects.filter(pk__in=ids, archive="").count()}
