"""Structures of similar size: bands by quintile of the young people accompanied the year before,
small groups merged, their references computed by the recompute, shown and exported beside the
region and the nation (dashboard.recompute.peers)."""

from __future__ import annotations

import csv
import io
import statistics
from datetime import date

import pytest
from django.core.cache import cache

from cnml.models import Role
from dashboard.models import IndicatorValue
from dashboard.models.snapshots import PEERS_SCOPE
from dashboard.recompute import snapshot_recompute
from dashboard.recompute.peers import MIN_GROUP, size_bands
from tests.dashboard.factories import make_import
from tests.dashboard.test_pages import NBSP, row_text, text_of, welcome
from tests.factories import MissionLocaleFactory

pytestmark = pytest.mark.django_db

SIZES = range(1, 13)  # twelve missions locales: 1 to 12 young people accompanied in 2010


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


# --- The bands -----------------------------------------------------------------------------


def test_twenty_five_structures_of_distinct_sizes_make_five_quintiles_of_five():
    bands = size_bands({f"ML{n:02d}": n for n in range(1, 26)})

    assert [len(band) for band in bands] == [5, 5, 5, 5, 5]
    assert bands[0] == ["ML01", "ML02", "ML03", "ML04", "ML05"]
    assert bands[-1][-1] == "ML25"


def test_structures_of_equal_size_always_share_a_band():
    sizes = {f"ML{n:02d}": (10 if n <= 12 else n) for n in range(1, 26)}

    bands = size_bands(sizes)

    tens = [code for code, size in sizes.items() if size == 10]
    assert any(set(tens) <= set(band) for band in bands)
    assert sum(len(band) for band in bands) == 25


def test_a_group_of_fewer_than_five_is_merged_with_the_next_band_and_the_last_with_the_one_before():
    # Twelve structures: quintile bands of 2, 2, 3, 2, 3 structures.
    bands = size_bands({f"ML{n:02d}": n for n in SIZES})

    assert [len(band) for band in bands] == [7, 5]
    assert all(len(band) >= MIN_GROUP for band in bands)
    # Six: the small first bands merge up to 5, the last band (1) joins the one before.
    assert [len(band) for band in size_bands({f"ML{n}": n for n in range(1, 7)})] == [6]


def test_fewer_than_five_structures_make_one_group_and_none_without_sizes():
    assert size_bands({"A": 3, "B": 40}) == [["A", "B"]]
    assert size_bands({}) == []


# --- Computed by the recompute -------------------------------------------------------------


@pytest.fixture
def twelve(network):
    """Twelve missions locales of region Alpha: n young people in 2010 and in 2011, n // 2 of them trained."""
    make_import(extracted_on=date(2011, 12, 31), provisional=True)
    structures = []
    for n in SIZES:
        ml = MissionLocaleFactory(code=f"MLP{n:02d}", name=f"Mission locale Pair {n:02d}", region=network.region_a)
        welcome(ml, date(2010, 3, 1), count=n)
        welcome(ml, date(2011, 3, 1), count=n, trained=n // 2)
        structures.append(ml)
    return snapshot_recompute(), structures


def test_the_recompute_bands_each_year_by_the_year_before_and_stores_the_groups_references(twelve):
    snapshot, _ = twelve

    groups = snapshot.peer_groups
    # 2010 is the first year: no year before, no peers.
    assert list(groups) == ["2011"]
    year = groups["2011"]
    assert year["basis"] == "2010-T4"
    # MLA1, MLA2... of the network have nobody in 2010: no size, in no group.
    assert [(band["low"], band["high"], len(band["members"])) for band in year["bands"]] == [(1, 7, 7), (8, 12, 5)]
    large = year["bands"][1]
    assert large["members"] == ["MLP08", "MLP09", "MLP10", "MLP11", "MLP12"]

    values = {
        (row.indicator, row.period): row
        for row in IndicatorValue.objects.filter(snapshot=snapshot, scope_kind=PEERS_SCOPE, scope_code=large["code"])
    }
    # A count: the median of the group's structures; a rate: all their young people together.
    assert values[("jeunes_accueillis", "2011-T4")].value == statistics.median(range(8, 13))
    rate = values[("taux_emploi_ou_formation", "2011-T4")]
    assert (rate.numerator, rate.denominator) == (sum(n // 2 for n in range(8, 13)), sum(range(8, 13)))
    assert rate.value == pytest.approx(100 * 24 / 50)
    assert not IndicatorValue.objects.filter(snapshot=snapshot, scope_kind=PEERS_SCOPE, period__startswith="2010")
    assert snapshot.value_count == IndicatorValue.objects.filter(snapshot=snapshot).count()


def test_the_structure_page_compares_with_its_peers_states_the_bands_and_lists_them(twelve, client_for, users):
    snapshot, _ = twelve
    users[Role.DIRECTEUR].structure = structure = twelve[1][9]  # MLP10, in the group of 8 to 12
    users[Role.DIRECTEUR].save(update_fields=["structure"])

    response = client_for(users[Role.DIRECTEUR]).get(f"/tableau-de-bord/structures/{structure.code}/")

    assert response.status_code == 200
    text = text_of(response)
    assert "Structures de taille comparable" in text
    # 2010-T4 -> 2011-T4: 10 welcomed, region Alpha 78 (1 + ... + 12), nation 78, peers' median 10.
    assert row_text(response, "Jeunes accueillis") == f"10 10 0,0{NBSP}% → stable 78 78 10"
    assert "Les 5 structures qui ont accompagné de 8 à 12 jeunes en 2010 (groupe 2 sur 2)" in text
    assert "groupe 1 : de 1 à 7 jeunes accompagnés en 2010 (7\u00a0structures)" in text
    assert "cinq groupes de taille (quintiles)" in text
    details = response.content.decode().split("<details", 1)[1].split("</details>", 1)[0]
    assert [f"Mission locale Pair {n:02d}" in details for n in SIZES] == [n >= 8 for n in SIZES]


def test_the_structure_page_with_peers_stays_within_ten_queries(
    twelve, client_for, users, django_assert_max_num_queries
):
    users[Role.DIRECTEUR].structure = twelve[1][0]
    users[Role.DIRECTEUR].save(update_fields=["structure"])
    client = client_for(users[Role.DIRECTEUR])

    with django_assert_max_num_queries(10):
        response = client.get("/tableau-de-bord/structures/MLP01/")

    assert "Les 7 structures qui ont accompagné de 1 à 7 jeunes en 2010" in text_of(response)


def test_the_structure_exports_carry_the_peers_reference(twelve, client_for, users):
    users[Role.DIRECTEUR].structure = twelve[1][11]
    users[Role.DIRECTEUR].save(update_fields=["structure"])

    response = client_for(users[Role.DIRECTEUR]).get("/tableau-de-bord/structures/MLP12/export.csv")

    rows = list(csv.DictReader(io.StringIO(response.content.decode().lstrip("\ufeff")), delimiter=";"))
    by_code = {row["Code"]: row for row in rows}
    column = "Référence des structures de taille comparable (groupe 2)"
    assert by_code["jeunes_accueillis"][column] == "10"
    assert by_code["taux_emploi_ou_formation"][column] == "48,0"


def test_a_year_without_the_year_before_has_no_peers_and_says_why(twelve, client_for, users):
    users[Role.DIRECTEUR].structure = twelve[1][0]
    users[Role.DIRECTEUR].save(update_fields=["structure"])

    response = client_for(users[Role.DIRECTEUR]).get("/tableau-de-bord/structures/MLP01/", {"periode": "2010-T4"})

    text = text_of(response)
    assert "Structures de taille comparable" not in text
    assert "Pas de comparaison avec des structures de taille comparable pour 2010" in text
