"""The contract grows: the optional ``niveau_certification`` column and the two new exit reasons.

Run on SQLite and on PostgreSQL (the COPY path): ``DATABASE_URL=postgres://… pytest tests/dashboard``.
"""

from __future__ import annotations

import pytest

from dashboard.models import Enrolment, ExtractImport, YoungPerson
from tests.dashboard.ani_extracts import EXTRACTED_ON, ani_young, write_ani_extract
from tests.dashboard.conftest import enrolment, run_import

pytestmark = pytest.mark.django_db


def test_the_certification_level_is_imported_and_the_column_recorded_as_present(tmp_path):
    path = write_ani_extract(
        tmp_path / "extract",
        [
            ani_young("J1", certification="AUCUNE"),
            ani_young("J2", certification="IV"),
            ani_young("J3", certification=""),
        ],
    )

    extract_import = run_import(path, extracted_on=EXTRACTED_ON)

    assert extract_import.status == "reussi", extract_import.errors
    assert extract_import.has_certification is True
    levels = dict(YoungPerson.objects.values_list("id_jeune", "certification_level"))
    assert (levels["J1"], levels["J2"], levels["J3"]) == ("AUCUNE", "IV", "")  # empty = unknown


def test_an_extract_without_the_optional_column_still_imports_and_says_so(tmp_path):
    path = write_ani_extract(tmp_path / "extract", [ani_young("J1")], with_certification=False)

    extract_import = run_import(path, extracted_on=EXTRACTED_ON)

    assert extract_import.status == "reussi", extract_import.errors
    assert extract_import.has_certification is False
    assert set(YoungPerson.objects.values_list("certification_level", flat=True)) == {""}


def test_the_column_may_come_anywhere_in_the_header(tmp_path):
    path = write_ani_extract(tmp_path / "extract", [ani_young("J1", certification="V")])
    lines = (path / "jeunes.csv").read_text().splitlines()
    moved = [";".join([cells[-1], *cells[:-1]]) for cells in (line.split(";") for line in lines)]
    (path / "jeunes.csv").write_text("\n".join(moved) + "\n")

    extract_import = run_import(path, extracted_on=EXTRACTED_ON)

    assert extract_import.status == "reussi", extract_import.errors
    assert YoungPerson.objects.get(id_jeune="J1").certification_level == "V"


@pytest.mark.parametrize("code", ["BAC", "aucune", "VI"])
def test_an_unknown_certification_code_is_an_error_naming_file_line_and_column(tmp_path, facts_state, code):
    path = write_ani_extract(tmp_path / "extract", [ani_young("J1"), ani_young("J2", certification=code)])
    before = facts_state()

    extract_import = run_import(path, extracted_on=EXTRACTED_ON)

    assert extract_import.status == "echoue"
    # Line 1 is the header, line 2 the anchor, line 3 J1, line 4 J2.
    assert extract_import.errors == [
        f"jeunes.csv, ligne 4, colonne niveau_certification : code inconnu « {code} » "
        "(attendu : AUCUNE, V, IV, III, II ou I)"
    ]
    assert ExtractImport.objects.get(pk=extract_import.pk).has_certification is None
    assert facts_state() == before


@pytest.mark.parametrize("reason", ["CREATION_ENTREPRISE", "RETOUR_FORMATION_INITIALE"])
@pytest.mark.parametrize("programme", ["CIVIS", "ANI"])
def test_the_new_exit_reasons_are_accepted(tmp_path, reason, programme):
    path = write_ani_extract(
        tmp_path / "extract",
        [ani_young("J1")],
        dispositifs=[
            enrolment("J1", programme, date_entree="2011-02-01", date_sortie="2011-05-02", motif_sortie=reason)
        ],
    )

    extract_import = run_import(path, extracted_on=EXTRACTED_ON)

    assert extract_import.status == "reussi", extract_import.errors
    assert list(Enrolment.objects.values_list("programme", "exit_reason")) == [(programme, reason)]


def test_an_exit_reason_is_still_checked_against_the_contract(tmp_path):
    path = write_ani_extract(
        tmp_path / "extract",
        [ani_young("J1")],
        dispositifs=[
            enrolment("J1", "ANI", date_entree="2011-02-01", date_sortie="2011-05-02", motif_sortie="CREATION")
        ],
    )

    extract_import = run_import(path, extracted_on=EXTRACTED_ON)

    assert extract_import.status == "echoue"
    assert extract_import.errors[0].startswith(
        "dispositifs.csv, ligne 2, colonne motif_sortie : code inconnu « CREATION »"
    )
    assert "CREATION_ENTREPRISE, RETOUR_FORMATION_INITIALE" in extract_import.errors[0]
