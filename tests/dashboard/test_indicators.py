"""The indicator registry, the periods and the evolution rule (no database)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from dashboard import indicators
from dashboard.indicators import INDICATORS, REGISTRY, Ratio, Section, Unit, evolution, round_rate
from dashboard.models import Snapshot
from dashboard.periods import Period, PeriodError, of_month_year, periods_between

CONTRACT = [
    ("jeunes_accueillis", "Jeunes accueillis"),
    ("premiers_accueils", "Jeunes accueillis pour la 1re fois"),
    ("emploi_ou_formation", "Jeunes en emploi ou formation"),
    ("emploi", "en emploi"),
    ("alternance", "en alternance"),
    ("formation", "en formation"),
    ("civis_entrees", "Jeunes entrés en CIVIS"),
    ("civis_accompagnes", "Jeunes accompagnés en CIVIS"),
    ("civis_sorties", "Jeunes sortis du CIVIS"),
    ("civis_sorties_emploi_ou_formation", "Jeunes sortis en emploi ou formation"),
    ("civis_sorties_emploi", "sortis en emploi"),
    ("civis_sorties_emploi_durable", "sortis en emploi durable"),
    ("civis_sorties_alternance", "sortis en alternance"),
    ("civis_sorties_formation", "sortis en formation"),
    ("ani_eligibles", "Jeunes éligibles à l'accompagnement ANI"),
    ("ani_entrees", "Jeunes entrés dans l'accompagnement ANI"),
    ("ani_accompagnes", "Jeunes accompagnés (ANI)"),
    ("ani_sorties", "Jeunes sortis de l'accompagnement ANI"),
    ("ani_sorties_positives", "sortis positivement"),
]
RATES = {
    "taux_premiers_accueils": ("premiers_accueils", "jeunes_accueillis"),
    "taux_emploi_ou_formation": ("emploi_ou_formation", "jeunes_accueillis"),
    "taux_civis_sorties_positives": ("civis_sorties_emploi_ou_formation", "civis_sorties"),
    "taux_civis_emploi_durable": ("civis_sorties_emploi_durable", "civis_sorties"),
    "taux_ani_sorties_positives": ("ani_sorties_positives", "ani_sorties"),
}


def test_registry_holds_the_contract_indicators_in_its_order_with_its_labels():
    assert [(i.code, i.label) for i in INDICATORS[: len(CONTRACT)]] == CONTRACT
    assert [i.code for i in INDICATORS[len(CONTRACT) :]] == list(RATES)
    assert [i.order for i in INDICATORS] == list(range(1, len(INDICATORS) + 1))


def test_rates_are_percentages_of_two_counts_and_counts_are_counts():
    for code, (numerator, denominator) in RATES.items():
        assert REGISTRY[code].computation == Ratio(numerator, denominator)
        assert REGISTRY[code].unit is Unit.PERCENT
    assert {i.unit for i in INDICATORS[: len(CONTRACT)]} == {Unit.COUNT}


def test_sub_lines_are_indented_under_their_parent_as_in_the_newsletter():
    children = {i.code: i.parent for i in INDICATORS if i.parent}
    assert children == {
        "emploi": "emploi_ou_formation",
        "alternance": "emploi_ou_formation",
        "formation": "emploi_ou_formation",
        "civis_sorties_emploi": "civis_sorties_emploi_ou_formation",
        "civis_sorties_emploi_durable": "civis_sorties_emploi_ou_formation",
        "civis_sorties_alternance": "civis_sorties_emploi_ou_formation",
        "civis_sorties_formation": "civis_sorties_emploi_ou_formation",
        "ani_sorties_positives": "ani_sorties",
    }
    # Sub-lines are the lower-case labels, one level down.
    assert all(REGISTRY[code].level == 1 and REGISTRY[code].label[0].islower() for code in children)


def test_display_order_groups_indicators_by_section():
    sections = [i.section for i in indicators.in_display_order()]
    assert sections == sorted(sections, key=list(Section).index)
    assert [s.value for s in Section] == [
        "Accueil des jeunes",
        "Accès à la vie professionnelle",
        "Jeunes en contrat d'insertion dans la vie sociale - CIVIS",
        "Accompagnement ANI des jeunes « décrocheurs »",
    ]
    assert [i.code for i in indicators.in_display_order() if i.section == Section.ACCUEIL] == [
        "jeunes_accueillis",
        "premiers_accueils",
        "taux_premiers_accueils",
    ]


def test_newsletter_evolutions_of_counts():
    # Janvier-juin 2010 -> 2011, national table of the newsletter (page 5).
    assert evolution(958_450, 915_155, Unit.COUNT) == Decimal("4.7")
    assert evolution(222_019, 237_359, Unit.COUNT) == Decimal("-6.5")
    # Printed "-1,4 %" in the newsletter: a sign error.
    assert evolution(282_879, 278_895, Unit.COUNT) == Decimal("1.4")


def test_evolution_of_a_rate_is_a_difference_in_points():
    assert evolution(42.35, 40.0, Unit.PERCENT) == Decimal("2.4")  # rounded half away from zero
    assert evolution(40.0, 42.35, Unit.PERCENT) == Decimal("-2.4")
    assert evolution(100 * 2 / 3, 50.0, "percent") == Decimal("16.7")


def test_evolution_is_unknown_without_a_previous_value_or_from_zero():
    assert evolution(10, None, Unit.COUNT) is None
    assert evolution(None, 10, Unit.COUNT) is None
    assert evolution(10, 0, Unit.COUNT) is None
    assert evolution(12.0, None, Unit.PERCENT) is None
    assert evolution(10, 10, Unit.COUNT) == Decimal("0.0")
    assert str(evolution(100_000, 100_001, Unit.COUNT)) == "0.0"  # never "-0.0"


def test_counts_round_half_away_from_zero():
    assert evolution(1_005, 1_000, Unit.COUNT) == Decimal("0.5")
    assert evolution(20_001, 20_000, Unit.COUNT) == Decimal("0.0")
    assert evolution(10_005, 10_000, Unit.COUNT) == Decimal("0.1")  # 0.05 -> 0.1
    assert evolution(9_995, 10_000, Unit.COUNT) == Decimal("-0.1")  # -0.05 -> -0.1
    assert round_rate(12.25) == Decimal("12.3")


@pytest.mark.parametrize(
    ("code", "start", "end", "label"),
    [
        ("2011-T1", date(2011, 1, 1), date(2011, 3, 31), "janvier-mars 2011"),
        ("2011-T2", date(2011, 1, 1), date(2011, 6, 30), "janvier-juin 2011"),
        ("2011-T3", date(2011, 1, 1), date(2011, 9, 30), "janvier-septembre 2011"),
        ("2011-T4", date(2011, 1, 1), date(2011, 12, 31), "janvier-décembre 2011"),
    ],
)
def test_periods_are_cumulative_from_january_with_inclusive_bounds(code, start, end, label):
    period = Period.parse(code)
    assert (period.start, period.end, period.label, period.code) == (start, end, label, code)
    assert period.previous.code == code.replace("2011", "2010")


@pytest.mark.parametrize("code", ["2011-T5", "2011T2", "T2-2011", "", "2011-t2", "11-T2"])
def test_unknown_period_codes_are_rejected_in_french(code):
    with pytest.raises(PeriodError, match="Période inconnue"):
        Period.parse(code)


def test_only_periods_ending_on_or_before_the_extraction_date_are_kept():
    assert [p.code for p in periods_between(2011, date(2011, 10, 15))] == ["2011-T1", "2011-T2", "2011-T3"]
    assert [p.code for p in periods_between(2011, date(2011, 6, 30))] == ["2011-T1", "2011-T2"]
    assert [p.code for p in periods_between(2011, date(2011, 6, 29))] == ["2011-T1"]
    assert len(periods_between(2009, date(2012, 1, 1))) == 12


def test_months_take_the_right_article():
    assert of_month_year(date(2011, 10, 15)) == "d'octobre 2011"
    assert of_month_year(date(2011, 4, 1)) == "d'avril 2011"
    assert of_month_year(date(2011, 8, 1)) == "d'août 2011"
    assert of_month_year(date(2011, 6, 30)) == "de juin 2011"
    assert of_month_year(date(2011, 2, 1)) == "de février 2011"


def test_provenance_line_as_the_newsletter_prints_it():
    snapshot = Snapshot(source_label="Parcours 3, entrepôt national", extracted_on=date(2011, 10, 3))
    snapshot.data_provisional = True
    assert snapshot.provenance == (
        "Source : Parcours 3, entrepôt national (données provisoires d'octobre 2011). Exploitation CNML-COPEXEN"
    )
    snapshot.data_provisional = False
    assert snapshot.provenance == (
        "Source : Parcours 3, entrepôt national (données d'octobre 2011). Exploitation CNML-COPEXEN"
    )
    snapshot.extracted_on = date(2012, 6, 2)
    snapshot.source_label = "Parcours 3"
    assert snapshot.provenance == "Source : Parcours 3 (données de juin 2012). Exploitation CNML-COPEXEN"
