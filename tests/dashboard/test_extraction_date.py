"""An extraction date is neither in the future nor before 2000: in the model, the service, the admin, the command
and the worker (a date read from the last contact)."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, transaction

from cnml.models import Role
from dashboard.models import ExtractImport, ImportStatus
from dashboard.services import extract_import_create, extract_import_run
from tests.clock import TODAY, frozen
from tests.dashboard.conftest import contact, write_extract, young, zip_extract
from tests.dashboard.test_import_admin import upload

# "Today" is the frozen one: the expected messages name it, and the parameters below are built at collection.
pytestmark = [pytest.mark.django_db, frozen, pytest.mark.usefixtures("private_media")]


def tomorrow() -> date:
    return TODAY + timedelta(days=1)


def future_message(day: date) -> str:
    return (
        f"La date d'extraction ({day:%d/%m/%Y}) est dans le futur : une extraction est datée au plus "
        f"d'aujourd'hui ({TODAY:%d/%m/%Y})."
    )


TOO_OLD = "La date d'extraction (31/12/1999) est antérieure au 01/01/2000 : vérifiez-la."


def extract(directory, last_contact="2011-03-01"):
    return write_extract(directory, jeunes=[young("J1")], contacts=[contact("J1", last_contact)])


@pytest.mark.parametrize(
    ("day", "message"),
    [(date(2030, 1, 1), future_message(date(2030, 1, 1))), (date(1999, 12, 31), TOO_OLD)],
    ids=["2030", "1999"],
)
def test_the_model_refuses_a_date_in_the_future_or_before_2000(day, message):
    with pytest.raises(ValidationError) as raised:
        ExtractImport(extracted_on=day).full_clean()

    assert raised.value.message_dict == {"extracted_on": [message]}


def test_the_model_accepts_today_and_no_date():
    ExtractImport(extracted_on=TODAY).full_clean()
    ExtractImport(extracted_on=None).full_clean()


def test_the_database_refuses_a_date_before_2000_whatever_writes_it(tmp_path):
    extract_import = extract_import_create(path=tmp_path, extracted_on=date(2011, 10, 31))

    with pytest.raises(IntegrityError), transaction.atomic():
        ExtractImport.objects.filter(pk=extract_import.pk).update(extracted_on=date(1999, 12, 31))


def test_the_service_refuses_a_date_in_the_future(tmp_path):
    with pytest.raises(ValidationError) as raised:
        extract_import_create(path=extract(tmp_path / "x"), extracted_on=tomorrow())

    assert raised.value.message_dict == {"extracted_on": [future_message(tomorrow())]}
    assert not ExtractImport.objects.exists()


@pytest.mark.parametrize("day", ["2030-01-01", "1999-12-31"])
def test_the_admin_form_refuses_the_date_and_keeps_what_was_typed(day, users, client_for, tmp_path, private_media):
    archive = zip_extract(extract(tmp_path / "x"), tmp_path / "extraction.zip")

    response = upload(client_for(users[Role.ADMINISTRATEUR]), archive, extracted_on=day, source_label="Entrepôt")

    page = response.content.decode()
    assert response.status_code == 200
    expected = future_message(date(2030, 1, 1)) if day.startswith("2030") else TOO_OLD
    assert expected.replace("'", "&#x27;") in page
    assert 'value="Entrepôt"' in page
    assert not ExtractImport.objects.exists()
    assert not private_media.exists() or not any(private_media.rglob("*.zip"))


@pytest.mark.parametrize("day", ["2030-01-01", "1999-12-31"])
def test_the_command_refuses_the_date_in_french(day, tmp_path):
    with pytest.raises(CommandError) as raised:
        call_command("import_extract", str(extract(tmp_path / "x")), "--as-of", day, stdout=io.StringIO())

    expected = future_message(date(2030, 1, 1)) if day.startswith("2030") else TOO_OLD
    assert str(raised.value) == f"Import refusé : {expected}"
    assert not ExtractImport.objects.exists()


def test_a_date_read_from_a_last_contact_in_the_future_fails_the_import_and_changes_nothing(
    tmp_path, sample_extract, facts_state
):
    first = extract_import_run(extract_import_id=extract_import_create(path=sample_extract, extracted_on=None).pk)
    assert first.status == ImportStatus.SUCCEEDED, first.errors
    before = facts_state()
    last_contact = tomorrow()

    extract_import = extract_import_run(
        extract_import_id=extract_import_create(
            path=extract(tmp_path / "x", last_contact=last_contact.isoformat()), extracted_on=None
        ).pk
    )

    assert extract_import.status == ImportStatus.FAILED
    assert extract_import.errors == [
        f"contacts.csv : la date d'extraction, lue sur le dernier contact ({last_contact:%d/%m/%Y}), "
        "est dans le futur : indiquez la date d'extraction ou corrigez les contacts."
    ]
    assert extract_import.extracted_on is None
    assert facts_state() == before
