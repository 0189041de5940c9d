"""``export_indicators``: the stable machine interface of the open-data publication."""

from __future__ import annotations

import csv
import io
import json
from datetime import date

import pytest
from django.core.management import CommandError, call_command

from cnml.models import Role, Structure
from dashboard.publication import snapshot_validate
from dashboard.recompute import snapshot_recompute
from dashboard.selectors import EXPORT_FIELDS
from tests.dashboard.factories import make_import, welcome
from tests.dashboard.test_indicators import CONTRACT, RATES
from tests.factories import MissionLocaleFactory, RegionFactory

pytestmark = pytest.mark.django_db


def export(*args: str) -> str:
    out = io.StringIO()
    call_command("export_indicators", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def extract(db):
    """2010-T2: 4 young people welcomed, 1 in training; 2011-T2: 5 welcomed, 3 in training."""
    make_import(extracted_on=date(2011, 10, 15))
    south = MissionLocaleFactory(code="ML93001", region=RegionFactory(code="93", name="Sud"))
    north = MissionLocaleFactory(code="ML31001", region=RegionFactory(code="31", name="Nord"))
    for index in range(4):
        welcome(south if index < 3 else north, date(2010, 2, 1), trained=index == 0)
    for index in range(5):
        welcome(south if index < 2 else north, date(2011, 5, 1), trained=index < 3)
    return snapshot_recompute()


def test_json_lists_every_indicator_in_the_contract_order_with_value_previous_and_evolution(extract):
    rows = json.loads(export("--period", "2011-T2"))

    assert [row["code"] for row in rows] == [code for code, _ in CONTRACT] + list(RATES)
    assert all(tuple(row) == EXPORT_FIELDS for row in rows)
    by_code = {row["code"]: row for row in rows}
    assert by_code["jeunes_accueillis"] == {
        "code": "jeunes_accueillis",
        "label": "Jeunes accueillis",
        "value": 5,
        "previous_value": 4,
        "evolution": 25.0,
        "unit": "count",
        "available": True,
    }
    assert by_code["taux_emploi_ou_formation"]["value"] == 60.0
    assert by_code["taux_emploi_ou_formation"]["previous_value"] == 25.0
    assert by_code["taux_emploi_ou_formation"]["evolution"] == 35.0  # points
    assert by_code["taux_emploi_ou_formation"]["unit"] == "percent"
    assert by_code["civis_entrees"]["evolution"] is None  # 0 -> 0
    assert by_code["taux_civis_sorties_positives"]["value"] is None  # no exit


def test_json_of_a_region_and_of_a_structure(extract):
    region = {row["code"]: row for row in json.loads(export("--period", "2011-T2", "--scope", "region:93"))}
    structure = {row["code"]: row for row in json.loads(export("--period", "2011-T2", "--scope", "structure:ML31001"))}

    assert (region["jeunes_accueillis"]["value"], region["jeunes_accueillis"]["previous_value"]) == (2, 3)
    assert region["jeunes_accueillis"]["evolution"] == -33.3
    assert (structure["formation"]["value"], structure["formation"]["previous_value"]) == (1, 0)
    assert structure["formation"]["evolution"] is None


def test_first_year_has_no_previous_value(extract):
    rows = {row["code"]: row for row in json.loads(export("--period", "2010-T2"))}
    assert rows["jeunes_accueillis"]["value"] == 4
    assert rows["jeunes_accueillis"]["previous_value"] is None
    assert rows["jeunes_accueillis"]["evolution"] is None


def test_csv_has_a_header_and_one_line_per_indicator(extract):
    text = export("--period", "2011-T2", "--format", "csv")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))

    assert rows[0] == list(EXPORT_FIELDS)
    assert rows[1] == ["jeunes_accueillis", "Jeunes accueillis", "5", "4", "25.0", "count", "True"]
    assert [row[0] for row in rows[1:]] == [code for code, _ in CONTRACT] + list(RATES)
    rate = next(row for row in rows if row[0] == "taux_emploi_ou_formation")
    assert rate[2:] == ["60.0", "25.0", "35.0", "percent", "True"]
    empty = next(row for row in rows if row[0] == "taux_civis_sorties_positives")
    assert empty[2:] == ["", "", "", "percent", "True"]
    # The import (a factory's) predates the certification column: not available, not 0.
    unavailable = next(row for row in rows if row[0] == "ani_eligibles")
    assert unavailable[2:] == ["", "", "", "count", "False"]


def test_validated_reads_the_latest_validated_snapshot(extract, users):
    with pytest.raises(CommandError, match="Aucun calcul validé"):
        export("--period", "2011-T2", "--validated")
    snapshot_validate(snapshot_id=extract.pk, user=users[Role.RELECTEUR_CNML])
    welcome(Structure.objects.get(code="ML93001"), date(2011, 5, 2))
    snapshot_recompute()  # newer, provisional figures: 6 young people welcomed

    latest = {row["code"]: row["value"] for row in json.loads(export("--period", "2011-T2"))}
    validated = {row["code"]: row["value"] for row in json.loads(export("--period", "2011-T2", "--validated"))}
    assert (latest["jeunes_accueillis"], validated["jeunes_accueillis"]) == (6, 5)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--period", "2011-T5"), "Période inconnue « 2011-T5 »"),
        (("--period", "2008-T2"), "Période 2008-T2 absente du calcul"),
        (("--period", "2011-T4"), "Période 2011-T4 absente du calcul"),
        (("--period", "2011-T2", "--scope", "departement:13"), "Périmètre inconnu « departement:13 »"),
        (("--period", "2011-T2", "--scope", "structure:ML99999"), "Périmètre structure:ML99999 absent du calcul"),
        (("--period", "2011-T2", "--scope", "region:11"), "Périmètre region:11 absent du calcul"),
    ],
)
def test_unknown_period_or_scope_fails_with_a_french_message(extract, args, message):
    with pytest.raises(CommandError, match=message):
        export(*args)


def test_without_snapshot_the_export_says_what_to_do(db):
    with pytest.raises(CommandError, match="Aucun calcul des indicateurs"):
        export("--period", "2011-T2")
