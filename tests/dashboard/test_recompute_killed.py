"""On PostgreSQL, with real processes: a recompute killed mid-run (SIGKILL) leaves the figures
unchanged; two recomputes at once run one after the other."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from datetime import date
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from dashboard.models import IndicatorValue, Snapshot, SnapshotStatus
from dashboard.recompute import snapshot_recompute
from dashboard.selectors import latest_computed_snapshot
from tests.dashboard.factories import ContactFactory, YoungPersonFactory, make_import
from tests.factories import MissionLocaleFactory

pytestmark = [pytest.mark.postgresql, pytest.mark.django_db(transaction=True)]

# Runs a recompute in another process, which stops after inserting its values,
# before committing, writes its database backend's pid and waits (argv[2] seconds).
CHILD = textwrap.dedent(
    """
    import sys, time
    import django
    django.setup()
    from django.db import connection
    from dashboard import recompute

    store = recompute._store_values

    def store_then_hang(snapshot_id, rows):
        store(snapshot_id, rows)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            pid = cursor.fetchone()[0]
        with open(sys.argv[1], "w") as marker:
            marker.write(str(pid))
        time.sleep(float(sys.argv[2]))

    recompute._store_values = store_then_hang
    recompute.snapshot_recompute()
    """
)


@pytest.fixture(autouse=True)
def postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("Nécessite PostgreSQL (DATABASE_URL=postgres://...).")


def national(snapshot: Snapshot) -> dict[tuple[str, str], float]:
    rows = IndicatorValue.objects.filter(snapshot=snapshot, scope_kind="national")
    return {(row.indicator, row.period): row.value for row in rows}


def wait_for(condition, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"Timed out waiting for {what}")
        time.sleep(0.1)


def start_child(marker: Path, *, hang: float) -> subprocess.Popen:
    """A recompute in another process, on the test database."""
    db = settings.DATABASES["default"]
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}{password}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "DJANGO_SETTINGS_MODULE": "cnml.settings",
        "REDIS_URL": "",
    }
    return subprocess.Popen(
        [sys.executable, "-c", CHILD, str(marker), str(hang)], cwd=settings.BASE_DIR, env=env, stderr=subprocess.PIPE
    )


def test_a_recompute_killed_before_commit_leaves_the_figures_unchanged(tmp_path: Path):
    make_import(extracted_on=date(2011, 10, 15))
    ml = MissionLocaleFactory(code="ML93001")
    ContactFactory(young_person=YoungPersonFactory(structure=ml), contact_on=date(2011, 2, 1))
    previous = snapshot_recompute()
    before = national(previous)
    assert before[("jeunes_accueillis", "2011-T1")] == 1
    # New facts: a complete recompute would change the figures.
    for _ in range(2):
        ContactFactory(young_person=YoungPersonFactory(structure=ml), contact_on=date(2011, 3, 1))

    marker = tmp_path / "stored"
    child = start_child(marker, hang=300)
    try:
        wait_for(lambda: marker.exists() and marker.read_text() or child.poll() is not None, 120, "the child")
        assert child.poll() is None, child.stderr.read().decode()
        backend_pid = int(marker.read_text())
        running = Snapshot.objects.get(status=SnapshotStatus.COMPUTING)
        # Inserted but not committed: invisible to readers.
        assert latest_computed_snapshot() == previous
        assert not IndicatorValue.objects.filter(snapshot=running).exists()
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=30)
        child.stderr.close()

    assert child.returncode == -signal.SIGKILL
    assert latest_computed_snapshot() == previous
    assert national(previous) == before
    running.refresh_from_db()
    assert running.status == SnapshotStatus.COMPUTING  # left behind, ignored by readers
    assert not IndicatorValue.objects.filter(snapshot=running).exists()

    def backend_gone() -> bool:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = %s", [backend_pid])
            return cursor.fetchone()[0] == 0

    wait_for(backend_gone, 30, "the killed process's database session to end")
    after = snapshot_recompute()
    running.refresh_from_db()
    assert running.status == SnapshotStatus.FAILED
    assert "interrompu" in running.error
    assert latest_computed_snapshot() == after
    assert national(after)[("jeunes_accueillis", "2011-T1")] == 3


def test_two_recomputes_at_once_run_one_after_the_other(tmp_path: Path):
    make_import(extracted_on=date(2011, 10, 15))
    ContactFactory(young_person=YoungPersonFactory(structure=MissionLocaleFactory()), contact_on=date(2011, 2, 1))
    marker = tmp_path / "stored"
    child = start_child(marker, hang=2)
    try:
        wait_for(lambda: marker.exists() and marker.read_text() or child.poll() is not None, 120, "the child")
        # The child holds the recompute lock: this one waits for it to commit.
        mine = snapshot_recompute()
        assert child.wait(timeout=60) == 0, child.stderr.read().decode()
    finally:
        if child.poll() is None:
            os.kill(child.pid, signal.SIGKILL)
        child.stderr.close()

    theirs = Snapshot.objects.exclude(pk=mine.pk).get()
    assert theirs.status == mine.status == SnapshotStatus.COMPUTED
    assert mine.created_at >= theirs.computed_at
    assert latest_computed_snapshot() == mine
    assert national(mine) == national(theirs)
