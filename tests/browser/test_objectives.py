"""The objectives in a real browser: the objectives page (CNML reviewer, public) and an animator's split, with axe."""

from __future__ import annotations

import io
import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.axe import assert_accessible
from tests.browser.helpers import BrowserProblems, expect_dsfr_js_started, login


@pytest.fixture
def demo_objectives(demo_network):
    """The demo dashboard, the two national objectives of 2011 and one objective per region."""
    from cnml.models import Region
    from dashboard.demo import demo_load_dashboard
    from dashboard.models.objectives import Objective

    demo_load_dashboard(stdout=io.StringIO())
    # The live server's tests empty the database between them: the seed is written again here.
    for indicator, target in (("alternance", 50_000), ("ani_entrees", 20_000)):
        Objective.objects.get_or_create(
            indicator=indicator, year=2011, scope_kind="national", defaults={"target": target, "source": "CNML"}
        )
    for region in Region.objects.all():
        Objective.objects.create(
            indicator="alternance", year=2011, scope_kind="region", region=region, target=1_000, source="CNML"
        )


def test_the_objectives_page_is_accessible_with_its_ranking_and_charts(
    page: Page, problems: BrowserProblems, demo_objectives
):
    login(page, "relecteur@demo.cnml.fr")
    page.goto("/tableau-de-bord/objectifs/")

    expect(page.get_by_role("heading", level=1)).to_have_text("Objectifs nationaux et régionaux")
    expect_dsfr_js_started(page)
    main = page.get_by_role("main")
    expect(main.get_by_role("heading", level=3, name="Jeunes en alternance")).to_be_visible()
    expect(main.get_by_role("heading", name=re.compile("Les régions : classement"))).to_be_visible()
    expect(main.get_by_text(re.compile("× 12 / nombre de mois écoulés"))).to_be_visible()
    expect(main.get_by_role("img").first).to_be_visible()
    assert_accessible(page)

    button = main.get_by_role("button", name=re.compile("Les valeurs du graphique : Jeunes en alternance"))
    button.first.click()
    expect(button.first).to_have_attribute("aria-expanded", "true")
    assert_accessible(page)
    problems.assert_clean()


def test_an_animator_splits_its_region_s_objective_in_an_accessible_form(
    page: Page, problems: BrowserProblems, demo_objectives
):
    login(page, "animateur@demo.cnml.fr")
    page.goto("/tableau-de-bord/regions/93/objectifs/")

    expect(page.get_by_role("heading", level=1)).to_contain_text("Répartir les objectifs de la région")
    assert_accessible(page)
    page.get_by_label("Mission locale Provence-Alpes-Côte d'Azur 1").fill("600")
    page.get_by_role("button", name="Enregistrer la répartition").click()

    expect(page.get_by_text("La répartition de l'objectif est enregistrée.")).to_be_visible()
    expect(page.get_by_label("Mission locale Provence-Alpes-Côte d'Azur 1")).to_have_value("600")
    assert_accessible(page)
    problems.assert_clean()
