"""The recompute on small hand-built extracts with known answers (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from cnml.models import StructureKind
from dashboard import recompute
from dashboard.models import IndicatorValue, ScopeKind, Snapshot, SnapshotStatus
from dashboard.recompute import RecomputeError, snapshot_recompute
from dashboard.selectors import latest_computed_snapshot
from tests.clock import frozen
from tests.dashboard.factories import (
    ContactFactory,
    EnrolmentFactory,
    SituationFactory,
    YoungPersonFactory,
    make_import,
)
from tests.factories import AntenneFactory, MissionLocaleFactory, PaioFactory, RegionFactory

pytestmark = pytest.mark.django_db

END_OF_2011 = date(2011, 12, 31)


def figures(snapshot: Snapshot, kind: str = ScopeKind.NATIONAL, code: str = "") -> dict[tuple[str, str], float]:
    """(indicator, period) -> value for one scope of a snapshot."""
    rows = IndicatorValue.objects.filter(snapshot=snapshot, scope_kind=kind, scope_code=code)
    return {(row.indicator, row.period): row.value for row in rows}


@pytest.fixture
def ml(db):
    return MissionLocaleFactory(code="ML93001", region=RegionFactory(code="93", name="Provence-Alpes-Côte d'Azur"))


def person(ml, **kwargs):
    return YoungPersonFactory(structure=ml, **kwargs)


def test_contacts_on_quarter_boundaries_fall_in_the_right_cumulative_periods(ml):
    make_import(extracted_on=END_OF_2011)
    for day in (date(2010, 12, 31), date(2011, 1, 1), date(2011, 3, 31), date(2011, 4, 1), date(2011, 6, 30)):
        ContactFactory(young_person=person(ml), contact_on=day)
    ContactFactory(young_person=person(ml), contact_on=date(2011, 7, 1))

    values = figures(snapshot_recompute())

    assert values[("jeunes_accueillis", "2010-T4")] == 1  # 31 December 2010
    assert values[("jeunes_accueillis", "2010-T3")] == 0
    assert values[("jeunes_accueillis", "2011-T1")] == 2  # 1 January and 31 March
    assert values[("jeunes_accueillis", "2011-T2")] == 4  # + 1 April and 30 June
    assert values[("jeunes_accueillis", "2011-T3")] == 5  # + 1 July
    assert values[("jeunes_accueillis", "2011-T4")] == 5


def test_a_young_person_with_many_contacts_counts_once_and_t2_is_not_t1_plus_a_quarter(ml):
    make_import(extracted_on=END_OF_2011)
    busy = person(ml)
    for day in (date(2011, 1, 5), date(2011, 2, 5), date(2011, 3, 5), date(2011, 5, 5), date(2011, 6, 5)):
        ContactFactory(young_person=busy, contact_on=day)
    ContactFactory(young_person=busy, contact_on=date(2010, 11, 2))
    late = person(ml)
    ContactFactory(young_person=late, contact_on=date(2011, 5, 2))
    ContactFactory(young_person=late, contact_on=date(2011, 5, 3))

    values = figures(snapshot_recompute())

    assert values[("jeunes_accueillis", "2011-T1")] == 1
    assert values[("jeunes_accueillis", "2011-T2")] == 2  # not 1 (T1) + 2 (people seen in Q2)
    assert values[("jeunes_accueillis", "2010-T4")] == 1  # the same person counts in each year


def test_first_receptions_are_counted_by_their_date_with_inclusive_bounds(ml):
    make_import(extracted_on=END_OF_2011)
    for day in (date(2010, 12, 31), date(2011, 1, 1), date(2011, 3, 31), date(2011, 4, 1), date(2011, 7, 1)):
        young = person(ml, first_reception_on=day)
        ContactFactory(young_person=young, contact_on=day)

    values = figures(snapshot_recompute())

    assert values[("premiers_accueils", "2010-T4")] == 1
    assert values[("premiers_accueils", "2011-T1")] == 2
    assert values[("premiers_accueils", "2011-T2")] == 3
    assert values[("premiers_accueils", "2011-T3")] == 4
    assert values[("taux_premiers_accueils", "2011-T3")] == pytest.approx(100.0)


def test_situations_starting_in_the_period_count_by_kind_and_immersions_do_not(ml):
    make_import(extracted_on=END_OF_2011)
    cdd = person(ml)
    SituationFactory(young_person=cdd, kind="EMPLOI", contract="CDD", start_on=date(2011, 3, 31))
    apprenti = person(ml)
    SituationFactory(young_person=apprenti, kind="EMPLOI", contract="APPRENTISSAGE", start_on=date(2011, 1, 1))
    pro = person(ml)
    SituationFactory(young_person=pro, kind="EMPLOI", contract="PROFESSIONNALISATION", start_on=date(2011, 6, 30))
    trainee = person(ml)
    SituationFactory(young_person=trainee, kind="FORMATION", start_on=date(2011, 4, 1))
    both = person(ml)  # a job and a training in the same period: once in "emploi ou formation"
    SituationFactory(young_person=both, kind="EMPLOI", contract="CDI", start_on=date(2011, 2, 1))
    SituationFactory(young_person=both, kind="FORMATION", start_on=date(2011, 2, 15))
    immersion = person(ml)
    SituationFactory(young_person=immersion, kind="IMMERSION", start_on=date(2011, 2, 1))
    ongoing = person(ml)  # started the year before, still running: not "starting in" 2011
    SituationFactory(young_person=ongoing, kind="EMPLOI", contract="CDI", start_on=date(2010, 12, 31))
    ContactFactory(young_person=ongoing, contact_on=date(2010, 12, 1))  # 2010 is a year of the extract
    july = person(ml)
    SituationFactory(young_person=july, kind="EMPLOI", contract="APPRENTISSAGE", start_on=date(2011, 7, 1))

    values = figures(snapshot_recompute())

    assert values[("emploi_ou_formation", "2011-T1")] == 3  # cdd, apprenti, both
    assert values[("emploi", "2011-T1")] == 3
    assert values[("alternance", "2011-T1")] == 1
    assert values[("formation", "2011-T1")] == 1  # both
    assert values[("emploi_ou_formation", "2011-T2")] == 5  # + pro, trainee
    assert values[("emploi", "2011-T2")] == 4
    assert values[("alternance", "2011-T2")] == 2
    assert values[("formation", "2011-T2")] == 2
    assert values[("alternance", "2011-T3")] == 3
    assert values[("emploi_ou_formation", "2010-T4")] == 1  # ongoing, in its own year


def test_civis_entries_and_followed_young_people_overlap_the_period(ml):
    make_import(extracted_on=END_OF_2011)
    ContactFactory(young_person=person(ml), contact_on=date(2010, 1, 15))  # 2010 is a year of the extract
    EnrolmentFactory(young_person=person(ml), entry_on=date(2010, 6, 1))  # still running
    EnrolmentFactory(
        young_person=person(ml), entry_on=date(2010, 3, 1), exit_on=date(2010, 12, 31), exit_reason="AUTRE"
    )
    EnrolmentFactory(young_person=person(ml), entry_on=date(2010, 3, 1), exit_on=date(2011, 1, 1), exit_reason="AUTRE")
    EnrolmentFactory(
        young_person=person(ml), entry_on=date(2011, 3, 31), exit_on=date(2011, 4, 2), exit_reason="EMPLOI"
    )
    EnrolmentFactory(young_person=person(ml), entry_on=date(2011, 4, 1))
    EnrolmentFactory(young_person=person(ml), entry_on=date(2011, 7, 1))
    twice = person(ml)  # two enrolments: one young person
    EnrolmentFactory(young_person=twice, entry_on=date(2011, 1, 10), exit_on=date(2011, 2, 1), exit_reason="ABANDON")
    EnrolmentFactory(young_person=twice, entry_on=date(2011, 2, 10))
    # Other programmes are not CIVIS.
    EnrolmentFactory(young_person=person(ml), programme="ANI", entry_on=date(2011, 2, 1))
    EnrolmentFactory(
        young_person=person(ml),
        programme="CONTRAT_AUTONOMIE",
        entry_on=date(2011, 2, 1),
        exit_on=date(2011, 3, 1),
        exit_reason="EMPLOI",
    )

    values = figures(snapshot_recompute())

    assert values[("civis_entrees", "2011-T1")] == 2  # 31 March, twice
    assert values[("civis_entrees", "2011-T2")] == 3  # + 1 April
    assert values[("civis_entrees", "2011-T3")] == 4  # + 1 July
    assert values[("civis_entrees", "2010-T1")] == 2
    # Running since 2010, left on 1 January 2011, entered 31 March, twice.
    assert values[("civis_accompagnes", "2011-T1")] == 4
    assert values[("civis_accompagnes", "2011-T2")] == 5  # + entered 1 April
    assert values[("civis_accompagnes", "2011-T3")] == 6  # + entered 1 July
    assert values[("civis_accompagnes", "2010-T4")] == 3  # the three entered in 2010
    assert values[("civis_sorties", "2011-T1")] == 2  # 1 January, twice's first enrolment
    assert values[("civis_sorties", "2011-T2")] == 3  # + 2 April
    assert values[("civis_sorties", "2010-T4")] == 1
    assert values[("civis_sorties_emploi", "2011-T2")] == 1  # the contrat d'autonomie does not count


EXIT_REASONS = ("EMPLOI_DURABLE", "EMPLOI", "ALTERNANCE", "FORMATION", "ABANDON", "DEMENAGEMENT", "LIMITE_AGE", "AUTRE")


def test_every_civis_exit_reason_lands_in_its_categories(ml):
    make_import(extracted_on=END_OF_2011)
    for reason in EXIT_REASONS:
        EnrolmentFactory(
            young_person=person(ml), entry_on=date(2010, 5, 1), exit_on=date(2011, 2, 1), exit_reason=reason
        )
    # An exit after the period is not counted in it.
    EnrolmentFactory(young_person=person(ml), entry_on=date(2010, 5, 1), exit_on=date(2011, 4, 1), exit_reason="EMPLOI")

    values = figures(snapshot_recompute())

    assert values[("civis_sorties", "2011-T1")] == 8
    assert values[("civis_sorties_emploi_ou_formation", "2011-T1")] == 4
    assert values[("civis_sorties_emploi", "2011-T1")] == 3
    assert values[("civis_sorties_emploi_durable", "2011-T1")] == 1
    assert values[("civis_sorties_alternance", "2011-T1")] == 1
    assert values[("civis_sorties_formation", "2011-T1")] == 1
    assert values[("taux_civis_sorties_positives", "2011-T1")] == pytest.approx(50.0)
    assert values[("taux_civis_emploi_durable", "2011-T1")] == pytest.approx(12.5)
    assert values[("civis_sorties", "2011-T2")] == 9
    assert values[("civis_sorties_emploi", "2011-T2")] == 4
    assert values[("taux_civis_sorties_positives", "2011-T2")] == pytest.approx(500 / 9)


def test_rates_are_ratios_of_counts_and_are_undefined_without_denominator(ml):
    make_import(extracted_on=END_OF_2011)
    for index in range(4):
        young = person(ml, first_reception_on=date(2011, 2, 1) if index == 0 else date(2009, 1, 1))
        ContactFactory(young_person=young, contact_on=date(2011, 2, 1))
        if index < 3:
            SituationFactory(young_person=young, kind="FORMATION", start_on=date(2011, 3, 1))

    snapshot = snapshot_recompute()
    values = figures(snapshot)
    rate = IndicatorValue.objects.get(
        snapshot=snapshot, scope_kind="national", period="2011-T1", indicator="taux_emploi_ou_formation"
    )

    assert values[("taux_premiers_accueils", "2011-T1")] == pytest.approx(25.0)
    assert (rate.numerator, rate.denominator, rate.value) == (3, 4, pytest.approx(75.0))
    assert values[("taux_civis_sorties_positives", "2011-T1")] is None  # no CIVIS exit


def contacts_in_january(structure, contacted: int, trained: int) -> None:
    """``contacted`` young people of ``structure`` with a contact on 15 January 2011, the first ``trained`` of
    them in training from 1 February."""
    for index in range(contacted):
        young = YoungPersonFactory(structure=structure)
        ContactFactory(young_person=young, contact_on=date(2011, 1, 15))
        if index < trained:
            SituationFactory(young_person=young, kind="FORMATION", start_on=date(2011, 2, 1))


def test_regions_and_nation_are_sums_of_their_structures_and_rates_are_recomputed(db):
    make_import(extracted_on=END_OF_2011)
    north, south = RegionFactory(code="31", name="Nord"), RegionFactory(code="93", name="Sud")
    ml_north1 = MissionLocaleFactory(code="ML31001", region=north)
    ml_north2 = PaioFactory(code="ML31002", region=north)
    ml_south = MissionLocaleFactory(code="ML93001", region=south)
    AntenneFactory(code="ML93001A1", parent=ml_south)
    idle = MissionLocaleFactory(code="ML93002", region=south)
    plan = {ml_north1: (3, 1), ml_north2: (2, 2), ml_south: (5, 1)}  # contacts, of whom in training
    for structure, (contacted, trained) in plan.items():
        contacts_in_january(structure, contacted, trained)

    snapshot = snapshot_recompute()
    national = figures(snapshot)
    region_north = figures(snapshot, "region", "31")
    region_south = figures(snapshot, "region", "93")

    assert region_north[("jeunes_accueillis", "2011-T1")] == 5
    assert region_south[("jeunes_accueillis", "2011-T1")] == 5
    assert national[("jeunes_accueillis", "2011-T1")] == 10
    assert national[("formation", "2011-T2")] == 4
    assert region_north[("taux_emploi_ou_formation", "2011-T1")] == pytest.approx(60.0)  # 3 / 5, not mean of rates
    assert national[("taux_emploi_ou_formation", "2011-T1")] == pytest.approx(40.0)
    # A structure with no young people has zeros; antennes have no figures of their own.
    assert figures(snapshot, "structure", idle.code)[("jeunes_accueillis", "2011-T1")] == 0
    assert not IndicatorValue.objects.filter(snapshot=snapshot, scope_code="ML93001A1").exists()
    for code in registry_codes():
        if code in snapshot.unavailable:  # ani_eligibles: the import (a factory's) has no certification column
            continue
        for period in snapshot.periods:
            structures = IndicatorValue.objects.filter(
                snapshot=snapshot, scope_kind="structure", indicator=code, period=period
            ).values_list("value", flat=True)
            if not code.startswith("taux_"):
                assert national[(code, period)] == sum(structures)


def registry_codes() -> list[str]:
    from dashboard.indicators import REGISTRY

    return list(REGISTRY)


def test_rates_rank_structures_best_first_equal_rates_ex_aequo_with_quartiles(db):
    make_import(extracted_on=END_OF_2011)
    region = RegionFactory(code="93", name="Sud")
    shares = {"ML93001": (1, 4), "ML93002": (3, 4), "ML93003": (2, 4), "ML93004": (2, 4)}
    for code, (trained, contacted) in shares.items():
        contacts_in_january(MissionLocaleFactory(code=code, region=region), contacted, trained)

    snapshot = snapshot_recompute()
    ranks = {
        row.scope_code: (row.rank, row.rank_count, row.quartile, row.rank_ex_aequo)
        for row in IndicatorValue.objects.filter(
            snapshot=snapshot, scope_kind="structure", indicator="taux_emploi_ou_formation", period="2011-T1"
        )
    }

    assert ranks == {
        "ML93002": (1, 4, 1, False),
        "ML93003": (2, 4, 2, True),
        "ML93004": (2, 4, 2, True),
        "ML93001": (4, 4, 4, False),
    }


def test_periods_end_on_or_before_the_extraction_date(ml):
    ContactFactory(young_person=person(ml), contact_on=date(2009, 5, 1))
    make_import(extracted_on=date(2011, 10, 15))
    assert snapshot_recompute().periods == [f"{year}-T{q}" for year in (2009, 2010) for q in (1, 2, 3, 4)] + [
        "2011-T1",
        "2011-T2",
        "2011-T3",
    ]
    make_import(extracted_on=date(2011, 9, 30))
    assert snapshot_recompute().periods[-1] == "2011-T3"
    make_import(extracted_on=date(2011, 9, 29))
    assert snapshot_recompute().periods[-1] == "2011-T2"


def test_rerunning_gives_the_same_values_in_a_new_snapshot_that_becomes_the_latest(ml):
    make_import(extracted_on=END_OF_2011)
    for day in (date(2011, 1, 1), date(2011, 5, 1)):
        young = person(ml, first_reception_on=day)
        ContactFactory(young_person=young, contact_on=day)
        EnrolmentFactory(young_person=young, entry_on=day, exit_on=date(2011, 8, 1), exit_reason="FORMATION")

    first = snapshot_recompute()
    second = snapshot_recompute()

    assert second.pk != first.pk
    assert latest_computed_snapshot() == second
    assert first.value_count == second.value_count > 0
    assert figures(first) == figures(second)
    assert figures(first, "structure", ml.code) == figures(second, "structure", ml.code)


def test_snapshot_records_the_import_provenance(ml):
    ContactFactory(young_person=person(ml), contact_on=date(2011, 1, 3))
    extract_import = make_import(extracted_on=date(2011, 10, 15), provisional=True)

    snapshot = snapshot_recompute(extract_import_id=extract_import.pk)

    assert snapshot.status == SnapshotStatus.COMPUTED
    assert snapshot.extract_import == extract_import
    assert snapshot.extracted_on == date(2011, 10, 15)
    assert snapshot.provenance == (
        "Source : Parcours 3, entrepôt national (données provisoires d'octobre 2011). Exploitation CNML-COPEXEN"
    )


def test_a_failed_recompute_leaves_the_previous_snapshot_as_the_latest(ml, monkeypatch):
    make_import(extracted_on=END_OF_2011)
    ContactFactory(young_person=person(ml), contact_on=date(2011, 2, 1))
    previous = snapshot_recompute()
    ContactFactory(young_person=person(ml), contact_on=date(2011, 2, 1))
    store = recompute._store_values

    def store_half_then_fail(snapshot_id, rows):
        store(snapshot_id, rows[: len(rows) // 2])
        raise RuntimeError("disque plein")

    monkeypatch.setattr(recompute, "_store_values", store_half_then_fail)
    with pytest.raises(RuntimeError, match="disque plein"):
        snapshot_recompute()

    failed = Snapshot.objects.exclude(pk=previous.pk).get()
    assert failed.status == SnapshotStatus.FAILED
    assert "disque plein" in failed.error
    assert not failed.values.exists()  # the half written is rolled back
    assert latest_computed_snapshot() == previous
    assert figures(previous)[("jeunes_accueillis", "2011-T1")] == 1


def test_recompute_without_a_successful_import_fails_clearly(ml):
    make_import(status="echoue")
    with pytest.raises(RecomputeError, match="Aucun import réussi"):
        snapshot_recompute()
    assert Snapshot.objects.get().status == SnapshotStatus.FAILED
    assert latest_computed_snapshot() is None


def test_recompute_of_an_older_import_is_attributed_to_the_facts_in_place(ml):
    ContactFactory(young_person=person(ml), contact_on=date(2011, 1, 3))
    older = make_import(extracted_on=date(2011, 7, 1))
    newer = make_import(extracted_on=date(2011, 10, 15))
    assert snapshot_recompute(extract_import_id=older.pk).extract_import == newer


@frozen
def test_a_snapshot_left_computing_is_ignored_then_marked_failed(ml):
    make_import(extracted_on=END_OF_2011)
    ContactFactory(young_person=person(ml), contact_on=date(2011, 2, 1))
    done = snapshot_recompute()
    stale = Snapshot.objects.create(status=SnapshotStatus.COMPUTING)
    Snapshot.objects.filter(pk=stale.pk).update(created_at=timezone.now() - timedelta(days=2))

    assert latest_computed_snapshot() == done
    snapshot_recompute()
    stale.refresh_from_db()
    assert stale.status == SnapshotStatus.FAILED
    assert "interrompu" in stale.error


def test_structures_receiving_young_people_are_the_ml_and_paio(ml):
    make_import(extracted_on=END_OF_2011)
    paio = PaioFactory(code="PAIO93", region=ml.region)
    ContactFactory(young_person=person(paio), contact_on=date(2011, 2, 1))
    snapshot = snapshot_recompute()
    scopes = set(
        IndicatorValue.objects.filter(snapshot=snapshot, scope_kind="structure").values_list("scope_code", flat=True)
    )
    assert scopes == {ml.code, "PAIO93"}
    assert paio.kind == StructureKind.PAIO


def test_recompute_reports_large_quarterly_moves_and_sub_lines_in_the_import_quality_report(ml):
    from dashboard.services import QUALITY_LARGE_MOVES, QUALITY_SUB_LINES

    extract_import = make_import(extracted_on=date(2011, 10, 15))
    for _ in range(20):  # Q1: 20, Q2: 20 more, Q3: 45 more (+125 %)
        ContactFactory(young_person=person(ml), contact_on=date(2011, 2, 1))
        ContactFactory(young_person=person(ml), contact_on=date(2011, 5, 1))
    for _ in range(45):
        ContactFactory(young_person=person(ml), contact_on=date(2011, 8, 1))

    snapshot_recompute()

    extract_import.refresh_from_db()
    checks = extract_import.quality_report["snapshot_checks"]
    assert checks[QUALITY_SUB_LINES]["rows"] == []  # sub-lines are subsets by definition
    moves = {(row["Périmètre"], row["Indicateur"]): row for row in checks[QUALITY_LARGE_MOVES]["rows"]}
    flow = moves[(ml.code, "Jeunes accueillis (flux du trimestre)")]
    assert (flow["Trimestre précédent"], flow["Ce trimestre"], flow["Variation"]) == (20, 45, "+125,0 %")
    assert ("France entière", "Jeunes accueillis (flux du trimestre)") in moves
    assert all(row["Période"] == "2011-T3" for row in moves.values())
