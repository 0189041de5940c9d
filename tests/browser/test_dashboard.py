"""The tableau de bord in a real browser: the three pages as anonymous visitor, director and animator.

RGAA: axe-core finds zero violations, with the charts' data tables open too, and
the pages run under the production Content-Security-Policy (no inline script:
the charts are server-rendered SVG).
"""

from __future__ import annotations

import io
import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.axe import assert_accessible
from tests.browser.helpers import BrowserProblems, expect_dsfr_js_started, login


@pytest.fixture
def demo_dashboard(demo_network):
    """The demo network and accounts, and the sample extract imported and computed as demo data (never validated)."""
    from dashboard.demo import demo_load_dashboard

    return demo_load_dashboard(stdout=io.StringIO())


def expect_dashboard(page: Page, heading: str) -> None:
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    expect_dsfr_js_started(page)
    main = page.get_by_role("main")
    expect(main.get_by_role("table").first).to_be_visible()
    expect(main.get_by_role("img").first).to_be_visible()
    expect(main.get_by_text(re.compile("Source\u00a0: données de démonstration, inventées")).first).to_be_visible()


def open_first_chart_data(page: Page) -> None:
    """Open the accordion holding the first chart's values and check the table it shows."""
    button = page.get_by_role("button", name=re.compile("Les valeurs du graphique : Jeunes accueillis$"))
    button.click()
    expect(button).to_have_attribute("aria-expanded", "true")
    expect(page.locator("#donnees-graphique-jeunes_accueillis table")).to_be_visible()


def test_public_national_table_is_accessible(page: Page, problems: BrowserProblems, demo_dashboard):
    page.goto("/tableau-de-bord/")

    expect_dashboard(page, "Tableau de bord")
    main = page.get_by_role("main")
    # The demo's invented figures say so, and never that the CNML validated them.
    expect(main.get_by_role("heading", name="Données de démonstration")).to_be_visible()
    expect(main.get_by_text("Chiffres validés par le CNML")).to_have_count(0)
    expect(main.get_by_role("rowheader", name="Jeunes accueillis", exact=True)).to_be_visible()
    assert_accessible(page)
    open_first_chart_data(page)
    assert_accessible(page)

    # The period select is a plain GET form.
    page.get_by_role("combobox", name=re.compile("Période")).select_option("2011-T2")
    page.get_by_role("button", name="Afficher").click()
    expect(page).to_have_url(re.compile(r"periode=2011-T2"))
    expect(main.get_by_role("heading", level=2, name=re.compile("janvier-juin 2011"))).to_be_visible()
    assert_accessible(page)
    problems.assert_clean()


def test_director_reads_their_structure_dashboard(page: Page, problems: BrowserProblems, demo_dashboard):
    login(page, "directeur@demo.cnml.fr")
    page.get_by_role("link", name="Le tableau de bord de ma structure").click()

    expect(page).to_have_url(re.compile(r"/tableau-de-bord/structures/ML93001/$"))
    expect_dashboard(page, "Tableau de bord : Mission locale Provence-Alpes-Côte d'Azur 1")
    main = page.get_by_role("main")
    expect(main.get_by_role("columnheader", name="Position parmi les structures")).to_be_visible()
    expect(main.get_by_role("columnheader", name="Structures de taille comparable")).to_be_visible()
    expect(main.get_by_role("link", name="Le tableau de bord national")).to_be_visible()
    assert_accessible(page)
    # The structures of similar size, on demand.
    main.get_by_text(re.compile(r"^Les groupes de taille et les \d+ structures du groupe$")).click()
    expect(main.locator("details li").first).to_be_visible()
    assert_accessible(page)
    open_first_chart_data(page)
    assert_accessible(page)
    problems.assert_clean()

    # Another structure's dashboard is out of the director's scope.
    response = page.goto("/tableau-de-bord/structures/ML31001/")
    assert response.status == 404


def test_animator_reads_their_region_and_its_structures(page: Page, problems: BrowserProblems, demo_dashboard):
    login(page, "animateur@demo.cnml.fr")
    page.get_by_role("link", name="Le tableau de bord de ma région").click()

    expect(page).to_have_url(re.compile(r"/tableau-de-bord/regions/93/$"))
    expect_dashboard(page, "Tableau de bord : Provence-Alpes-Côte d'Azur")
    assert_accessible(page)

    page.get_by_role("link", name="Mission locale Provence-Alpes-Côte d'Azur 2").click()
    expect(page).to_have_url(re.compile(r"/tableau-de-bord/structures/ML93002/\?periode=2011-T4$"))
    expect_dashboard(page, "Tableau de bord : Mission locale Provence-Alpes-Côte d'Azur 2")
    expect(page.get_by_role("main").get_by_role("link", name=re.compile("région Provence"))).to_be_visible()
    assert_accessible(page)
    problems.assert_clean()


def test_a_signed_in_reader_sees_provisional_figures_flagged(page: Page, problems: BrowserProblems, demo_dashboard):
    from dashboard.models import ExtractImport
    from dashboard.recompute import snapshot_recompute

    ExtractImport.objects.update(demo=False)  # the facts in place taken for a real extract's
    snapshot_recompute()  # newer than the demo's, not validated yet
    login(page, "directeur@demo.cnml.fr")
    page.goto("/tableau-de-bord/structures/ML93001/")

    alert = page.get_by_role("main").locator(".fr-alert--warning")
    expect(alert).to_contain_text("Chiffres provisoires")
    assert_accessible(page)
    problems.assert_clean()
