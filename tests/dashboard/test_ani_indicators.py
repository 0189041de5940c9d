"""The ANI indicators as the contract defines them, on hand-built extracts, at every boundary.

Each test imports a small extract (with the optional ``niveau_certification`` column unless
said otherwise) and recomputes it; values are the nation's cumulative counts of 2011
(T1 = January-March ... T4 = the whole year). Run on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import pytest

from dashboard import indicators as registry
from dashboard import selectors
from dashboard.models import ExitReason, IndicatorValue
from dashboard.recompute import snapshot_recompute
from dashboard.selectors import Scope
from tests.dashboard.ani_extracts import (
    EXTRACTED_ON,
    ani_young,
    import_and_recompute,
    national,
    quarters,
    write_ani_extract,
)
from tests.dashboard.conftest import enrolment, run_import

pytestmark = pytest.mark.django_db

ANI_CODES = ["ani_eligibles", "ani_entrees", "ani_accompagnes", "ani_sorties", "ani_sorties_positives"]
POSITIVE = {"EMPLOI_DURABLE", "ALTERNANCE", "FORMATION", "CREATION_ENTREPRISE", "RETOUR_FORMATION_INITIALE"}
CIVIS_SUB_LINES = [
    "civis_sorties_emploi_ou_formation",
    "civis_sorties_emploi",
    "civis_sorties_emploi_durable",
    "civis_sorties_alternance",
    "civis_sorties_formation",
]


# --- ani_eligibles -------------------------------------------------------------------------


def test_eligibility_ends_on_the_eve_of_the_first_day_of_the_21st_birthday_month(tmp_path):
    snapshot = import_and_recompute(
        write_ani_extract(
            tmp_path / "extract",
            [
                ani_young("JUILLET_DERNIER_JOUR", born="1990-07", first="2011-06-30"),  # under 21: eligible
                ani_young("JUILLET_TROP_TARD", born="1990-07", first="2011-07-01"),  # 21 that month: not
                ani_young("JUIN_DERNIER_JOUR", born="1990-06", first="2011-05-31"),  # under 21: eligible
                ani_young("JUIN_TROP_TARD", born="1990-06", first="2011-06-01"),  # 21 that month: not
            ],
        )
    )

    assert quarters(snapshot, "ani_eligibles") == [0, 2, 2, 2]
    assert quarters(snapshot, "premiers_accueils") == [0, 3, 4, 4]  # all first welcomed in 2011


def test_a_first_welcome_on_1_january_and_on_31_december_counts_in_its_own_year(tmp_path):
    snapshot = import_and_recompute(
        write_ani_extract(
            tmp_path / "extract",
            [
                ani_young("NOUVEL_AN", first="2011-01-01"),
                ani_young("SAINT_SYLVESTRE", first="2011-12-31"),
                ani_young("VEILLE", first="2010-12-31"),
            ],
        )
    )

    assert quarters(snapshot, "ani_eligibles") == [1, 1, 1, 2]
    assert quarters(snapshot, "ani_eligibles", 2010) == [0, 0, 0, 1]


def test_a_civis_or_contrat_d_autonomie_overlapping_the_period_rules_a_young_person_out(tmp_path):
    snapshot = import_and_recompute(
        write_ani_extract(
            tmp_path / "extract",
            [ani_young(f"J{number}") for number in range(1, 8)],
            dispositifs=[
                # Enters CIVIS in May: eligible in January-March, not from January-June on.
                enrolment("J1", "CIVIS", date_entree="2011-05-01"),
                # Left CIVIS on 31 December 2010: just outside 2011, eligible.
                enrolment("J2", "CIVIS", date_entree="2010-03-01", date_sortie="2010-12-31", motif_sortie="AUTRE"),
                # Left CIVIS on 1 January 2011: overlaps every period of 2011.
                enrolment("J3", "CIVIS", date_entree="2010-03-01", date_sortie="2011-01-01", motif_sortie="AUTRE"),
                # A contrat d'autonomie from 1 January 2012: after every period of 2011, eligible.
                enrolment("J4", "CONTRAT_AUTONOMIE", date_entree="2012-01-01"),
                # A contrat d'autonomie running since 2010: never eligible in 2011.
                enrolment("J5", "CONTRAT_AUTONOMIE", date_entree="2010-06-01"),
                # A contrat d'autonomie from 1 October: eligible up to September.
                enrolment("J6", "CONTRAT_AUTONOMIE", date_entree="2011-10-01"),
                # The ANI itself does not rule anybody out.
                enrolment("J7", "ANI", date_entree="2011-03-01"),
            ],
        )
    )

    # T1: J1, J2, J4, J6, J7; T2, T3: J2, J4, J6, J7; T4: J2, J4, J7.
    assert quarters(snapshot, "ani_eligibles") == [5, 4, 4, 3]


@pytest.mark.parametrize(
    ("level", "certification", "eligible"),
    [
        ("VI", "AUCUNE", True),
        ("Vbis", "AUCUNE", True),
        ("V", "AUCUNE", True),
        ("IV", "AUCUNE", True),
        ("III", "AUCUNE", False),
        ("I", "AUCUNE", False),
        ("V", "V", False),
        ("IV", "IV", False),
        ("V", "", False),  # unknown certification: not counted
    ],
)
def test_eligibility_needs_a_low_training_level_and_no_certification(tmp_path, level, certification, eligible):
    snapshot = import_and_recompute(
        write_ani_extract(tmp_path / "extract", [ani_young("J1", level=level, certification=certification)])
    )

    assert quarters(snapshot, "ani_eligibles") == [int(eligible)] * 4


def test_eligible_young_people_are_counted_in_their_structure_region_and_nation(tmp_path):
    snapshot = import_and_recompute(
        write_ani_extract(
            tmp_path / "extract",
            [ani_young("J1", structure="ML93001"), ani_young("J2", structure="ML93002"), ani_young("J3")],
        )
    )

    values = IndicatorValue.objects.filter(snapshot=snapshot, indicator="ani_eligibles", period="2011-T1")
    by_scope = {(row.scope_kind, row.scope_code): row.value for row in values}
    assert by_scope[("structure", "ML93001")] == 2
    assert by_scope[("structure", "ML93002")] == 1
    assert by_scope[("structure", "PAIO93003")] == 0
    assert by_scope[("region", "93")] == 3
    assert by_scope[("national", "")] == 3


# --- Entries, follow-up, exits ---------------------------------------------------------------


def test_entries_and_young_people_followed_use_the_civis_overlap_rules(tmp_path):
    snapshot = import_and_recompute(
        write_ani_extract(
            tmp_path / "extract",
            [ani_young(f"J{number}") for number in range(1, 6)],
            dispositifs=[
                enrolment("J1", "ANI", date_entree="2011-01-01"),
                enrolment("J2", "ANI", date_entree="2011-12-31"),
                # Left on 31 December 2010: not followed in 2011; left on 1 January 2011: followed.
                enrolment("J3", "ANI", date_entree="2010-05-01", date_sortie="2010-12-31", motif_sortie="EMPLOI"),
                enrolment("J4", "ANI", date_entree="2010-05-01", date_sortie="2011-01-01", motif_sortie="EMPLOI"),
                enrolment("J5", "CIVIS", date_entree="2011-02-01"),  # not the ANI
            ],
        )
    )

    assert quarters(snapshot, "ani_entrees") == [1, 1, 1, 2]
    assert quarters(snapshot, "ani_entrees", 2010) == [0, 2, 2, 2]
    assert quarters(snapshot, "ani_accompagnes") == [2, 2, 2, 3]
    assert quarters(snapshot, "ani_sorties") == [1, 1, 1, 1]
    assert quarters(snapshot, "ani_sorties", 2010) == [0, 0, 0, 1]


@pytest.mark.parametrize("reason", ExitReason.values)
def test_each_exit_reason_counts_where_the_contract_says(tmp_path, reason):
    snapshot = import_and_recompute(
        write_ani_extract(
            tmp_path / "extract",
            [ani_young("J1"), ani_young("J2")],
            dispositifs=[
                enrolment("J1", "ANI", date_entree="2011-02-01", date_sortie="2011-04-15", motif_sortie=reason),
                enrolment("J2", "CIVIS", date_entree="2011-02-01", date_sortie="2011-04-15", motif_sortie=reason),
            ],
        )
    )

    positive = reason in POSITIVE
    assert quarters(snapshot, "ani_sorties") == [0, 1, 1, 1]
    assert quarters(snapshot, "ani_sorties_positives") == [0, int(positive)] + [int(positive)] * 2
    assert quarters(snapshot, "taux_ani_sorties_positives") == [
        None,
        100.0 * positive,
        100.0 * positive,
        100.0 * positive,
    ]
    assert quarters(snapshot, "civis_sorties") == [0, 1, 1, 1]
    civis = {code: national(snapshot, code)["2011-T2"] for code in CIVIS_SUB_LINES}
    if reason in ("CREATION_ENTREPRISE", "RETOUR_FORMATION_INITIALE"):
        # In civis_sorties only, in none of its sub-lines.
        assert set(civis.values()) == {0}
    else:
        assert civis["civis_sorties_emploi_ou_formation"] == int(
            reason in ("EMPLOI_DURABLE", "EMPLOI", "ALTERNANCE", "FORMATION")
        )


def test_the_positive_exit_rate_is_rounded_half_away_from_zero(tmp_path):
    reasons = ["EMPLOI_DURABLE"] + ["ABANDON"] * 2  # 1 / 3 = 33,333… %
    snapshot = import_and_recompute(
        write_ani_extract(
            tmp_path / "extract",
            [ani_young(f"J{number}") for number in range(3)],
            dispositifs=[
                enrolment(f"J{number}", "ANI", date_entree="2011-02-01", date_sortie="2011-03-01", motif_sortie=reason)
                for number, reason in enumerate(reasons)
            ],
        )
    )

    rows = selectors.export_rows(snapshot, Scope.national(), "2011-T1")
    rate = next(row for row in rows if row["code"] == "taux_ani_sorties_positives")
    assert (rate["value"], rate["unit"], rate["available"]) == (33.3, "percent", True)


# --- Availability --------------------------------------------------------------------------


def test_without_the_certification_column_eligibles_are_not_available_never_zero(tmp_path):
    snapshot = import_and_recompute(
        write_ani_extract(
            tmp_path / "extract",
            [ani_young("J1")],
            dispositifs=[enrolment("J1", "ANI", date_entree="2011-02-01")],
            with_certification=False,
        )
    )

    assert snapshot.unavailable == ["ani_eligibles"]
    assert "ani_eligibles" in snapshot.indicators
    assert national(snapshot, "ani_eligibles") == {}  # no value at all, not a 0
    assert quarters(snapshot, "ani_entrees") == [1, 1, 1, 1]  # the other ANI indicators are
    rows = {row["code"]: row for row in selectors.export_rows(snapshot, Scope.national(), "2011-T2")}
    assert rows["ani_eligibles"]["value"] is None
    assert rows["ani_eligibles"]["available"] is False
    assert rows["ani_entrees"]["available"] is True


def test_with_the_column_every_indicator_is_available(tmp_path):
    snapshot = import_and_recompute(write_ani_extract(tmp_path / "extract", [ani_young("J1")]))

    assert snapshot.unavailable == []
    assert all(selectors.is_available(snapshot, code) for code in ANI_CODES)


def test_a_later_extract_without_the_column_leaves_the_earlier_snapshot_as_it_was(tmp_path):
    first = import_and_recompute(write_ani_extract(tmp_path / "first", [ani_young("J1")]))
    second = import_and_recompute(write_ani_extract(tmp_path / "second", [ani_young("J1")], with_certification=False))

    first.refresh_from_db()
    assert (first.unavailable, second.unavailable) == ([], ["ani_eligibles"])
    assert quarters(first, "ani_eligibles") == [1, 1, 1, 1]


# --- Older snapshots -----------------------------------------------------------------------


def test_a_recompute_records_the_registry_it_was_computed_with(tmp_path):
    path = write_ani_extract(tmp_path / "extract", [ani_young("J1")])
    extract_import = run_import(path, extracted_on=EXTRACTED_ON)

    snapshot = snapshot_recompute(extract_import_id=extract_import.pk)

    assert snapshot.indicators == [indicator.code for indicator in registry.INDICATORS]
    assert set(ANI_CODES) | {"taux_ani_sorties_positives"} <= set(snapshot.indicators)
