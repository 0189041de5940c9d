"""A fiche de bonne pratique from writing to publication, in a real browser.

A conseiller writes and submits a fiche; a CNML reviewer takes it in review and
requests changes in the admin; the conseiller completes and resubmits it; the reviewer
publishes it; an anonymous visitor finds it by searching the catalogue without accents.
axe-core must find zero violations on every page outside the Django admin.
"""

from __future__ import annotations

import re

import pytest
from django.core import mail
from playwright.sync_api import Page, expect

from cnml.audit import transitions_of
from practices.models import Fiche, Status
from practices.services import themes_ensure_defaults
from tests.browser.axe import assert_accessible
from tests.browser.helpers import BrowserProblems, login, logout

TITLE = "Les outils partagés de la cotraitance et du partenariat renforcé en Provence"


@pytest.fixture
def practices_demo(demo_network):
    themes_ensure_defaults()
    return demo_network


def fill_fiche(page: Page) -> None:
    page.locator("#id_title").fill(TITLE)
    fiche_section = page.locator("#section-fiche")
    fiche_section.locator("label[for='id_scale_2']").click()  # Régionale
    fiche_section.get_by_text("Cotraitance", exact=True).click()
    fiche_section.get_by_text("Outils partagés", exact=True).click()
    page.locator("#id_start_date").fill("2011-01-10")
    page.select_option("#id_partenaires-0-kind", "pole_emploi")
    page.locator("#id_partenaires-0-name").fill("Direction régionale Pôle emploi")
    page.locator("#id_partenaires-0-role").fill("Anime les sessions de formation.")
    page.locator("#id_context").fill("Les outils de Pôle emploi sont peu exploités par les missions locales.")
    page.locator("#id_objectives").fill("- Former les conseillers\n- Renforcer la coopération")
    page.locator("#id_public_concerned").fill("Les conseillers des missions locales de la région.")
    page.locator("#id_description").fill("Dix journées de formation : E-partenet, « Mon marché du travail », BMO.")
    page.locator("#id_results").fill("Une centaine de conseillers formés.")
    page.locator("#id_contacts-0-name").fill("Camille Martin")
    page.locator("#id_contacts-0-email").fill("camille.martin@ml.fr")


def sign_out(page: Page) -> None:
    """Log out from the site's header (the admin pages have their own)."""
    page.goto("/")
    logout(page)


def admin_bulk_action(page: Page, fiche: Fiche, action: str, comment: str = "") -> None:
    """Select the fiche in the admin list, run the action, fill the comment, confirm."""
    page.goto("/admin/practices/fiche/")
    page.locator(f'input[name="_selected_action"][value="{fiche.pk}"]').check()
    page.select_option('select[name="action"]', action)
    with page.expect_navigation():
        page.locator('button[name="index"]').first.click()
    expect(page.locator("textarea[name='comment']")).to_be_visible()
    if comment:
        page.locator("textarea[name='comment']").fill(comment)
    with page.expect_navigation():
        page.locator("input[name='confirmer']").click()
    expect(page.locator(".messagelist")).to_contain_text("1 fiche traitée")


def admin_single_decision(page: Page, fiche: Fiche, label: str, comment: str = "") -> None:
    """From the fiche's page in the admin: its decision link, then the confirmation page."""
    page.goto(f"/admin/practices/fiche/{fiche.pk}/change/")
    with page.expect_navigation():
        page.locator(".object-tools").get_by_role("link", name=label).click()
    if comment:
        page.locator("textarea[name='comment']").fill(comment)
    with page.expect_navigation():
        page.locator("input[name='confirmer']").click()
    expect(page.locator(".messagelist")).to_contain_text("1 fiche traitée")


def test_fiche_written_reviewed_completed_published_and_found(page: Page, problems: BrowserProblems, practices_demo):
    # 1. A conseiller writes the fiche and submits it.
    login(page, "conseiller@demo.cnml.fr")
    page.goto("/bonnes-pratiques/mes-fiches/")
    assert_accessible(page)
    with page.expect_navigation():
        page.get_by_role("main").get_by_role("link", name="Rédiger une fiche").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Rédiger une fiche")
    assert_accessible(page)

    # A first try without a title: the form comes back with the error and keeps what was typed.
    fill_fiche(page)
    page.locator("#id_title").fill("")
    with page.expect_navigation():
        page.get_by_role("button", name="Soumettre la fiche").click()
    expect(page.locator("#erreurs")).to_contain_text("Le formulaire contient une erreur")
    expect(page.locator("#id_context")).to_have_value(re.compile("peu exploités"))
    expect(page.locator("#id_partenaires-0-name")).to_have_value("Direction régionale Pôle emploi")
    assert_accessible(page)

    page.locator("#id_title").fill(TITLE)
    with page.expect_navigation():
        page.get_by_role("button", name="Soumettre la fiche").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(page.locator(".practices-workflow .fr-badge")).to_have_text("Soumise")
    assert_accessible(page)
    fiche = Fiche.objects.get(title=TITLE)
    assert fiche.status == Status.SOUMISE
    # Region 93 has a regional animator: the fiche is in their queue, and they were told.
    assert any(message.to == ["animateur@demo.cnml.fr"] for message in mail.outbox)
    sign_out(page)

    # 2. A CNML reviewer takes it in review and requests changes, in the admin.
    login(page, "relecteur@demo.cnml.fr")
    admin_bulk_action(page, fiche, "action_take_in_review")
    admin_bulk_action(page, fiche, "action_request_changes", "Ajoutez les résultats chiffrés de l'évaluation.")
    fiche.refresh_from_db()
    assert fiche.status == Status.A_COMPLETER
    sign_out(page)

    # 3. The conseiller reads the comment, completes and resubmits.
    login(page, "conseiller@demo.cnml.fr")
    page.goto(f"/bonnes-pratiques/fiche/{fiche.pk}/")
    expect(page.get_by_role("main")).to_contain_text("Ajoutez les résultats chiffrés de l'évaluation.")
    assert_accessible(page)
    with page.expect_navigation():
        page.get_by_role("main").get_by_role("link", name="Modifier", exact=True).click()
    # The reviewer's request stays in sight above the form it is answered in.
    expect(page.locator("#demande-du-relecteur")).to_contain_text("Ajoutez les résultats chiffrés de l'évaluation.")
    assert_accessible(page)
    page.locator("#id_results").fill("Une centaine de conseillers formés en 10 journées ; 92 % de satisfaits.")
    with page.expect_navigation():
        page.get_by_role("button", name="Soumettre la fiche").click()
    expect(page.locator(".practices-workflow .fr-badge")).to_have_text("Soumise")
    # The reviewer who asked is told what changed.
    told = [message for message in mail.outbox if message.to == ["relecteur@demo.cnml.fr"]]
    assert told and "92 % de satisfaits" in told[-1].body
    sign_out(page)

    # 4. The reviewer sees what changed, takes it in review again and publishes it.
    login(page, "relecteur@demo.cnml.fr")
    page.goto(f"/admin/practices/fiche/{fiche.pk}/change/")
    expect(page.locator(".practices-diff")).to_contain_text("92 % de satisfaits")
    admin_single_decision(page, fiche, "Prendre en relecture")
    admin_single_decision(page, fiche, "Publier", "Merci pour cette fiche.")
    fiche.refresh_from_db()
    assert fiche.status == Status.PUBLIEE
    assert [t.to_state for t in transitions_of(fiche)] == [
        "soumise",
        "en_relecture",
        "a_completer",
        "soumise",
        "en_relecture",
        "publiee",
    ]
    sign_out(page)

    # 5. An anonymous visitor finds it by searching without accents, and opens it.
    page.goto("/bonnes-pratiques/")
    assert_accessible(page)
    page.get_by_label("Rechercher une bonne pratique").fill("partenariat renforce provence")
    with page.expect_navigation():
        page.get_by_role("button", name="Rechercher").click()
    expect(page.locator("#resultats")).to_contain_text("1 fiche correspond à votre recherche")
    assert_accessible(page)
    with page.expect_navigation():
        page.get_by_role("link", name=TITLE).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(page.get_by_role("main")).to_contain_text("92 % de satisfaits")
    expect(page.get_by_role("main")).not_to_contain_text("Historique")
    assert_accessible(page)
    page.goto(f"/bonnes-pratiques/fiche/{fiche.pk}/imprimer/")
    assert_accessible(page)

    problems.assert_no_csp_violation()
