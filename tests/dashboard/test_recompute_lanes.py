"""The recompute's queries side by side on two connections (PostgreSQL, committed data only)."""

from __future__ import annotations

import pytest
from django.db import connection, transaction

from dashboard import recompute
from dashboard.models import ImportStatus
from dashboard.periods import periods_between
from tests.dashboard.conftest import run_import

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_lanes_compute_the_same_counts_as_one(sample_extract, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("Nécessite PostgreSQL (DATABASE_URL=postgres://...).")
    extract_import = run_import(sample_extract)
    assert extract_import.status == ImportStatus.SUCCEEDED, extract_import.errors
    periods = periods_between(2010, extract_import.extracted_on)
    lanes_used = []
    run_jobs = recompute._run_jobs
    monkeypatch.setattr(recompute, "_run_jobs", lambda jobs, lanes: lanes_used.append(lanes) or run_jobs(jobs, lanes))

    snapshot = recompute.snapshot_recompute()  # not in a transaction: two lanes
    one_lane = recompute.compute_counts(periods, extract_import.extracted_on, lanes=1)
    with transaction.atomic():
        recompute._freeze_facts()
        two_lanes = recompute.compute_counts(periods, extract_import.extracted_on, lanes=2)

    assert lanes_used[0] == 2 and snapshot.value_count > 0
    assert two_lanes == one_lane
    assert any(any(any(quarters) for quarters in by_key.values()) for by_key in one_lane.values())
