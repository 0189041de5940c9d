"""Reads for the pages: a scope's figures with year-before values, references, ranks and series."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from dashboard import selectors
from dashboard.indicators import Section
from dashboard.models.snapshots import IndicatorValue, ScopeKind
from dashboard.periods import Period, PeriodError
from dashboard.recompute import snapshot_recompute
from dashboard.selectors import Scope, ScopeError
from tests.dashboard.factories import make_import, welcome
from tests.factories import MissionLocaleFactory, RegionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def snapshot(db):
    """Region 93: ML93001 (2010-T2: 2 welcomed; 2011-T2: 4, 3 trained), ML93002 (2011-T2: 2, 0 trained).
    Region 31: ML31001 (2011-T2: 4, 1 trained)."""
    make_import(extracted_on=date(2011, 10, 15))
    south, north = RegionFactory(code="93", name="Sud"), RegionFactory(code="31", name="Nord")
    ml1 = MissionLocaleFactory(code="ML93001", region=south)
    ml2 = MissionLocaleFactory(code="ML93002", region=south)
    ml3 = MissionLocaleFactory(code="ML31001", region=north)
    for _ in range(2):
        welcome(ml1, date(2010, 3, 1))
    for index in range(4):
        welcome(ml1, date(2011, 2, 1) if index < 2 else date(2011, 5, 1), trained=index < 3)
        welcome(ml3, date(2011, 5, 1), trained=index == 0)
    for _ in range(2):
        welcome(ml2, date(2011, 5, 1))
    return snapshot_recompute()


def test_structure_table_has_values_year_before_evolution_and_references(snapshot, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):
        figures = {f.code: f for f in selectors.indicator_table(snapshot, Scope.parse("structure:ML93001"), "2011-T2")}

    welcomed = figures["jeunes_accueillis"]
    assert (welcomed.value, welcomed.previous_value, welcomed.evolution) == (4, 2, Decimal("100.0"))
    assert welcomed.direction == "up"
    assert (welcomed.region_value, welcomed.national_value) == (6, 10)
    rate = figures["taux_emploi_ou_formation"]
    assert (rate.value, rate.region_value, rate.national_value) == (75.0, 50.0, 40.0)
    assert (rate.numerator, rate.denominator) == (3, 4)
    assert rate.previous_value == 0.0 and rate.evolution == Decimal("75.0")  # points
    assert (rate.rank, rate.rank_count, rate.quartile) == (1, 3, 1)  # the best is in the 1st quartile


def test_tables_follow_the_newsletter_sections_or_the_contract_order(snapshot):
    display = selectors.indicator_table(snapshot, Scope.national(), "2011-T2")
    contract = selectors.indicator_table(snapshot, Scope.national(), "2011-T2", order="contract")
    sections = [f.indicator.section for f in display]
    assert sections == sorted(sections, key=list(Section).index)
    assert [f.code for f in contract][-5:] == [
        "taux_premiers_accueils",
        "taux_emploi_ou_formation",
        "taux_civis_sorties_positives",
        "taux_civis_emploi_durable",
        "taux_ani_sorties_positives",
    ]
    assert all(f.region_value is None and f.national_value is None for f in display)


def test_region_table_is_compared_with_the_nation(snapshot):
    figures = {f.code: f for f in selectors.indicator_table(snapshot, Scope.for_region("93"), Period(2011, 2))}
    assert figures["jeunes_accueillis"].value == 6
    assert figures["jeunes_accueillis"].national_value == 10
    assert figures["jeunes_accueillis"].region_value is None


def test_series_runs_over_every_quarter_of_the_snapshot(snapshot, django_assert_num_queries):
    with django_assert_num_queries(1):
        series = selectors.series(snapshot, Scope.parse("structure:ML93001"), codes=["jeunes_accueillis"])
    assert [(period.code, value) for period, value in series["jeunes_accueillis"]] == [
        ("2010-T1", 2),
        ("2010-T2", 2),
        ("2010-T3", 2),
        ("2010-T4", 2),
        ("2011-T1", 2),
        ("2011-T2", 4),
        ("2011-T3", 4),
    ]


def test_the_recompute_ranks_every_structure_best_first(snapshot):
    ranking = IndicatorValue.objects.filter(
        snapshot=snapshot, scope_kind=ScopeKind.STRUCTURE, indicator="taux_emploi_ou_formation", period="2011-T2"
    ).order_by("rank")
    assert [(row.scope_code, row.rank) for row in ranking] == [("ML93001", 1), ("ML31001", 2), ("ML93002", 3)]


def test_unknown_scopes_and_periods_are_refused_in_french(snapshot):
    with pytest.raises(ScopeError, match="Périmètre inconnu"):
        Scope.parse("commune:13055")
    with pytest.raises(ScopeError, match="absent du calcul"):
        selectors.indicator_table(snapshot, Scope.for_region("11"), "2011-T2")
    with pytest.raises(PeriodError, match="absente du calcul"):
        selectors.indicator_table(snapshot, Scope.national(), "2011-T4")
    assert selectors.default_period(snapshot) == Period(2011, 3)
