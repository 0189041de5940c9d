"""A closed survey's results published by the region's animator, then read by anyone without an account,
then withdrawn: the confirmation saying what becomes public, the public index, the region's and a mission
locale's results (small groups hidden, never the free comments). axe-core on every page."""

from __future__ import annotations

import io
import re

import pytest
from playwright.sync_api import Page, expect

from surveys import spec as spec_module
from surveys.demo import YOUTH_TITLE, demo_load_surveys
from surveys.models import Campaign, PublicationStatus, ResultsPublication
from tests.browser.axe import assert_accessible
from tests.browser.helpers import BrowserProblems, login, logout


@pytest.fixture
def closed_unpublished(demo_network) -> Campaign:
    """The demo's closed youth campaign of 2010, its results computed and not yet published."""
    spec_module._cache.clear()
    demo_load_surveys(stdout=io.StringIO())
    campaign = Campaign.objects.get(title=YOUTH_TITLE)
    # The demo publishes them; this test does it by hand.
    ResultsPublication.objects.filter(campaign=campaign).delete()
    yield campaign
    spec_module._cache.clear()


def test_the_animator_publishes_a_closed_surveys_results_and_anyone_reads_them(
    page: Page, problems: BrowserProblems, closed_unpublished: Campaign
):
    campaign = closed_unpublished
    page.goto("/enquetes/resultats-publies/")
    expect(page.get_by_role("link", name=YOUTH_TITLE)).to_have_count(0)
    assert page.goto(f"/enquetes/resultats-publies/{campaign.pk}/").status == 404

    login(page, "animateur@demo.cnml.fr")
    page.goto(f"/enquetes/campagnes/{campaign.pk}/")
    publication = page.get_by_role("region", name="Publication des résultats")
    expect(publication).to_contain_text("Les résultats ne sont pas publiés")
    assert_accessible(page)
    publication.get_by_role("link", name="Publier les résultats…").click()
    expect(page.get_by_role("heading", name="Ce qui devient public")).to_be_visible()
    expect(page.get_by_role("main")).to_contain_text("Les commentaires libres ne sont jamais publiés.")
    assert_accessible(page)
    page.get_by_role("button", name="Publier les résultats").click()
    expect(page.get_by_text("Les résultats sont publiés")).to_be_visible()
    expect(page.get_by_role("link", name="la page publique des résultats")).to_be_visible()
    assert_accessible(page)
    assert ResultsPublication.objects.get(campaign=campaign).status == PublicationStatus.PUBLISHED
    logout(page)

    # Anyone, without an account.
    page.goto("/enquetes/resultats-publies/")
    assert_accessible(page)
    page.get_by_role("link", name=YOUTH_TITLE).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Provence-Alpes-Côte d'Azur")
    expect(page.get_by_role("main")).to_contain_text("129 réponses")
    expect(page.get_by_role("heading", name="Commentaires libres")).to_have_count(0)
    assert_accessible(page)
    groups = page.get_by_role("table", name=re.compile("Groupes de"))
    groups.get_by_role("link", name="Mission locale Provence-Alpes-Côte d'Azur 2").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Mission locale Provence-Alpes-Côte d'Azur 2")
    children = page.get_by_role("table", name=re.compile("Groupes de"))
    # 7 answers at antenne 2: below the threshold, hidden, and antenne 1 with it.
    expect(children.get_by_role("row", name=re.compile("Antenne 2 de ML93002"))).to_contain_text("masqué")
    expect(page.get_by_role("heading", name="Commentaires libres")).to_have_count(0)
    assert_accessible(page)

    # Withdrawn with a reason: the public pages are gone.
    login(page, "animateur@demo.cnml.fr")
    page.goto(f"/enquetes/campagnes/{campaign.pk}/")
    page.get_by_role("link", name="Retirer la publication…").click()
    page.get_by_label("Motif du retrait").fill("Une antenne a signalé une erreur de saisie.")
    assert_accessible(page)
    page.get_by_role("button", name="Retirer la publication").click()
    expect(page.get_by_text("La publication est retirée")).to_be_visible()
    logout(page)
    assert page.goto(f"/enquetes/resultats-publies/{campaign.pk}/").status == 404
    page.goto("/enquetes/resultats-publies/")
    expect(page.get_by_role("link", name=YOUTH_TITLE)).to_have_count(0)
    problems.assert_no_csp_violation()
