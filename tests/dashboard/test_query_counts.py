"""Query-count guards of the dashboard pages at a realistic size (see tests/querycounts.py).

One world for the module (``kept_for_module``): 14 regions of 6 missions locales each (84
structures), and a validated snapshot holding every indicator of every scope for two periods. A page
whose queries grow with its regions or structures goes far past its ceiling. None did when these
were written: each table is one query (``dashboard.pages.headline_table``). Small-network counts
and the charts' cache are guarded in test_pages.py.
"""

from __future__ import annotations

import pytest
from django.core.cache import cache

from cnml.models import Role
from cnml.roles import sync_role_groups
from dashboard import indicators as registry
from dashboard.models.objectives import Objective
from tests.conftest import build_network, build_users, kept_for_module
from tests.dashboard.test_pages import make_snapshot
from tests.factories import MissionLocaleFactory, RegionFactory

# The module's data is built once (kept_for_module): its tests stay on one pytest-xdist worker.
pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("dashboard-query-counts")]

REGIONS = 14
MISSIONS_LOCALES = 6
PERIODS = ["2010-T3", "2011-T3"]


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with kept_for_module(django_db_blocker):
        sync_role_groups()
        network = build_network()
        users = build_users(network)
        regions = [network.region_a, network.region_b]
        regions += [RegionFactory(code=f"{950 + n}", name=f"Région {n:02d}") for n in range(REGIONS - 2)]
        structures = [
            MissionLocaleFactory(code=f"ML{region.code}{n}", name=f"Mission locale {region.code}-{n}", region=region)
            for region in regions
            for n in range(MISSIONS_LOCALES)
        ]
        scopes = [("national", ""), *(("region", r.code) for r in regions)]
        scopes += [("structure", s.code) for s in structures]
        scopes += [("structure", s.code) for s in network.all_structures if s.region_id]
        values = {
            (kind, code, period, indicator.code): (100 + index, index % 50 + 1, 90)
            for index, (kind, code) in enumerate(scopes)
            for period in PERIODS
            for indicator in registry.in_display_order()
        }
        make_snapshot(values, periods=PERIODS, validated_by=users[Role.RELECTEUR_CNML])
        # Objectives at every level (the 2011 national ones come with the migrations): one query per page.
        Objective.objects.bulk_create(
            [Objective(indicator="alternance", year=2011, scope_kind="region", region=r, target=4000) for r in regions]
            + [
                Objective(indicator="alternance", year=2011, scope_kind="structure", structure=s, target=600)
                for s in structures
            ]
        )
        yield {"users": users}


@pytest.fixture(autouse=True)
def empty_cache():
    """The pages keep their rendered charts in the cache: each count starts without them."""
    cache.clear()
    yield
    cache.clear()


ANONYMOUS = "anonyme"
# (visitor, url): the most queries the page may make, and a text that shows its rows are there.
CEILINGS = {
    # The objectives section (dashboard.objectives.pages.section_for) is one query on each page.
    (ANONYMOUS, "/tableau-de-bord/"): (4, "Jeunes accueillis"),
    (Role.RELECTEUR_CNML, "/tableau-de-bord/"): (7, "Jeunes accueillis"),
    (Role.RELECTEUR_CNML, "/tableau-de-bord/regions/"): (5, "Région 11"),
    (Role.RELECTEUR_CNML, "/tableau-de-bord/regions/961/"): (9, "Mission locale 961-5"),
    (Role.ANIMATEUR_REGIONAL, "/tableau-de-bord/regions/901/"): (10, "Mission locale Alpha 2"),
    (Role.DIRECTEUR, "/tableau-de-bord/structures/MLA1/"): (8, "Mission locale Alpha 1"),
    (Role.RELECTEUR_CNML, "/tableau-de-bord/structures/ML9615/"): (8, "Mission locale 961-5"),
    (ANONYMOUS, "/tableau-de-bord/objectifs/"): (4, "Jeunes en alternance"),
    (Role.RELECTEUR_CNML, "/tableau-de-bord/objectifs/"): (5, "Région 11"),
    (Role.ANIMATEUR_REGIONAL, "/tableau-de-bord/objectifs/"): (6, "Mission locale 901-5"),
    # The ANI pages: the ANI lines of the scope's table (one query) and their charts (one).
    (ANONYMOUS, "/tableau-de-bord/ani/"): (3, "Jeunes entrés dans l&#x27;accompagnement ANI"),
    (Role.ANIMATEUR_REGIONAL, "/tableau-de-bord/ani/regions/901/"): (7, "Région Alpha"),
    (Role.DIRECTEUR, "/tableau-de-bord/ani/structures/MLA1/"): (7, "Mission locale Alpha 1"),
}


@pytest.mark.parametrize(("visitor", "url"), list(CEILINGS))
def test_each_page_makes_a_bounded_number_of_queries_at_a_realistic_size(
    world, client_for, django_assert_max_num_queries, visitor, url
):
    client = client_for(None if visitor == ANONYMOUS else world["users"][visitor])
    ceiling, shown = CEILINGS[visitor, url]

    with django_assert_max_num_queries(ceiling):
        response = client.get(url)

    assert response.status_code == 200
    assert shown in response.content.decode()
