"""Objectives (issue 14): the seed, the arithmetic, who reads and sets what, the pages and their exports."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import openpyxl
import pytest
from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from cnml.models import Region, Role
from dashboard import permissions
from dashboard.models.objectives import Objective
from dashboard.objectives.pages import ObjectiveLine, rank_lines
from dashboard.objectives.progress import Progress, months_elapsed
from dashboard.objectives.selectors import ObjectiveFigures
from dashboard.objectives.services import objective_set, objectives_split
from tests.dashboard.test_pages import empty_cache, make_snapshot, text_of  # noqa: F401 - fixture
from tests.migrations import shipped

pytestmark = pytest.mark.django_db

THIN = "\u202f"
NBSP = "\u00a0"
OBJECTIVES = "/tableau-de-bord/objectifs/"
SPLIT_A = "/tableau-de-bord/regions/901/objectifs/"

# --- The seed -----------------------------------------------------------------------------------


def test_a_fresh_install_carries_the_two_national_objectives_of_2011():
    # pytest-django builds the test database by running every migration on an empty database.
    seeded = {
        (objective.indicator, objective.target): objective.source
        for objective in Objective.objects.filter(year=2011, scope_kind="national")
    }
    assert set(seeded) == {("alternance", 50_000), ("ani_entrees", 20_000)}
    assert "président du CNML" in seeded[("alternance", 50_000)]


def test_the_seed_migration_run_again_adds_nothing():
    shipped("dashboard").seed(apps, None)
    assert Objective.objects.filter(year=2011, scope_kind="national").count() == 2


# --- The arithmetic ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("quarter", "value", "projection", "share", "remaining", "gap"),
    [
        (1, 12_345, 49_380, "24.7", 37_655, -620),  # × 12 / 3
        (2, 24_000, 48_000, "48.0", 26_000, -2_000),  # × 12 / 6
        (3, 37_000, 49_333, "74.0", 13_000, -667),  # × 12 / 9 = 49 333,33…
        (3, 37_501, 50_001, "75.0", 12_499, 1),  # 50 001,33… rounded down
        (4, 51_000, 51_000, "102.0", 0, 1_000),  # the year is over: the value itself
    ],
)
def test_the_projection_keeps_the_pace_of_the_months_elapsed(quarter, value, projection, share, remaining, gap):
    progress = Progress(target=50_000, value=value, quarter=quarter)

    assert progress.months == 3 * quarter
    assert progress.projection == projection
    assert str(progress.share) == share
    assert progress.remaining == remaining
    assert progress.projected_gap == gap
    assert progress.on_track is (gap >= 0)


def test_a_projection_rounds_half_up_and_an_unknown_value_projects_nothing():
    assert Progress(target=10, value=1, quarter=3).projection == 1  # 1,33
    assert Progress(target=10, value=5, quarter=3).projection == 7  # 6,67
    assert Progress(target=10, value=3, quarter=3).projection == 4  # 4,0
    assert Progress(target=8, value=1, quarter=1).share == Decimal("12.5")
    assert Progress(target=3, value=2, quarter=1).share == Decimal("66.7")
    unknown = Progress(target=50_000, value=None, quarter=2)
    assert (unknown.share, unknown.projection, unknown.remaining, unknown.projected_gap) == (None, None, None, None)
    with pytest.raises(ValueError):
        months_elapsed(5)


def _line(name: str, value: int | None, target: int = 100) -> ObjectiveLine:
    region = Region(pk=ord(name), code=name, name=name)
    objective = Objective(
        indicator="alternance", year=2011, scope_kind="region", region=region, target=target, source="s"
    )
    return ObjectiveLine(ObjectiveFigures(objective, [None, None, value, None]), Progress(target, value, 3))


def test_equal_shares_as_printed_share_their_rank_ex_aequo_and_unknown_ones_come_last_unranked():
    ranked = rank_lines([_line("C", 50), _line("A", 80), _line("D", None), _line("B", 50), _line("E", 20)])

    assert [(line.scope_label, line.rank_text) for line in ranked] == [
        ("A", "1er"),
        ("C", "2e ex aequo"),
        ("B", "2e ex aequo"),
        ("E", "4e"),
        ("D", "non classée"),
    ]


# --- Who reads and sets what ---------------------------------------------------------------------


@pytest.fixture
def objectives(network, users):
    """The seed's national objectives, one for region A and B, one for MLA1 and MLB1 (alternance 2011)."""
    regional_a = Objective.objects.create(
        indicator="alternance", year=2011, scope_kind="region", region=network.region_a, target=30_000, source="CNML"
    )
    Objective.objects.create(
        indicator="alternance", year=2011, scope_kind="region", region=network.region_b, target=30_000, source="CNML"
    )
    Objective.objects.create(
        indicator="alternance", year=2011, scope_kind="structure", structure=network.ml_a1, target=900, source="ARML"
    )
    Objective.objects.create(
        indicator="alternance", year=2011, scope_kind="structure", structure=network.ml_b1, target=700, source="ARML"
    )
    return regional_a


def _readable(user) -> set[tuple[str, str]]:
    return {(each.scope_kind, each.scope_code) for each in permissions.readable_objectives(user)}


NATIONAL_ONES = {("national", "")}


@pytest.mark.parametrize(
    ("who", "reads"),
    [
        (None, NATIONAL_ONES),
        (Role.CONSEILLER, NATIONAL_ONES | {("structure", "MLA1")}),
        (Role.DIRECTEUR, NATIONAL_ONES | {("structure", "MLA1")}),
        (Role.ANIMATEUR_REGIONAL, NATIONAL_ONES | {("region", "901"), ("structure", "MLA1")}),
        (
            Role.RELECTEUR_CNML,
            NATIONAL_ONES | {("region", "901"), ("region", "902"), ("structure", "MLA1"), ("structure", "MLB1")},
        ),
        (
            Role.ADMINISTRATEUR,
            NATIONAL_ONES | {("region", "901"), ("region", "902"), ("structure", "MLA1"), ("structure", "MLB1")},
        ),
    ],
)
def test_each_role_reads_the_objectives_of_its_scope(objectives, users, who, reads):
    from django.contrib.auth.models import AnonymousUser

    assert _readable(users[who] if who else AnonymousUser()) == reads


@pytest.mark.parametrize(
    ("who", "national_or_regional", "own_region_structure", "other_region_structure"),
    [
        (Role.CONSEILLER, False, False, False),
        (Role.DIRECTEUR, False, False, False),
        (Role.ANIMATEUR_REGIONAL, False, True, False),
        (Role.RELECTEUR_CNML, True, True, True),
        (Role.ADMINISTRATEUR, True, True, True),
    ],
)
def test_cnml_roles_set_every_objective_and_an_animator_those_of_its_region_s_structures(
    network, users, who, national_or_regional, own_region_structure, other_region_structure
):
    user = users[who]
    assert permissions.may_set_objective(user, scope_kind="national") is national_or_regional
    assert permissions.may_set_objective(user, scope_kind="region", region=network.region_a) is national_or_regional
    assert permissions.may_set_objective(user, scope_kind="structure", structure=network.ml_a1) is own_region_structure
    assert (
        permissions.may_set_objective(user, scope_kind="structure", structure=network.ml_b1) is other_region_structure
    )
    setting = {"indicator": "alternance", "year": 2012, "target": 10, "source": "test"}
    if national_or_regional:
        assert objective_set(user=user, scope_kind="region", region=network.region_a, **setting).set_by == user
    else:
        with pytest.raises(PermissionDenied):
            objective_set(user=user, scope_kind="region", region=network.region_a, **setting)


def test_an_objective_is_a_number_of_young_people_of_a_known_count_indicator(users):
    user = users[Role.RELECTEUR_CNML]
    for indicator in ("inconnu", "taux_emploi_ou_formation"):
        with pytest.raises(ValidationError):
            objective_set(user=user, indicator=indicator, year=2011, scope_kind="national", target=5, source="x")


@pytest.mark.parametrize(
    ("who", "status"),
    [
        (None, 302),
        (Role.CONSEILLER, 404),
        (Role.DIRECTEUR, 404),
        (Role.ANIMATEUR_REGIONAL, 200),
        (Role.RELECTEUR_CNML, 200),
        (Role.ADMINISTRATEUR, 200),
    ],
)
def test_the_split_page_opens_for_the_region_s_animator_and_cnml_roles_only(client_for, users, objectives, who, status):
    response = client_for(users[who] if who else None).get(SPLIT_A)
    assert response.status_code == status


def test_an_animator_splits_its_region_s_objective_and_the_region_page_says_the_sum_differs(
    client_for, users, network, objectives
):
    animator = users[Role.ANIMATEUR_REGIONAL]
    client = client_for(animator)
    assert client.get("/tableau-de-bord/regions/902/objectifs/").status_code == 404

    response = client.post(
        f"{SPLIT_A}?objectif={objectives.pk}",
        {
            f"structure_{network.ml_a1.pk}": "12000",
            f"structure_{network.ml_a2.pk}": "",
            "source": "Réunion des directeurs",
        },
    )

    assert response.status_code == 302
    mla1 = Objective.objects.get(scope_kind="structure", structure=network.ml_a1, year=2011)
    assert (mla1.target, mla1.source, mla1.set_by) == (12_000, "Réunion des directeurs", animator)
    assert not Objective.objects.filter(scope_kind="structure", structure=network.ml_a2).exists()
    # The other region's structures are out of reach, even by hand.
    with pytest.raises(PermissionDenied):
        objectives_split(
            user=animator,
            region=network.region_a,
            indicator="alternance",
            year=2011,
            targets={network.ml_b1: 5},
            source="x",
        )
    assert Objective.objects.get(structure=network.ml_b1).target == 700


def test_only_cnml_roles_reach_the_objectives_admin_which_records_who_set_them(client_for, users):
    add = reverse("admin:dashboard_objective_add")
    for who in (Role.CONSEILLER, Role.DIRECTEUR, Role.ANIMATEUR_REGIONAL):
        assert client_for(users[who]).get(add).status_code == 302  # to the admin's log-in
    reviewer = users[Role.RELECTEUR_CNML]
    client = client_for(reviewer)
    response = client.post(
        add,
        {"indicator": "formation", "year": "2012", "scope_kind": "national", "target": "1000", "source": "CNML"},
    )
    assert response.status_code == 302
    created = Objective.objects.get(indicator="formation", year=2012)
    assert created.set_by == reviewer and created.set_at is not None


# --- Pages and exports --------------------------------------------------------------------------


@pytest.fixture
def alternance(network, users, objectives):
    """Alternance in 2011: the nation 12 000 / 24 500 / 37 000 at T1-T3; regions A and B 20 000 each at T3."""
    values = {}
    for quarter, national in ((1, 12_000), (2, 24_500), (3, 37_000)):
        period = f"2011-T{quarter}"
        values[("national", "", period, "alternance")] = national
        values[("national", "", period, "jeunes_accueillis")] = 100_000
        values[("region", "901", period, "alternance")] = 20_000 * quarter // 3
        values[("region", "902", period, "alternance")] = 20_000 * quarter // 3
        values[("structure", "MLA1", period, "alternance")] = 300 * quarter
        values[("structure", "MLA1", period, "jeunes_accueillis")] = 1_000
        values[("structure", "MLB1", period, "alternance")] = 100 * quarter
    return make_snapshot(values, periods=["2011-T1", "2011-T2", "2011-T3"], validated_by=users[Role.RELECTEUR_CNML])


def test_the_objectives_page_shows_value_share_projection_and_gaps_and_says_how_it_projects(
    client_for, users, alternance
):
    text = text_of(client_for(users[Role.RELECTEUR_CNML]).get(OBJECTIVES))

    assert "Jeunes en alternance" in text
    # France entière: 37 000 of 50 000 at the end of September; × 12 / 9 = 49 333; 13 000 to go; 667 short.
    assert f"France entière 50{THIN}000 37{THIN}000 74,0{NBSP}% 49{THIN}333 13{THIN}000 −667" in text
    assert "× 12 / nombre de mois écoulés" in text
    # Regions ranked by share reached; equal shares ex aequo; their targets add up to more than the nation's.
    assert f"1er ex aequo Région Alpha 30{THIN}000 20{THIN}000 66,7{NBSP}%" in text
    assert f"1er ex aequo Région Bêta 30{THIN}000 20{THIN}000 66,7{NBSP}%" in text
    assert f"totalisent 60{THIN}000 jeunes pour l'objectif national de 50{THIN}000 : 10{THIN}000 de plus" in text
    # The ANI objective has no figure in this snapshot: said so, never a 0.
    assert "pas de données" in text


def test_the_public_reads_the_national_objectives_only(client, alternance):
    text = text_of(client.get(OBJECTIVES))
    assert f"France entière 50{THIN}000 37{THIN}000" in text
    assert "Région Alpha" not in text


def test_each_dashboard_carries_its_objectives_with_a_chart_and_its_text_alternative(client_for, users, alternance):
    director = client_for(users[Role.DIRECTEUR])
    page = director.get("/tableau-de-bord/structures/MLA1/")
    text = text_of(page)
    # MLA1: 900 at T3 of 900 = 100 %, projected 1 200 (+300); the region's objective is not the director's to read.
    assert f"Mission locale Alpha 1 900 900 100,0{NBSP}% 1{THIN}200 objectif atteint +300" in text
    assert "Région Alpha 30" not in text
    content = page.content.decode()
    assert 'aria-labelledby="objectif-alternance-structure-MLA1-titre' in content
    assert "Les valeurs du graphique : Jeunes en alternance — Mission locale Alpha 1" in text

    region = text_of(client_for(users[Role.ANIMATEUR_REGIONAL]).get("/tableau-de-bord/regions/901/"))
    assert f"Région Alpha 30{THIN}000 20{THIN}000 66,7{NBSP}%" in region
    assert f"1er Mission locale Alpha 1 900 900 100,0{NBSP}%" in region
    assert "Répartir les objectifs de la région" in region

    national = text_of(client_for(users[Role.RELECTEUR_CNML]).get("/tableau-de-bord/"))
    assert "Les régions : classement par part de l'objectif atteinte" in national
    assert "Les objectifs (CSV)" in national  # the CSV of the objectives' table, beside the indicators'


def _csv(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))


def test_the_exports_carry_the_same_table_as_numbers(client_for, users, alternance):
    client = client_for(users[Role.RELECTEUR_CNML])

    rows = _csv(client.get(f"{OBJECTIVES}export.csv", {"periode": "2011-T3"}))
    national = next(
        row for row in rows if row["Périmètre"] == "France entière" and row["Code de l'indicateur"] == "alternance"
    )
    assert (national["Objectif"], national["Valeur cumulée"], national["Part de l'objectif atteinte (%)"]) == (
        "50000",
        "37000",
        "74,0",
    )
    assert (
        national["Projection au 31 décembre"],
        national["Reste à atteindre"],
        national["Écart projeté à l'objectif"],
    ) == (
        "49333",
        "13000",
        "-667",
    )
    alpha = next(row for row in rows if row["Périmètre"] == "Région Alpha")
    assert (alpha["Rang (part atteinte)"], alpha["Ex aequo"]) == ("1", "oui")

    book = openpyxl.load_workbook(io.BytesIO(client.get(f"{OBJECTIVES}export.xlsx").content))
    sheet = list(book["Objectifs"].iter_rows(values_only=True))
    first = dict(zip(sheet[0], sheet[1], strict=True))
    assert (first["Code de l'indicateur"], first["Objectif"], first["Valeur cumulée"]) == ("alternance", 50_000, 37_000)

    pdf = client.get(f"{OBJECTIVES}export.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")

    # A dashboard's CSV gives its objectives table on demand.
    structure_rows = _csv(client.get("/tableau-de-bord/structures/MLA1/export.csv", {"tableau": "objectifs"}))
    assert {row["Périmètre"] for row in structure_rows} >= {"Mission locale Alpha 1", "France entière", "Région Alpha"}
