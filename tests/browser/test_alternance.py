"""The partnerships for alternance in a real browser: the public list, an animator entering a year's
results (a mistake, then the fix), a CNML reviewer signing a convention. axe-core on every page."""

from __future__ import annotations

import io

import pytest
from playwright.sync_api import Page, expect

from alternance.demo import CHARTE, load_alternance_demo
from alternance.models import Agreement, AgreementStatus, CommitmentResult
from tests.browser.axe import assert_accessible
from tests.browser.helpers import BrowserProblems, login, logout


@pytest.fixture
def alternance_demo(demo_network):
    load_alternance_demo(stdout=io.StringIO())
    return demo_network


def test_public_agreements_results_entry_and_signature(page: Page, problems: BrowserProblems, alternance_demo):
    page.goto("/partenariats/")
    expect(page.get_by_role("link", name=CHARTE)).to_be_visible()
    expect(page.get_by_text("Convention nationale de partenariat CNML – ANFA")).to_have_count(0)
    assert_accessible(page)
    page.get_by_role("link", name=CHARTE).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(CHARTE)
    assert_accessible(page)

    login(page, "animateur@demo.cnml.fr")
    page.goto("/partenariats/suivi/")
    assert_accessible(page)
    page.get_by_role("link", name=CHARTE).click()
    assert_accessible(page)
    page.get_by_role("link", name="Saisir les résultats d'une année").click()
    page.get_by_label("Année", exact=True).fill("2013")
    page.get_by_label("Jeunes des missions locales accédant à l'alternance").fill("-3")
    page.get_by_role("button", name="Enregistrer les résultats").click()
    expect(page.get_by_label("Jeunes des missions locales accédant à l'alternance")).to_have_value("-3")
    assert_accessible(page)
    page.get_by_label("Jeunes des missions locales accédant à l'alternance").fill("1400")
    page.get_by_role("button", name="Enregistrer les résultats").click()
    expect(page.get_by_text("Les résultats de 2013 sont enregistrés.")).to_be_visible()
    assert CommitmentResult.objects.filter(year=2013, achieved=1400).count() == 1
    logout(page)

    convention = Agreement.objects.get(title="Convention nationale de partenariat CNML – ANFA")
    login(page, "relecteur@demo.cnml.fr")
    page.goto(f"/partenariats/suivi/{convention.pk}/")
    assert_accessible(page)
    page.get_by_label("Commentaire").fill("Convention signée avec l'ANFA.")
    page.get_by_role("button", name="Signer").click()
    expect(page.get_by_text("Convention signée avec l'ANFA.")).to_be_visible()
    convention.refresh_from_db()
    assert convention.status == AgreementStatus.SIGNEE
    problems.assert_no_csp_violation()
