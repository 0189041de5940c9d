"""Two validations at once (PostgreSQL, two connections): one wins, the other gets a clear French refusal."""

from __future__ import annotations

import threading
import time
from datetime import date, timedelta

import pytest
from django.db import connection, connections, transaction
from django.utils import timezone

from cnml.models import Role
from cnml.workflows import TransitionRefused
from dashboard import selectors
from dashboard.models import Snapshot, SnapshotStatus
from dashboard.publication import snapshot_validate

pytestmark = [pytest.mark.postgresql, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("Nécessite PostgreSQL (DATABASE_URL=postgres://...).")


def computed(minutes_ago: int, extracted_on: date) -> Snapshot:
    return Snapshot.objects.create(
        status=SnapshotStatus.COMPUTED,
        computed_at=timezone.now() - timedelta(minutes=minutes_ago),
        extracted_on=extracted_on,
    )


def waiting_on_a_lock() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0]


def validate_while_another_holds_its_lock(first_id: int, second_id: int, user) -> dict:
    """The first validation holds its transaction open until the second is waiting on a lock (or 10 s)."""
    outcome: dict = {}
    locked, release = threading.Event(), threading.Event()

    def first() -> None:
        try:
            with transaction.atomic():
                snapshot_validate(snapshot_id=first_id, user=user)
                locked.set()
                release.wait(20)
            outcome["first"] = "validé"
        finally:
            locked.set()
            connections.close_all()

    def second() -> None:
        try:
            snapshot_validate(snapshot_id=second_id, user=user)
            outcome["second"] = "validé"
        except TransitionRefused as exc:
            outcome["second"] = str(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    threads[0].start()
    locked.wait(20)
    threads[1].start()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and not waiting_on_a_lock() and threads[1].is_alive():
        time.sleep(0.05)
    outcome["second_waited"] = bool(waiting_on_a_lock())
    release.set()
    for thread in threads:
        thread.join(30)
    return outcome


def test_two_validations_of_the_same_snapshot_give_one_success_and_one_clear_message(users):
    snapshot = computed(5, date(2011, 12, 31))

    outcome = validate_while_another_holds_its_lock(snapshot.pk, snapshot.pk, users[Role.RELECTEUR_CNML])

    assert outcome == {
        "first": "validé",
        "second": f"Le calcul n° {snapshot.pk} est déjà validé.",
        "second_waited": True,
    }


def test_an_older_snapshot_validated_while_a_newer_one_is_being_validated_waits_and_is_refused(users):
    newer = computed(60, date(2011, 12, 31))
    older = computed(5, date(2011, 10, 15))

    outcome = validate_while_another_holds_its_lock(newer.pk, older.pk, users[Role.ADMINISTRATEUR])

    assert outcome["second_waited"] is True
    assert (outcome["first"], outcome["second"]) == (
        "validé",
        f"Le calcul n° {older.pk} porte sur l'extraction du 15/10/2011, antérieure à celle des chiffres publiés "
        f"(calcul n° {newer.pk}, extraction du 31/12/2011) : il ne peut pas les remplacer.",
    )
    assert selectors.latest_validated_snapshot() == newer
    older.refresh_from_db()
    assert older.validated_at is None
