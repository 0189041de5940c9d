"""The dashboard pages: national (public), region and structure (signed in, in scope).

Publication rules (the public sees the latest validated snapshot only; signed-in
users the latest one, flagged when provisional), scope per role (404 outside),
French formatting and arrows, provenance lines, links, and query counts.

Helpers reused by ``test_exports_pages.py``: :func:`make_snapshot` writes a
snapshot with hand-chosen values; the ``figures`` fixture computes one from a
small extract on the ``network`` of ``tests/conftest.py``.
"""

from __future__ import annotations

import html
import re
from datetime import date, timedelta

import pytest
from django.apps import apps
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cnml.models import Role
from dashboard import indicators as registry
from dashboard.apps import DashboardConfig
from dashboard.models import IndicatorValue, Snapshot, SnapshotStatus
from dashboard.publication import snapshot_validate
from dashboard.recompute import snapshot_recompute
from tests.dashboard.factories import ContactFactory, SituationFactory, YoungPersonFactory, make_import

pytestmark = pytest.mark.django_db

THIN = "\u202f"  # thousands separator
NBSP = "\u00a0"
PROVENANCE = "Source : Parcours 3, entrepôt national (données provisoires d'octobre 2011). Exploitation CNML-COPEXEN"

NATIONAL = "/tableau-de-bord/"
REGION_A = "/tableau-de-bord/regions/901/"
REGION_B = "/tableau-de-bord/regions/902/"
STRUCTURE_A1 = "/tableau-de-bord/structures/MLA1/"
STRUCTURE_B1 = "/tableau-de-bord/structures/MLB1/"


@pytest.fixture(autouse=True)
def empty_cache():
    """The pages keep their rendered charts in the cache: each test starts without any."""
    cache.clear()
    yield
    cache.clear()


def make_snapshot(
    values: dict[tuple[str, str, str, str], float | tuple],
    *,
    periods: list[str],
    validated_by=None,
    minutes_ago: int = 0,
    extracted_on: date = date(2011, 10, 15),
    provisional: bool = True,
) -> Snapshot:
    """A computed snapshot holding ``values``: (scope kind, scope code, period, indicator) -> value or (value, rank, count)."""
    snapshot = Snapshot.objects.create(
        status=SnapshotStatus.COMPUTED,
        computed_at=timezone.now() - timedelta(minutes=minutes_ago),
        source_label="Parcours 3, entrepôt national",
        extracted_on=extracted_on,
        data_provisional=provisional,
        periods=periods,
        value_count=len(values),
    )
    rows = []
    for (kind, code, period, indicator), value in values.items():
        value, rank, rank_count = value if isinstance(value, tuple) else (value, None, None)
        rows.append(
            IndicatorValue(
                snapshot=snapshot,
                scope_kind=kind,
                scope_code=code,
                period=period,
                indicator=indicator,
                value=value,
                rank=rank,
                rank_count=rank_count,
            )
        )
    IndicatorValue.objects.bulk_create(rows)
    if validated_by is not None:
        snapshot = snapshot_validate(snapshot_id=snapshot.pk, user=validated_by)
    return snapshot


# The newsletter's national table, janvier-juin 2010 -> 2011 (seed newsletter, page 5).
NEWSLETTER = {
    "jeunes_accueillis": (915155, 958450),
    "premiers_accueils": (237359, 222019),
    "emploi_ou_formation": (278895, 282879),
    "emploi": (181754, 194361),
    "alternance": (7353, 7116),
    "formation": (107262, 98179),
    "civis_entrees": (102163, 87694),
    "civis_accompagnes": (247908, 243481),
    "civis_sorties": (94603, 113837),
    "civis_sorties_emploi_ou_formation": (45018, 54164),
    "civis_sorties_emploi": (36644, 43692),
    "civis_sorties_emploi_durable": (22604, 28264),
    "civis_sorties_alternance": (5047, 6088),
    "civis_sorties_formation": (9242, 11660),
}


def newsletter_values() -> dict:
    values = {}
    for code, (before, after) in NEWSLETTER.items():
        values[("national", "", "2010-T2", code)] = before
        values[("national", "", "2011-T2", code)] = after
    for rate in registry.rates():
        numerator, denominator = rate.computation.numerator, rate.computation.denominator
        if numerator not in NEWSLETTER:  # the ANI rate: the newsletter's table predates it
            continue
        for index, period in enumerate(("2010-T2", "2011-T2")):
            values[("national", "", period, rate.code)] = (
                100 * NEWSLETTER[numerator][index] / NEWSLETTER[denominator][index]
            )
    return values


def text_of(response) -> str:
    """The page's visible text, tags removed, spaces collapsed (narrow and no-break spaces kept)."""
    content = response.content.decode()
    content = re.sub(r"<(script|style|svg)\b.*?</\1>", " ", content, flags=re.S)
    content = html.unescape(re.sub(r"<[^>]+>", " ", content))
    return re.sub(r"[ \t\r\n]+", " ", content)


def _plain(fragment: str) -> str:
    # Only ASCII spaces collapse: the narrow and no-break spaces of French figures stay.
    return re.sub(r"[ \t\r\n]+", " ", html.unescape(re.sub(r"<[^>]+>", " ", fragment))).strip(" ")


def row_text(response, label: str) -> str:
    """The cells' text of the first table row whose header cell reads ``label``."""
    for header, cells in re.findall(
        r'<tr>\s*<th scope="row"[^>]*>(.*?)</th>(.*?)</tr>', response.content.decode(), re.S
    ):
        if _plain(header) == label:
            return _plain(cells)
    raise AssertionError(f"ligne « {label} » absente")


# --- A small extract computed for real -----------------------------------------------------


def welcome(structure, day: date, *, count: int = 1, trained: int = 0) -> None:
    for index in range(count):
        young = YoungPersonFactory(structure=structure, first_reception_on=day)
        ContactFactory(young_person=young, contact_on=day)
        if index < trained:
            SituationFactory(young_person=young, kind="FORMATION", start_on=day)


@pytest.fixture
def figures(network):
    """A computed (provisional) snapshot: 2010-T1..2011-T3 for MLA1, MLA2 (region A) and MLB1 (region B)."""
    make_import(extracted_on=date(2011, 10, 15), provisional=True)
    welcome(network.ml_a1, date(2010, 2, 1), count=4, trained=1)
    welcome(network.ml_a1, date(2011, 2, 1), count=5, trained=3)
    welcome(network.ml_a2, date(2010, 3, 1), count=2, trained=1)
    welcome(network.ml_a2, date(2011, 3, 1), count=2, trained=2)
    welcome(network.ml_b1, date(2011, 5, 1), count=3)
    return snapshot_recompute()


@pytest.fixture
def published(figures, users):
    return snapshot_validate(snapshot_id=figures.pk, user=users[Role.RELECTEUR_CNML])


# --- Publication ---------------------------------------------------------------------------


def test_public_page_says_nothing_is_published_when_no_snapshot_is_validated(client, figures):
    response = client.get(NATIONAL)

    assert response.status_code == 200
    text = text_of(response)
    assert "Le tableau de bord n'est pas encore publié" in text
    assert "Jeunes accueillis" not in text
    assert "Chiffres provisoires" not in text


def test_signed_in_users_see_the_provisional_snapshot_clearly_flagged(client_for, users, figures):
    response = client_for(users[Role.DIRECTEUR]).get(NATIONAL)

    text = text_of(response)
    assert "Chiffres provisoires" in text
    assert "n'ont pas encore été validés par le CNML" in text
    assert "fr-alert--warning" in response.content.decode()
    # 2011-T3, the latest complete period: 6 young people welcomed in 2010, 10 in 2011 (MLA1 5, MLA2 2, MLB1 3).
    assert row_text(response, "Jeunes accueillis").startswith("6 10 ")


def test_anonymous_sees_the_latest_validated_snapshot_and_not_a_newer_provisional_one(client, client_for, users):
    reviewer = users[Role.RELECTEUR_CNML]
    periods = ["2010-T2", "2011-T2"]
    make_snapshot(
        {("national", "", "2010-T2", "jeunes_accueillis"): 100, ("national", "", "2011-T2", "jeunes_accueillis"): 110},
        periods=periods,
        validated_by=reviewer,
        minutes_ago=60,
    )
    make_snapshot(
        {("national", "", "2010-T2", "jeunes_accueillis"): 100, ("national", "", "2011-T2", "jeunes_accueillis"): 999},
        periods=periods,
    )

    public = client.get(NATIONAL)
    assert row_text(public, "Jeunes accueillis").startswith("100 110 +10,0")
    assert "Chiffres validés par le CNML" in text_of(public)
    assert "Chiffres provisoires" not in text_of(public)

    signed_in = client_for(users[Role.CONSEILLER]).get(NATIONAL)
    assert row_text(signed_in, "Jeunes accueillis").startswith("100 999 ")
    assert "Chiffres provisoires" in text_of(signed_in)


def test_a_validated_snapshot_is_not_flagged_provisional_for_signed_in_users(client_for, users, published):
    text = text_of(client_for(users[Role.DIRECTEUR]).get(NATIONAL))

    assert "Chiffres validés par le CNML" in text
    assert "Chiffres provisoires" not in text


def test_every_table_and_chart_carries_the_provenance_line(client_for, users, published):
    for path in (NATIONAL, REGION_A, STRUCTURE_A1):
        content = html.unescape(client_for(users[Role.RELECTEUR_CNML]).get(path).content.decode())
        charts = content.count('aria-controls="donnees-graphique-')  # the indicators' (not the objectives')
        assert charts == len(registry.INDICATORS)
        # Under the indicator table, under every chart (and under the region's table of structures).
        assert content.count(PROVENANCE) >= charts + 1


# --- The national table as the newsletter prints it ----------------------------------------


@pytest.fixture
def newsletter(users):
    return make_snapshot(newsletter_values(), periods=["2010-T2", "2011-T2"], validated_by=users[Role.RELECTEUR_CNML])


def test_national_table_reproduces_the_newsletter_in_french_number_formatting(client, newsletter):
    response = client.get(NATIONAL)

    assert row_text(response, "Jeunes accueillis") == f"915{THIN}155 958{THIN}450 +4,7{NBSP}% ↗ en hausse"
    assert (
        row_text(response, "Jeunes accueillis pour la 1re fois") == f"237{THIN}359 222{THIN}019 −6,5{NBSP}% ↘ en baisse"
    )
    # Printed "- 1,4 %" in the newsletter, a sign error: the figures rise.
    assert row_text(response, "Jeunes en emploi ou formation") == f"278{THIN}895 282{THIN}879 +1,4{NBSP}% ↗ en hausse"
    assert row_text(response, "sortis en emploi durable") == f"22{THIN}604 28{THIN}264 +25,0{NBSP}% ↗ en hausse"
    text = text_of(response)
    assert "Janvier-juin 2010" in text
    assert "Janvier-juin 2011" in text
    assert PROVENANCE in text


def test_rates_are_percentages_and_their_evolution_is_in_points(client, newsletter):
    response = client.get(NATIONAL)

    # 222 019 / 958 450 = 23,2 % ; 237 359 / 915 155 = 25,9 % ; difference −2,8 points (from the unrounded rates).
    assert row_text(response, "Part des jeunes accueillis pour la 1re fois") == (
        f"25,9{NBSP}% 23,2{NBSP}% −2,8{NBSP}pt ↘ en baisse"
    )


def test_a_stable_figure_gets_a_flat_arrow_and_an_unknown_one_a_dash(client, users):
    make_snapshot(
        {
            ("national", "", "2010-T2", "jeunes_accueillis"): 500,
            ("national", "", "2011-T2", "jeunes_accueillis"): 500,
            ("national", "", "2011-T2", "civis_entrees"): 12,
        },
        periods=["2010-T2", "2011-T2"],
        validated_by=users[Role.RELECTEUR_CNML],
    )
    response = client.get(NATIONAL)

    assert row_text(response, "Jeunes accueillis") == f"500 500 0,0{NBSP}% → stable"
    assert row_text(response, "Jeunes entrés en CIVIS") == "– 12 –"


def test_sections_come_in_the_newsletter_order_with_sub_lines_indented(client, newsletter):
    content = client.get(NATIONAL).content.decode()

    sections = re.findall(
        r'<th scope="rowgroup"[^>]*>\s*<span class="dashboard-section-title">([^<]+?)</span>', content
    )
    assert [html.unescape(section) for section in sections] == [
        "Accueil des jeunes",
        "Accès à la vie professionnelle",
        "Jeunes en contrat d'insertion dans la vie sociale - CIVIS",
        "Accompagnement ANI des jeunes « décrocheurs »",
    ]
    for label in ("en emploi", "en alternance", "en formation", "sortis en emploi", "sortis en formation"):
        assert re.search(r'<th scope="row" class="dashboard-level-1">\s*' + label + r"\s*</th>", content), label
    assert re.search(r'<th scope="row">\s*Jeunes en emploi ou formation\s*</th>', content)


def test_the_reader_chooses_the_period_and_an_unknown_one_falls_back_to_the_latest(client, newsletter, users):
    make_snapshot(
        {
            ("national", "", "2010-T1", "jeunes_accueillis"): 300,
            ("national", "", "2011-T1", "jeunes_accueillis"): 330,
            ("national", "", "2011-T2", "jeunes_accueillis"): 660,
        },
        periods=["2010-T1", "2011-T1", "2011-T2"],
        validated_by=users[Role.RELECTEUR_CNML],
    )
    response = client.get(NATIONAL, {"periode": "2011-T1"})
    assert row_text(response, "Jeunes accueillis") == f"300 330 +10,0{NBSP}% ↗ en hausse"
    assert '<option value="2011-T1" selected>' in response.content.decode()
    assert "Janvier-mars 2010" in text_of(response)

    unknown = client.get(NATIONAL, {"periode": "2008-T9"})
    assert "La période « 2008-T9 » n'est pas disponible" in text_of(unknown)
    assert row_text(unknown, "Jeunes accueillis").startswith("– 660 ")


# --- Scope: who reads which page -----------------------------------------------------------


@pytest.fixture
def scoped_users(users, partner):
    """Every role's user, the partner of comités de pilotage (no structure: the public table only) included."""
    return {**users, Role.PARTENAIRE: partner}


# page -> roles (of tests/conftest.py's users, region A, ML A1) that read it
READERS = {
    NATIONAL: {"anonyme", *Role.values},
    STRUCTURE_A1: {Role.CONSEILLER, Role.DIRECTEUR, Role.ANIMATEUR_REGIONAL, Role.RELECTEUR_CNML, Role.ADMINISTRATEUR},
    STRUCTURE_B1: {Role.RELECTEUR_CNML, Role.ADMINISTRATEUR},
    REGION_A: {Role.ANIMATEUR_REGIONAL, Role.RELECTEUR_CNML, Role.ADMINISTRATEUR},
    REGION_B: {Role.RELECTEUR_CNML, Role.ADMINISTRATEUR},
    "/tableau-de-bord/regions/": {Role.ANIMATEUR_REGIONAL, Role.RELECTEUR_CNML, Role.ADMINISTRATEUR},
}


@pytest.mark.parametrize("role", Role.values)
@pytest.mark.parametrize("path", list(READERS))
def test_each_role_reads_the_pages_of_its_scope_and_gets_404_elsewhere(client_for, scoped_users, published, role, path):
    response = client_for(scoped_users[role]).get(path)

    assert response.status_code == (200 if role in READERS[path] else 404)


@pytest.mark.parametrize("role", Role.values)
@pytest.mark.parametrize("path", [STRUCTURE_A1, STRUCTURE_B1, REGION_A, REGION_B, "/tableau-de-bord/regions/"])
def test_exports_follow_the_same_scope_as_their_page(client_for, scoped_users, published, role, path):
    response = client_for(scoped_users[role]).get(f"{path}export.csv")

    assert response.status_code == (200 if role in READERS[path] else 404)


@pytest.mark.parametrize("path", [STRUCTURE_A1, REGION_A, "/tableau-de-bord/regions/", f"{STRUCTURE_A1}export.xlsx"])
def test_anonymous_visitors_are_sent_to_the_login_page(client, published, path):
    response = client.get(path)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_users_of_another_region_or_of_an_antenne_get_404(client_for, outsider, antenne_user, published):
    assert client_for(outsider).get(STRUCTURE_A1).status_code == 404
    assert client_for(outsider).get(REGION_A).status_code == 404
    # An antenne has no dashboard of its own; its staff read the national table.
    assert client_for(antenne_user).get("/tableau-de-bord/structures/ANTA1/").status_code == 404
    assert client_for(antenne_user).get(STRUCTURE_A1).status_code == 404
    assert client_for(antenne_user).get(NATIONAL).status_code == 200


def test_structures_without_a_dashboard_answer_404_even_in_scope(client_for, users, published):
    animator = client_for(users[Role.ANIMATEUR_REGIONAL])
    assert animator.get("/tableau-de-bord/structures/ARMLA/").status_code == 404
    assert animator.get("/tableau-de-bord/structures/ANTA1/").status_code == 404
    assert animator.get("/tableau-de-bord/structures/INCONNUE/").status_code == 404


def test_an_unknown_export_format_answers_404(client_for, users, published):
    assert client_for(users[Role.DIRECTEUR]).get(f"{STRUCTURE_A1}export.doc").status_code == 404


# --- Structure and region pages ------------------------------------------------------------


def test_structure_page_compares_with_region_and_nation_and_ranks_rates(client_for, users, published):
    response = client_for(users[Role.DIRECTEUR]).get(STRUCTURE_A1, {"periode": "2011-T1"})

    assert response.status_code == 200
    content = response.content.decode()
    assert "Région Alpha" in content
    # 2010-T1: 4 welcomed in MLA1 ; 2011-T1: 5 ; region A: 5 + 2 = 7 ; nation: 7 (MLB1 comes in May).
    # Structures of similar size (those with young people in 2010: MLA1 and MLA2, one group): the
    # median of 5 and 2, rounded up to 4.
    assert row_text(response, "Jeunes accueillis") == f"4 5 +25,0{NBSP}% ↗ en hausse 7 7 4"
    # 3 of 5 in training (60 %, on fewer than 20 young people: said) against 1 of 4 (25 %); region,
    # nation and peers 5 of 7. MLA2 has 2 of 2 (100 %): MLA1 is 2nd of 2, the last quarter (MLB1 and
    # MLB2 have nobody welcomed in T1: unranked).
    assert row_text(response, "Part des jeunes accueillis en emploi ou formation") == (
        f"25,0{NBSP}% 60,0{NBSP}% sur 5{NBSP}jeunes seulement +35,0{NBSP}pt ↗ en hausse "
        f"71,4{NBSP}% 71,4{NBSP}% 71,4{NBSP}% 2e sur 2 4e quartile"
    )


def test_a_rank_another_structure_shares_reads_ex_aequo_on_the_structure_and_region_pages(client_for, users, published):
    IndicatorValue.objects.filter(
        snapshot=published, scope_code="MLA1", indicator="taux_emploi_ou_formation", period__in=["2011-T1", "2011-T3"]
    ).update(rank_ex_aequo=True)

    structure = client_for(users[Role.DIRECTEUR]).get(STRUCTURE_A1, {"periode": "2011-T1"})
    region = client_for(users[Role.ANIMATEUR_REGIONAL]).get(REGION_A, {"periode": "2011-T3"})

    assert row_text(structure, "Part des jeunes accueillis en emploi ou formation").endswith(
        "2e ex aequo sur 2 4e quartile"
    )
    assert "2e ex aequo sur 3" in row_text(region, "Mission locale Alpha 1")


def test_a_director_does_not_get_a_link_to_the_region_page_but_an_animator_does(client_for, users, published):
    director = client_for(users[Role.DIRECTEUR]).get(STRUCTURE_A1).content.decode()
    animator = client_for(users[Role.ANIMATEUR_REGIONAL]).get(STRUCTURE_A1).content.decode()

    assert REGION_A not in director
    assert NATIONAL in director
    assert REGION_A in animator


def test_region_page_lists_its_structures_with_links_and_compares_with_the_nation(client_for, users, published):
    response = client_for(users[Role.ANIMATEUR_REGIONAL]).get(REGION_A, {"periode": "2011-T3"})

    content = response.content.decode()
    assert f'href="{STRUCTURE_A1}?periode=2011-T3"' in content
    assert 'href="/tableau-de-bord/structures/MLA2/?periode=2011-T3"' in content
    assert "/tableau-de-bord/structures/MLB1/" not in content
    # Region A: 4 + 2 = 6 in 2010, 5 + 2 = 7 in 2011; nation 10 (MLB1's 3).
    assert row_text(response, "Jeunes accueillis") == f"6 7 +16,7{NBSP}% ↗ en hausse 10"
    assert row_text(response, "Mission locale Alpha 1").startswith(
        f"5 +25,0{NBSP}% ↗ en hausse 60,0{NBSP}% sur 5{NBSP}jeunes seulement 2e sur 3"
    )
    # Its exports: the indicators (CSV, XLSX, PDF) and the list of structures (CSV).
    assert f'href="{REGION_A}export.csv?periode=2011-T3&amp;tableau=structures"' in content
    assert f'href="{REGION_A}export.pdf?periode=2011-T3"' in content


def test_regions_page_lists_every_region_for_cnml_roles(client_for, users, published):
    content = client_for(users[Role.RELECTEUR_CNML]).get("/tableau-de-bord/regions/").content.decode()

    assert 'href="/tableau-de-bord/regions/901/' in content
    assert 'href="/tableau-de-bord/regions/902/' in content


def test_region_and_structure_pages_show_an_empty_state_without_figures(client_for, users, network):
    director = client_for(users[Role.DIRECTEUR]).get(STRUCTURE_A1)
    assert director.status_code == 200
    assert "Aucun chiffre pour l'instant" in text_of(director)

    make_snapshot({("national", "", "2011-T2", "jeunes_accueillis"): 5}, periods=["2011-T2"])
    missing = client_for(users[Role.DIRECTEUR]).get(STRUCTURE_A1)
    assert "Pas de chiffres pour Mission locale Alpha 1" in text_of(missing)


def test_charts_draw_every_indicator_with_their_values_as_a_table(client_for, users, published):
    content = client_for(users[Role.DIRECTEUR]).get(STRUCTURE_A1).content.decode()

    svgs = re.findall(r"<svg [^>]*role=\"img\" aria-labelledby=\"graphique-[^>]*>.*?</svg>", content, re.S)
    # The CIVIS and ANI exit rates have no value at all (nobody left): no chart, a sentence instead.
    # The import (a factory's) predates the certification column: ani_eligibles is « non disponible ».
    assert len(svgs) == len(registry.INDICATORS) - 4
    assert content.count("Aucune valeur à représenter pour cet indicateur.") == 3
    assert "Jeunes éligibles à l'accompagnement ANI pour Mission locale Alpha 1 : non disponible" in html.unescape(
        content
    )
    assert all('fill="#000091"' in svg for svg in svgs)  # bleu France
    assert "<script" not in "".join(svgs)
    # A rate is drawn with the region and the nation, and says so in its legend.
    assert 'aria-controls="donnees-graphique-taux_emploi_ou_formation"' in content
    legend = re.search(r'<ul class="dashboard-legend">(.*?)</ul>', content, re.S).group(1)
    assert "Mission locale Alpha 1" in legend
    assert "Région Alpha" in html.unescape(legend)
    assert "France entière" in legend
    # The text alternative: every period of the snapshot.
    table = re.search(r'id="donnees-graphique-jeunes_accueillis">(.*?)</table>', content, re.S).group(1)
    assert "Janvier-mars 2010" in table
    assert "Janvier-septembre 2011" in table


# --- Navigation and home links -------------------------------------------------------------


def test_home_links_lead_each_role_to_its_dashboard(users, network):
    config = apps.get_app_config("dashboard")
    assert isinstance(config, DashboardConfig)
    links = {role: [link.url for link in config.home_links(user)] for role, user in users.items()}

    assert links[Role.DIRECTEUR][0] == STRUCTURE_A1
    assert links[Role.CONSEILLER][0] == STRUCTURE_A1
    assert links[Role.ANIMATEUR_REGIONAL][0] == REGION_A
    assert links[Role.RELECTEUR_CNML] == [NATIONAL, "/tableau-de-bord/regions/"]
    titles = [link.title for link in config.home_links(users[Role.DIRECTEUR])]
    assert titles[0] == "Le tableau de bord de ma structure"


def test_national_page_links_signed_in_users_to_their_own_dashboard(client_for, users, published):
    director = client_for(users[Role.DIRECTEUR]).get(NATIONAL).content.decode()
    animator = client_for(users[Role.ANIMATEUR_REGIONAL]).get(NATIONAL).content.decode()
    reviewer = client_for(users[Role.RELECTEUR_CNML]).get(NATIONAL).content.decode()

    assert f'href="{STRUCTURE_A1}"' in director
    assert f'href="{REGION_A}"' in animator
    assert 'href="/tableau-de-bord/regions/"' in reviewer


# --- Queries -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("visitor", "path"),
    [
        ("anonyme", NATIONAL),
        (Role.DIRECTEUR, NATIONAL),
        (Role.ANIMATEUR_REGIONAL, NATIONAL),
        (Role.DIRECTEUR, STRUCTURE_A1),
        (Role.CONSEILLER, STRUCTURE_A1),
        (Role.ANIMATEUR_REGIONAL, STRUCTURE_A1),
        (Role.RELECTEUR_CNML, STRUCTURE_A1),
        (Role.ANIMATEUR_REGIONAL, REGION_A),
        (Role.ADMINISTRATEUR, REGION_A),
        (Role.RELECTEUR_CNML, "/tableau-de-bord/regions/"),
    ],
)
def test_each_page_needs_at_most_ten_queries(
    client_for, users, published, django_assert_max_num_queries, visitor, path
):
    client = client_for(None if visitor == "anonyme" else users[visitor])
    with django_assert_max_num_queries(10):
        response = client.get(path)
    assert response.status_code == 200


def test_charts_are_rendered_once_per_snapshot_and_scope(client_for, users, network, published):
    client = client_for(users[Role.DIRECTEUR])
    with CaptureQueriesContext(connection) as first:
        first_page = client.get(STRUCTURE_A1).content.decode()
    # Another period of the same year (2011-T3 is the latest), which has its peer group as well.
    with CaptureQueriesContext(connection) as second:
        second_page = client.get(STRUCTURE_A1, {"periode": "2011-T1"}).content.decode()

    def charts(page: str) -> list[str]:
        # The indicators' charts (the objectives' are those of the period's year).
        return re.findall(r"<svg [^>]*role=\"img\" aria-labelledby=\"graphique-.*?</svg>", page, re.S)

    # The same charts (they show every period), without the query of their values.
    assert charts(first_page) == charts(second_page)
    assert len(second.captured_queries) == len(first.captured_queries) - 1

    # A new snapshot draws its own figures: 40 more young people welcomed by MLA1 in September 2011.
    welcome(network.ml_a1, date(2011, 9, 1), count=40)
    snapshot_validate(snapshot_id=snapshot_recompute().pk, user=users[Role.RELECTEUR_CNML])
    third_page = client.get(STRUCTURE_A1).content.decode()
    assert charts(third_page) != charts(first_page)
    values = re.search(r'id="donnees-graphique-jeunes_accueillis">(.*?)</table>', third_page, re.S).group(1)
    assert '<td class="dashboard-figure">45</td>' in values
