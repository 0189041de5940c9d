"""Each demo account in a real browser: login form, home per role, navigation, the account's pages.

RGAA: axe-core must find zero violations, and the pages must run under the production
Content-Security-Policy without a single violation. Every page of every role, at both widths, is
checked with axe by the crawl (``test_crawl.py``); the tests here check the states a crawl does not
reach (a form sent back, a locked account, a reset link) and what a crawl cannot tell (the current
menu entry, the frame's parts).
"""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from playwright.sync_api import Page, expect

from tests.browser.axe import assert_accessible
from tests.browser.helpers import LOGIN_URL, BrowserProblems, expect_dsfr_js_started, login, logout

# e-mail, a word of the role shown on the home page, first name, structure, reaches the admin
DEMO_ROLES = [
    pytest.param("conseiller@demo.cnml.fr", "conseiller", "Camille", "Mission locale", False, id="conseiller"),
    pytest.param("directeur@demo.cnml.fr", "directeur", "Dominique", "Mission locale", False, id="directeur"),
    pytest.param("animateur@demo.cnml.fr", "animateur", "Alex", "Association régionale", False, id="animateur"),
    pytest.param(
        "relecteur@demo.cnml.fr", "relecteur", "Claude", "Conseil national des missions locales", True, id="relecteur"
    ),
    pytest.param(
        "admin@demo.cnml.fr", "administrateur", "Sacha", "Conseil national des missions locales", True, id="admin"
    ),
]

# Every page outside the Django admin that a signed-in user can open.
SIGNED_IN_PAGES = [
    "/",
    "/tableau-de-bord/",
    "/bonnes-pratiques/",
    "/enquetes/",
    "/mobilite/",
    "/accessibilite/",
    "/mentions-legales/",
    "/donnees-personnelles/",
    "/plan-du-site/",
    "/compte/mot-de-passe/modifier/",
]

# Main navigation entry marked current on each feature section.
CURRENT_ENTRY = {
    "/": "Accueil",
    "/tableau-de-bord/": "Tableau de bord",
    "/bonnes-pratiques/": "Bonnes pratiques",
    "/enquetes/": "Enquêtes",
    "/mobilite/": "Appels à projets",
}


def main_navigation(page: Page):
    return page.get_by_role("navigation", name="Menu principal")


def expect_page_frame(page: Page) -> None:
    """The DSFR frame: French page, header with the service title, main content, footer."""
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    header = page.get_by_role("banner")
    expect(header.locator(".fr-header__service-title")).to_have_text(settings.SITE_NAME)
    expect(page.get_by_role("main")).to_be_visible()
    footer = page.get_by_role("contentinfo")
    expect(footer).to_be_visible()
    expect(footer.get_by_role("link", name=re.compile("Accessibilité"))).to_be_visible()
    expect_dsfr_js_started(page)


@pytest.mark.parametrize(("email", "role_word", "first_name", "structure", "staff"), DEMO_ROLES)
def test_demo_account_logs_in_and_sees_its_role_home(
    page: Page, problems: BrowserProblems, demo_network, email, role_word, first_name, structure, staff
):
    response = page.goto(LOGIN_URL)
    # The production policy: scripts from our origin carrying the per-request
    # nonce, never inline or eval'd code.
    directives = dict(
        (part.strip().split(" ", 1) + [""])[:2] for part in response.headers["content-security-policy"].split(";")
    )
    script_sources = directives["script-src"].split()
    assert "'self'" in script_sources
    assert not {"'unsafe-inline'", "'unsafe-eval'", "*", "http:", "https:", "data:"} & set(script_sources)
    nonces = [source[len("'nonce-") : -1] for source in script_sources if source.startswith("'nonce-")]
    assert len(nonces) == 1, script_sources
    dsfr_script_nonce = page.locator("script[type=module][src*='dsfr']").evaluate("script => script.nonce")
    assert dsfr_script_nonce == nonces[0]

    login(page, email)

    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Bonjour {first_name}")
    lead = page.get_by_role("main").locator(".fr-text--lead")
    expect(lead).to_contain_text(re.compile(rf"en tant que {role_word}"))
    expect(lead).to_contain_text(structure)
    expect_page_frame(page)
    expect(page.get_by_role("banner").get_by_role("link", name=re.compile(first_name))).to_be_visible()

    navigation = main_navigation(page)
    for label in ("Accueil", "Tableau de bord", "Bonnes pratiques", "Enquêtes", "Appels à projets"):
        expect(navigation.get_by_role("link", name=label, exact=True)).to_be_visible()
    expect(navigation.get_by_role("link", name="Accueil", exact=True)).to_have_attribute("aria-current", "page")
    expect(navigation.get_by_role("link", name="Administration")).to_have_count(1 if staff else 0)
    expect(page.get_by_role("main").get_by_role("link", name="L'administration")).to_have_count(1 if staff else 0)

    assert_accessible(page)
    problems.assert_clean()

    logout(page)
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_role("banner").get_by_role("link", name="Se connecter")).to_be_visible()
    expect(main_navigation(page).get_by_role("link", name="Enquêtes", exact=True)).to_have_count(0)
    # Really logged out: a page for signed-in users sends back to the login form.
    page.goto("/enquetes/")
    expect(page).to_have_url(re.compile(re.escape(LOGIN_URL)))


@pytest.mark.parametrize(("email", "role_word", "first_name", "structure", "staff"), DEMO_ROLES)
def test_every_section_shows_the_frame_and_marks_its_menu_entry_for_each_role(
    page: Page, problems: BrowserProblems, demo_network, email, role_word, first_name, structure, staff
):
    login(page, email)
    for path in SIGNED_IN_PAGES:
        response = page.goto(path)
        assert response.status == 200, f"{path} : statut {response.status}"
        expect(page.get_by_role("heading", level=1)).to_have_count(1)
        expect_page_frame(page)
        if path in CURRENT_ENTRY:
            current = main_navigation(page).locator("[aria-current='page']")
            expect(current).to_have_text(CURRENT_ENTRY[path])
    problems.assert_clean()


def test_anonymous_home_offers_login_and_public_sections(page: Page, problems: BrowserProblems, demo_network):
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_have_text(settings.SITE_NAME)
    expect_page_frame(page)
    expect(page.get_by_role("banner").get_by_role("link", name="Se connecter")).to_be_visible()
    navigation = main_navigation(page)
    for label in ("Tableau de bord", "Bonnes pratiques", "Appels à projets"):
        expect(navigation.get_by_role("link", name=label, exact=True)).to_be_visible()
    expect(navigation.get_by_role("link", name="Enquêtes", exact=True)).to_have_count(0)
    expect(navigation.get_by_role("link", name="Administration")).to_have_count(0)
    assert_accessible(page)
    problems.assert_clean()


PUBLIC_PAGES = [
    "/tableau-de-bord/",
    "/bonnes-pratiques/",
    "/mobilite/",
    "/accessibilite/",
    "/mentions-legales/",
    "/donnees-personnelles/",
    "/plan-du-site/",
]


def test_public_pages_show_the_frame_to_anonymous_visitors(page: Page, problems: BrowserProblems, live_server):
    for path in PUBLIC_PAGES:
        response = page.goto(path)
        assert response.status == 200, f"{path} : statut {response.status}"
        expect_page_frame(page)
    problems.assert_clean()


def test_login_page_is_accessible(page: Page, problems: BrowserProblems, demo_network):
    page.goto(LOGIN_URL)
    expect(page.get_by_role("heading", level=1)).to_have_text("Connexion")
    expect(page.get_by_label("Adresse e-mail")).to_be_visible()
    expect(page.get_by_label("Mot de passe", exact=True)).to_be_visible()
    expect_page_frame(page)
    assert_accessible(page)
    problems.assert_clean()


def test_failed_login_shows_an_accessible_error(page: Page, problems: BrowserProblems, demo_network):
    login(page, "conseiller@demo.cnml.fr", "pas-le-bon-mot-de-passe")

    expect(page).to_have_url(re.compile(re.escape(LOGIN_URL)))
    expect(page.get_by_role("main")).to_contain_text("Adresse e-mail ou mot de passe incorrect")
    # The e-mail typed is kept; the password is not.
    expect(page.get_by_label("Adresse e-mail")).to_have_value("conseiller@demo.cnml.fr")
    expect(page.get_by_label("Mot de passe", exact=True)).to_have_value("")
    assert_accessible(page)
    problems.assert_clean()


def test_repeated_failed_logins_show_an_accessible_lockout_page(page: Page, problems: BrowserProblems, demo_network):
    heading = page.get_by_role("heading", level=1)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login(page, "directeur@demo.cnml.fr", "toujours-faux")
        if heading.text_content() == "Connexion temporairement bloquée":
            break
    expect(heading).to_have_text("Connexion temporairement bloquée")
    expect(page.get_by_role("main").get_by_role("link", name="réinitialiser votre mot de passe")).to_be_visible()
    assert_accessible(page)
    problems.assert_no_csp_violation()


def test_password_reset_journey_is_accessible(page: Page, problems: BrowserProblems, demo_network, mailoutbox):
    page.goto(LOGIN_URL)
    page.get_by_role("link", name="Mot de passe oublié ?").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mot de passe oublié")
    assert_accessible(page)

    page.get_by_label("Adresse e-mail").fill("conseiller@demo.cnml.fr")
    with page.expect_navigation():
        page.get_by_role("main").get_by_role("button", name="Recevoir le lien de réinitialisation").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Courriel envoyé")
    assert_accessible(page)

    assert len(mailoutbox) == 1
    link = re.search(r"https?://\S+/compte/mot-de-passe/reinitialiser/\S+", mailoutbox[0].body)
    assert link, mailoutbox[0].body
    page.goto(link.group(0))
    expect(page.get_by_role("heading", level=1)).to_have_text("Nouveau mot de passe")
    assert_accessible(page)
    problems.assert_clean()


def test_not_found_page_is_accessible(page: Page, problems: BrowserProblems, live_server):
    response = page.goto("/cette-page-n-existe-pas/")
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Page introuvable")
    expect(page.get_by_role("main").get_by_role("link", name="Retour à l'accueil")).to_be_visible()
    expect_page_frame(page)
    assert_accessible(page)
    # The browser logs the 404 status itself; what matters is the policy and the scripts.
    problems.assert_no_csp_violation()
    assert not problems.page_errors, problems.page_errors


def test_password_change_errors_are_accessible(page: Page, problems: BrowserProblems, demo_network):
    login(page, "directeur@demo.cnml.fr")
    page.goto("/compte/mot-de-passe/modifier/")
    main = page.get_by_role("main")
    main.get_by_label("Ancien mot de passe", exact=True).fill("pas-le-bon-mot-de-passe")
    main.get_by_role("textbox", name=re.compile(r"^Nouveau mot de passe")).fill("Un-nouveau-mot-de-passe-2024")
    main.get_by_role("textbox", name=re.compile(r"^Confirmation du nouveau mot de passe")).fill(
        "Un-autre-mot-de-passe-2024"
    )
    with page.expect_navigation():
        main.get_by_role("button", name="Changer le mot de passe").click()

    old_password = main.get_by_label("Ancien mot de passe", exact=True)
    expect(old_password).to_have_attribute("aria-invalid", "true")
    expect(main).to_contain_text("ancien mot de passe est incorrect")
    assert_accessible(page)
    problems.assert_clean()
