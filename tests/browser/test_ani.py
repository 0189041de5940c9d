"""The ANI « décrocheurs » pages in a real browser: the nation (public) and a director's structure.

RGAA: axe-core finds zero violations, with a chart's data table open too. The demo extract
has no ``niveau_certification`` column: the eligible young people read « non disponible ».
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
    from dashboard.demo import demo_load_dashboard

    return demo_load_dashboard(stdout=io.StringIO())


def test_public_ani_page_is_accessible_and_says_what_is_not_available(
    page: Page, problems: BrowserProblems, demo_dashboard
):
    page.goto("/tableau-de-bord/")
    page.get_by_role("link", name="L'accompagnement ANI des jeunes « décrocheurs »").first.click()

    expect(page).to_have_url(re.compile(r"/tableau-de-bord/ani/"))
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Accompagnement ANI des jeunes « décrocheurs » : France entière"
    )
    expect_dsfr_js_started(page)
    main = page.get_by_role("main")
    eligibles = main.get_by_role("row", name=re.compile("^Jeunes éligibles à l'accompagnement ANI"))
    expect(eligibles).to_contain_text("non disponible")
    expect(main.get_by_role("rowheader", name="Jeunes entrés dans l'accompagnement ANI")).to_be_visible()
    assert_accessible(page)

    button = page.get_by_role("button", name=re.compile("Les valeurs du graphique : Jeunes éligibles"))
    button.click()
    expect(button).to_have_attribute("aria-expanded", "true")
    expect(page.locator("#donnees-graphique-ani_eligibles table")).to_contain_text("non disponible")
    assert_accessible(page)
    problems.assert_clean()


def test_director_reads_the_ani_page_of_their_structure(page: Page, problems: BrowserProblems, demo_dashboard):
    login(page, "directeur@demo.cnml.fr")
    page.get_by_role("link", name="Le tableau de bord de ma structure").click()
    page.get_by_role(
        "link", name=re.compile("L'accompagnement ANI des jeunes « décrocheurs » dans la structure")
    ).click()

    expect(page).to_have_url(re.compile(r"/tableau-de-bord/ani/structures/ML93001/"))
    expect_dsfr_js_started(page)
    main = page.get_by_role("main")
    expect(main.get_by_role("columnheader", name="France entière")).to_be_visible()
    expect(main.get_by_role("rowheader", name="Jeunes accompagnés (ANI)")).to_be_visible()
    expect(main.get_by_role("link", name="Version imprimable (PDF)")).to_be_visible()
    assert_accessible(page)
    problems.assert_clean()
