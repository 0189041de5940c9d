"""The page frame (DSFR header, skip links, footer) beyond what axe-core checks."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.browser.axe import assert_accessible
from tests.browser.helpers import LOGIN_URL, BrowserProblems, login


def test_first_tab_reaches_the_skip_links_which_lead_to_the_content(page: Page, problems: BrowserProblems, live_server):
    page.goto("/mentions-legales/")
    page.keyboard.press("Tab")
    skip_to_content = page.get_by_role("navigation", name="Accès rapide").get_by_role("link", name="Contenu")
    expect(skip_to_content).to_be_focused()
    expect(skip_to_content).to_be_visible()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"#content$"))
    # Each skip link points to an element of the page.
    for target in page.locator(".fr-skiplinks a").evaluate_all("links => links.map(a => a.hash)"):
        expect(page.locator(target)).to_have_count(1)
    problems.assert_clean()


def test_footer_has_the_links_the_dsfr_requires(page: Page, live_server):
    page.goto("/")
    footer = page.get_by_role("contentinfo")
    for name in ("Plan du site", "Accessibilité : partiellement conforme", "Mentions légales", "Données personnelles"):
        expect(footer.get_by_role("link", name=name, exact=True)).to_be_visible()
    for site in ("info.gouv.fr", "service-public.fr", "legifrance.gouv.fr", "data.gouv.fr"):
        link = footer.get_by_role("link", name=site, exact=True)
        expect(link).to_have_attribute("target", "_blank")
        # RGAA 13.2: a link opening a new window says so.
        expect(link).to_have_attribute("title", f"{site} — nouvelle fenêtre")


def test_pages_are_accessible_in_dark_mode(page: Page, problems: BrowserProblems, live_server):
    """The frame follows the system colour scheme (data-fr-scheme="system"): dark mode must pass too."""
    page.emulate_media(color_scheme="dark")
    for path in ("/", LOGIN_URL, "/plan-du-site/"):
        page.goto(path)
        expect(page.locator("html")).to_have_attribute("data-fr-theme", "dark")
        assert_accessible(page)
    problems.assert_clean()


def test_form_sent_back_with_errors_says_so_in_the_title(page: Page, demo_network):
    page.goto(LOGIN_URL)
    expect(page).to_have_title(re.compile(r"^Connexion — "))
    login(page, "conseiller@demo.cnml.fr", "mauvais-mot-de-passe")
    expect(page).to_have_title(re.compile("^Erreur\u00a0: Connexion — "))
