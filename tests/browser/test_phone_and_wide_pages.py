"""Pages on a phone (375 px) and on a 1280 px screen: tables, scales, the points question, lists, buttons.

A table wider than a phone scrolls in a region that is named, reachable with the keyboard and says
so, and its first figures sit beside their label; a scale fits one line; its meaning is said once
per screen; the 100 points question tells what is left to give as it is typed; at 1280 px a list's
status column is on screen; a button with an icon shows its words. Every page passes axe-core.
"""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from django.apps import apps
from django.utils import timezone
from playwright.sync_api import Page, expect

from cnml.models import Structure
from surveys import spec as spec_module
from surveys.models import Campaign, CampaignStatus, Questionnaire
from surveys.services import campaign_sync_points
from tests.browser.axe import assert_accessible
from tests.browser.helpers import PHONE, BrowserProblems, assert_tables_readable, login, watch_problems
from tests.surveys.conftest import load_instruments

# The buttons and button-like links of the content whose words do not fit: shown as an icon alone.
# (The header's « Menu » and a search bar's magnifier on a phone are the DSFR's own icon buttons.)
CLIPPED_BUTTONS = """() => [...document.querySelectorAll("main .fr-btn:not(.fr-search-bar .fr-btn)")]
    .filter((button) => button.checkVisibility({visibilityProperty: true}))
    .filter((button) => button.scrollWidth > button.clientWidth + 1 || !button.innerText.trim())
    .map((button) => button.textContent.trim() || button.outerHTML.slice(0, 120))"""


@pytest.fixture
def demo_dashboard(demo_network):
    from dashboard.demo import demo_load_dashboard

    demo_load_dashboard(stdout=io.StringIO())


@pytest.fixture
def open_servqual(demo_network) -> Campaign:
    """An open SERVQUAL campaign (a screen of 7-point scales, the 100 points question) and its open link."""
    spec_module._cache.clear()
    load_instruments(apps, None)
    today = timezone.localdate()
    structure = Structure.objects.get(code="ML93001")
    campaign = Campaign.objects.create(
        title="Enquête SERVQUAL des jeunes",
        questionnaire=Questionnaire.objects.get(code="servqual-jeunes"),
        audience="jeunes",
        region=structure.region,
        opens_on=today - timedelta(days=1),
        closes_on=today + timedelta(days=30),
        target=50,
        status=CampaignStatus.OPEN,
    )
    campaign.participants.set([structure])
    campaign_sync_points(campaign=campaign)
    yield campaign
    spec_module._cache.clear()


def test_dashboard_tables_on_a_phone_show_each_label_with_a_figure(phone: Page, demo_dashboard):
    problems = watch_problems(phone)
    login(phone, "directeur@demo.cnml.fr")
    for url in ("/tableau-de-bord/", "/tableau-de-bord/structures/ML93001/"):
        phone.goto(url)
        expect(phone.get_by_role("main").get_by_role("table").first).to_be_visible()
        assert_tables_readable(phone)
        assert_accessible(phone)
    problems.assert_clean()


def test_a_wide_table_is_a_scroll_region_the_keyboard_reaches(phone: Page, demo_dashboard):
    login(phone, "directeur@demo.cnml.fr")
    phone.goto("/tableau-de-bord/structures/ML93001/")
    region = phone.get_by_role("region", name=re.compile("comparé à")).first
    expect(region).to_have_attribute("tabindex", "0")
    region.focus()
    phone.keyboard.press("ArrowRight")
    phone.keyboard.press("End")
    expect(region).not_to_have_js_property("scrollLeft", 0)


def question_groups(page: Page):
    return page.locator("main fieldset:has(.fr-segmented)")


def test_servqual_scales_fit_one_line_and_their_meaning_is_said_once(phone: Page, open_servqual):
    problems = watch_problems(phone)
    code = open_servqual.points.get().code
    phone.goto(f"/e/{code}/2/")
    groups = question_groups(phone)
    expect(groups.first).to_be_visible()
    assert groups.count() == 9
    for index in range(groups.count()):
        tops = (
            groups.nth(index)
            .locator(".fr-segmented label")
            .evaluate_all("(labels) => labels.map((label) => Math.round(label.getBoundingClientRect().top))")
        )
        assert len(tops) == 7 and len(set(tops)) == 1, tops
    main_text = phone.get_by_role("main").inner_text()
    assert main_text.count("1 = pas du tout d'accord ; 7 = tout à fait d'accord") == 1
    # A screen reader still hears what the ends mean, with their number.
    expect(groups.first.get_by_label("1 (pas du tout d'accord)")).to_have_count(1)
    assert phone.evaluate("() => document.documentElement.scrollWidth") <= 375
    assert_accessible(phone)
    problems.assert_clean()


def test_the_points_question_tells_what_is_left_to_give_as_it_is_typed(phone: Page, open_servqual):
    problems = watch_problems(phone)
    code = open_servqual.points.get().code
    phone.goto(f"/e/{code}/6/")
    status = phone.locator("main [data-points-total]")
    expect(status).to_have_text("Reste à répartir : 100 points.")
    expect(status).to_have_attribute("aria-live", "polite")
    inputs = phone.locator("main input[data-points-part]")
    inputs.nth(0).fill("30")
    inputs.nth(1).fill("50")
    expect(status).to_have_text("Reste à répartir : 20 points.")
    inputs.nth(2).fill("39")
    expect(status).to_have_text("19 points de trop : retirez-en pour arriver au total.")
    inputs.nth(2).fill("19")
    expect(status).to_have_text("Reste à répartir : 1 point.")
    assert_accessible(phone)
    # The server stays the judge: 99 points are refused, and the page says again what is left.
    with phone.expect_navigation():
        phone.get_by_role("button", name="Suivant").click()
    expect(phone.get_by_role("alert")).to_contain_text("Importance de chaque aspect")
    expect(status).to_have_text("Reste à répartir : 1 point.")
    assert_accessible(phone)
    problems.assert_clean()


STATUS_COLUMNS = [
    ("admin@demo.cnml.fr", "/mobilite/projets/", "Étape"),
    ("admin@demo.cnml.fr", "/mobilite/candidatures/", "Statut"),
    ("relecteur@demo.cnml.fr", "/bonnes-pratiques/relecture/", "Statut"),
    ("conseiller@demo.cnml.fr", "/bonnes-pratiques/mes-fiches/", "Statut"),
]


@pytest.fixture
def demo_lists(demo_network):
    from mobility.demo import load_mobility_demo
    from practices.demo import demo_load_practices
    from surveys.demo import demo_load_surveys

    spec_module._cache.clear()
    # The transactional tests empty the tables: the instruments the migration ships come back first.
    load_instruments(apps, None)
    for load in (load_mobility_demo, demo_load_practices, demo_load_surveys):
        load(stdout=io.StringIO())
    yield
    spec_module._cache.clear()


def test_at_1280_px_each_list_shows_its_status_column(page: Page, problems: BrowserProblems, demo_lists):
    signed_in = ""
    for email, url, column in STATUS_COLUMNS:
        if email != signed_in:
            page.context.clear_cookies()
            login(page, email)
            signed_in = email
        page.goto(url)
        header = page.get_by_role("main").get_by_role("columnheader", name=column, exact=True).first
        expect(header).to_be_visible()
        box = header.bounding_box()
        assert box["x"] + box["width"] <= 1280, f"{url} : colonne « {column} » hors de l'écran"
        assert page.evaluate("() => document.documentElement.scrollWidth") <= 1280
        assert page.evaluate(CLIPPED_BUTTONS) == [], url
        assert_accessible(page)
    problems.assert_clean()


@pytest.mark.parametrize("context_options", [{"viewport": {"width": 1280, "height": 800}}, PHONE], ids=["1280", "375"])
def test_buttons_with_an_icon_show_their_words(page: Page, demo_lists):
    for email, url, name in [
        ("admin@demo.cnml.fr", "/enquetes/", "Nouvelle campagne"),
        ("conseiller@demo.cnml.fr", "/bonnes-pratiques/mes-fiches/", "Rédiger une fiche"),
        ("conseiller@demo.cnml.fr", "/bonnes-pratiques/", "Rédiger une fiche"),
    ]:
        page.context.clear_cookies()
        login(page, email)
        page.goto(url)
        button = page.get_by_role("main").get_by_role("link", name=name)
        expect(button).to_be_visible()
        assert button.evaluate("(link) => link.scrollWidth <= link.clientWidth + 1"), f"{url} : « {name} » tronqué"
        assert page.evaluate(CLIPPED_BUTTONS) == [], url
