"""Work side by side on two connections (PostgreSQL, committed data only): staging, recompute."""

from __future__ import annotations

import threading
from datetime import date

import pytest
from django.db import connection, transaction

from dashboard import recompute
from dashboard.importer import ExtractImporter
from dashboard.models import Contact, ImportStatus, YoungPerson
from dashboard.periods import periods_between
from tests.dashboard.conftest import (
    SAMPLE_COUNTS,
    SUSPICIOUS_COUNTS,
    contact,
    current_facts_state,
    enrolment,
    run_import,
    situation,
    suspicious_extract,
    write_extract,
    young,
    zip_extract,
)

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


def test_a_zipped_extract_is_staged_on_two_connections_with_every_row(sample_extract, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("Nécessite PostgreSQL (DATABASE_URL=postgres://...).")
    threads = []
    stage_file = ExtractImporter._stage_file

    def recording(self, extract, spec):
        threads.append((spec.key, threading.current_thread() is threading.main_thread()))
        stage_file(self, extract, spec)

    monkeypatch.setattr(ExtractImporter, "_stage_file", recording)

    extract_import = run_import(zip_extract(sample_extract))

    assert extract_import.status == ImportStatus.SUCCEEDED, extract_import.errors
    assert extract_import.row_counts == SAMPLE_COUNTS
    assert YoungPerson.objects.count() == SAMPLE_COUNTS["jeunes.csv"]
    assert Contact.objects.count() == SAMPLE_COUNTS["contacts.csv"]
    assert ("contacts", False) in threads and ("jeunes", True) in threads


def test_the_quality_counts_made_beside_the_swap_are_those_made_in_turn(tmp_path, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("Nécessite PostgreSQL (DATABASE_URL=postgres://...).")
    threads = []
    finish_contacts = ExtractImporter._finish_contacts

    def recording(self):
        threads.append(threading.current_thread() is threading.main_thread())
        return finish_contacts(self)

    monkeypatch.setattr(ExtractImporter, "_finish_contacts", recording)

    extract_import = run_import(suspicious_extract(tmp_path / "x"), extracted_on=date(2011, 10, 31))

    assert extract_import.status == ImportStatus.SUCCEEDED, extract_import.errors
    assert threads == [False]  # on the second connection
    report = extract_import.quality_report
    assert [item["code"] for item in report["suspicious"]] == list(SUSPICIOUS_COUNTS)
    assert {item["code"]: item["count"] for item in report["suspicious"]} == SUSPICIOUS_COUNTS
    assert extract_import.first_contact_on == date(2011, 1, 3)
    assert Contact.objects.count() == 3 and Contact.objects.order_by("pk").first().pk == 2  # ids: line numbers


def test_an_error_in_a_file_staged_aside_is_reported_like_any_other(tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("Nécessite PostgreSQL (DATABASE_URL=postgres://...).")
    directory = write_extract(
        tmp_path / "x",
        jeunes=[young("J1")],
        contacts=[contact("J1", "2011-01-03"), contact("J1", "2011-13-01")],
        situations=[],
        dispositifs=[],
    )

    extract_import = run_import(directory)

    assert extract_import.status == ImportStatus.FAILED
    assert extract_import.errors == [
        "contacts.csv, ligne 3, colonne date_contact : date invalide « 2011-13-01 » (format attendu AAAA-MM-JJ)"
    ]
    assert not YoungPerson.objects.exists()


ROWS_REFUSED_BY_EACH_LANE = {
    # Written by the connection that staged jeunes.csv, while the other stages contacts.csv.
    "situation with an unknown code": (
        {"situations": [situation("J1", "CHOMAGE", date_debut="2011-04-01")]},
        "situations.csv, ligne 2, colonne type_situation : code inconnu « CHOMAGE »",
    ),
    "enrolment of an unknown young person": (
        {"dispositifs": [enrolment("J1", date_entree="2011-02-01"), enrolment("J7", date_entree="2011-02-01")]},
        "dispositifs.csv, ligne 3, colonne id_jeune : jeune inconnu « J7 » : absent de jeunes.csv",
    ),
    # Contacts: their first share by the connection that staged them, the rest by the other one.
    "contact of an unknown young person, first share": (
        {"contacts": [contact("J9", "2011-01-03")] + [contact("J1", "2011-02-01")] * 9},
        "contacts.csv, ligne 2, colonne id_jeune : jeune inconnu « J9 » : absent de jeunes.csv",
    ),
    "contact of an unknown young person, last share": (
        {"contacts": [contact("J1", "2011-02-01")] * 9 + [contact("J9", "2011-01-03")]},
        "contacts.csv, ligne 11, colonne id_jeune : jeune inconnu « J9 » : absent de jeunes.csv",
    ),
}


@pytest.mark.parametrize("case", ROWS_REFUSED_BY_EACH_LANE.values(), ids=ROWS_REFUSED_BY_EACH_LANE.keys())
def test_rows_refused_while_the_lanes_build_the_facts_fail_the_import_and_change_nothing(tmp_path, case):
    if connection.vendor != "postgresql":
        pytest.skip("Nécessite PostgreSQL (DATABASE_URL=postgres://...).")
    files = {
        "jeunes": [young("J1")],
        "contacts": [contact("J1", "2011-01-03")],
        "situations": [situation("J1", date_debut="2011-04-01")],
        "dispositifs": [enrolment("J1", date_entree="2011-02-01")],
    }
    assert run_import(write_extract(tmp_path / "good", **files)).status == ImportStatus.SUCCEEDED
    before = current_facts_state()
    overrides, message = case

    extract_import = run_import(write_extract(tmp_path / "bad", **{**files, **overrides}))

    assert extract_import.status == ImportStatus.FAILED
    assert [error for error in extract_import.errors if error.startswith(message)] != [], extract_import.errors
    assert current_facts_state() == before


def test_a_second_lane_gives_up_when_an_import_waits_for_the_fact_tables():
    if connection.vendor != "postgresql":
        pytest.skip("Nécessite PostgreSQL (DATABASE_URL=postgres://...).")
    import psycopg

    settings = connection.settings_dict
    other = psycopg.connect(
        host=settings["HOST"],
        port=settings["PORT"],
        dbname=settings["NAME"],
        user=settings["USER"],
        password=settings["PASSWORD"] or None,
    )
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            assert recompute._lock_facts_or_give_up(cursor) is True
        other.execute("LOCK TABLE dashboard_contact IN ACCESS EXCLUSIVE MODE")  # as an import's swap
        with transaction.atomic(), connection.cursor() as cursor:
            assert recompute._lock_facts_or_give_up(cursor) is False
            cursor.execute("SELECT 1")  # the transaction is still usable
            assert cursor.fetchone() == (1,)
    finally:
        other.rollback()
        other.close()
