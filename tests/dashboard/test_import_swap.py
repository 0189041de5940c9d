"""The swap of the fact tables on PostgreSQL (new tables renamed in), and what relies on it."""

from __future__ import annotations

import pytest
from django.db import connection

from dashboard.models import Contact, ImportStatus, YoungPerson
from dashboard.recompute import RecomputeError, snapshot_recompute
from tests.dashboard.conftest import contact, run_import, write_extract, young
from tests.dashboard.factories import ExtractImportFactory

pytestmark = pytest.mark.django_db

FACT_TABLES = ("dashboard_youngperson", "dashboard_contact", "dashboard_situation", "dashboard_enrolment")


def schema() -> dict:
    """Constraints (name, definition) and identity sequences of the fact tables."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = ANY(%s::regclass[]) ORDER BY 1, 2",
            [list(FACT_TABLES)],
        )
        constraints = [(table, name, definition.removesuffix(" NOT VALID")) for table, name, definition in cursor]
        cursor.execute(
            "SELECT t, pg_get_serial_sequence(t, 'id') FROM unnest(%s::text[]) t ORDER BY 1", [list(FACT_TABLES)]
        )
        sequences = cursor.fetchall()
    return {"constraints": constraints, "sequences": sequences}


def extract(directory):
    return write_extract(
        directory,
        jeunes=[young("J1"), young("J2")],
        contacts=[contact("J1", "2011-01-03"), contact("J2", "2011-02-03")],
        situations=[],
        dispositifs=[],
    )


def test_the_swapped_fact_tables_keep_the_keys_names_and_sequences_of_the_migrations(tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("Tables échangées seulement sur PostgreSQL.")
    before = schema()

    extract_import = run_import(extract(tmp_path / "x"))

    assert extract_import.status == ImportStatus.SUCCEEDED, extract_import.errors
    assert schema() == before
    # The sequences go on after the imported ids: a later single insert gets a free id.
    person = YoungPerson.objects.get(id_jeune="J1")
    added = Contact.objects.create(young_person=person, contact_on="2011-03-01", kind="ATELIER")
    assert added.pk not in set(Contact.objects.exclude(pk=added.pk).values_list("pk", flat=True))


def test_a_second_import_replaces_the_swapped_tables_again(tmp_path):
    run_import(extract(tmp_path / "a"))
    second = write_extract(
        tmp_path / "b",
        jeunes=[young("J9")],
        contacts=[contact("J9", "2011-05-03")],
        situations=[],
        dispositifs=[],
    )

    extract_import = run_import(second)

    assert extract_import.status == ImportStatus.SUCCEEDED, extract_import.errors
    assert list(YoungPerson.objects.values_list("id_jeune", flat=True)) == ["J9"]
    assert Contact.objects.get().young_person.id_jeune == "J9"


def test_the_recompute_refuses_an_import_whose_facts_are_gone():
    # A restored or emptied database: the import record says facts were loaded, none are there.
    extract_import = ExtractImportFactory(row_counts={"jeunes.csv": 2, "contacts.csv": 2})

    with pytest.raises(RecomputeError, match="ne sont plus en base"):
        snapshot_recompute(extract_import_id=extract_import.pk)
