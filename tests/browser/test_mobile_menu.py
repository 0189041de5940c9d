"""At phone size the header's "Menu" button opens the navigation: DSFR's JavaScript runs under the CSP."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.axe import assert_accessible
from tests.browser.helpers import PHONE, BrowserProblems, expect_dsfr_js_started, login, logout


@pytest.fixture
def context_options() -> dict:
    return PHONE


def test_menu_button_opens_and_closes_the_navigation_on_a_phone(page: Page, problems: BrowserProblems, live_server):
    page.goto("/")
    expect_dsfr_js_started(page)
    navigation = page.get_by_role("navigation", name="Menu principal")
    menu_button = page.get_by_role("banner").get_by_role("button", name="Menu")
    expect(menu_button).to_be_visible()
    expect(navigation).to_be_hidden()

    menu_button.click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    expect(menu_button).to_have_attribute("data-fr-opened", "true")
    expect(navigation.get_by_role("link", name="Bonnes pratiques")).to_be_visible()
    # The header tools are copied into the menu by DSFR's JavaScript.
    expect(dialog.get_by_role("link", name="Se connecter")).to_be_visible()
    assert_accessible(page)

    dialog.get_by_role("button", name="Fermer").click()
    expect(navigation).to_be_hidden()
    expect(menu_button).to_have_attribute("data-fr-opened", "false")

    menu_button.click()
    with page.expect_navigation():
        navigation.get_by_role("link", name="Bonnes pratiques").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Bonnes pratiques")
    assert_accessible(page)
    problems.assert_clean()


def test_signed_in_user_logs_out_from_the_phone_menu(page: Page, problems: BrowserProblems, demo_network):
    login(page, "conseiller@demo.cnml.fr")
    expect(page.get_by_role("heading", level=1)).to_have_text("Bonjour Camille")
    assert_accessible(page)

    logout(page)  # goes through the "Menu" dialog: the header tools are hidden at this width
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_role("heading", level=1)).not_to_have_text("Bonjour Camille")
    problems.assert_clean()
