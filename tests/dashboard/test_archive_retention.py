"""Extract archives (pseudonymised data on every young person) are deleted 90 days after their import by the
hourly clean-up, except the latest successful import's; the import's record stays (docs/personal-data.md)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from cnml.tasks import purge_expired
from dashboard.models import ImportStatus
from dashboard.retention import ARCHIVE_RETENTION
from tests.clock import frozen
from tests.dashboard.factories import make_import

pytestmark = [pytest.mark.django_db, frozen, pytest.mark.usefixtures("private_media")]


def imported(days_ago: int, status: str = ImportStatus.SUCCEEDED):
    finished = timezone.now() - timedelta(days=days_ago)
    extract_import = make_import(status=status, started_at=finished, finished_at=finished)
    extract_import.archive.save(f"extrait-{days_ago}.zip", ContentFile(b"PK\x03\x04 pseudonymised"))
    return extract_import


def test_archives_past_their_time_are_deleted_but_the_latest_success_and_every_record_stay(private_media):
    days = ARCHIVE_RETENTION.days
    oldest, superseded = imported(days + 200), imported(days + 100)
    failed_long_ago = imported(days + 50, ImportStatus.FAILED)
    latest_success = imported(days + 10)
    recent_failure = imported(days - 10, ImportStatus.FAILED)
    expired = [oldest, superseded, failed_long_ago]
    expired_files = [private_media / row.archive.name for row in expired]
    assert all(path.is_file() for path in expired_files)

    outcome = purge_expired.delay().get()

    assert outcome["dashboard.extract_archives"] == 3
    for row in expired:
        row.refresh_from_db()
        assert not row.archive and row.status in (ImportStatus.SUCCEEDED, ImportStatus.FAILED)
    assert not any(path.exists() for path in expired_files)
    for row in (latest_success, recent_failure):
        row.refresh_from_db()
        assert (private_media / row.archive.name).is_file()
