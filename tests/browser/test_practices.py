"""A fiche de bonne pratique from writing to publication, in a real browser.

A conseiller writes and submits a fiche; a CNML reviewer takes it in review and
requests changes in the admin; the conseiller completes and resubmits it; the reviewer
publishes it; an anonymous visitor finds it by searching the catalogue without accents. A Pôle emploi
partner of a local comité de pilotage answers a recensement asking that committee; a CNML reviewer
publishes the fiche and the recensement counts it.
axe-core must find zero violations on every page outside the Django admin.
"""

from __future__ import annotations

import datetime
import re

import pytest
from django.apps import apps
from django.core import mail
from django.utils import timezone
from playwright.sync_api import Page, expect

from cnml.audit import transitions_of
from practices.models import Fiche, Status
from tests.browser.axe import assert_accessible
from tests.browser.helpers import BrowserProblems, login, logout
from tests.migrations import shipped

TITLE = "Les outils partagés de la cotraitance et du partenariat renforcé en Provence"


@pytest.fixture
def practices_demo(demo_network):
    shipped("practices").add_themes(apps, None)  # emptied by the transactional tests before
    return demo_network


def fill_fiche(page: Page, *, scale: int, themes: list[str], fields: dict[str, str]) -> None:
    """Fill the fiche form: ``scale`` the radio's index, ``themes`` their labels, ``fields`` the inputs' values
    by name (``partenaires-0-name``…); its first partner is Pôle emploi."""
    fiche_section = page.locator("#section-fiche")
    fiche_section.locator(f"label[for='id_scale_{scale}']").click()
    for theme in themes:
        fiche_section.get_by_text(theme, exact=True).click()
    page.select_option("#id_partenaires-0-kind", "pole_emploi")
    for name, value in fields.items():
        page.locator(f"#id_{name}").fill(value)


def submit_fiche(page: Page, title: str) -> Fiche:
    """Submit the fiche form: its page comes back, submitted and accessible."""
    with page.expect_navigation():
        page.get_by_role("button", name="Soumettre la fiche").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    expect(page.locator(".practices-workflow .fr-badge")).to_have_text("Soumise")
    assert_accessible(page)
    return Fiche.objects.get(title=title)


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
    fill_fiche(
        page,
        scale=2,  # Régionale
        themes=["Cotraitance", "Outils partagés"],
        fields={
            "title": TITLE,
            "start_date": "2011-01-10",
            "partenaires-0-name": "Direction régionale Pôle emploi",
            "partenaires-0-role": "Anime les sessions de formation.",
            "context": "Les outils de Pôle emploi sont peu exploités par les missions locales.",
            "objectives": "- Former les conseillers\n- Renforcer la coopération",
            "public_concerned": "Les conseillers des missions locales de la région.",
            "description": "Dix journées de formation : E-partenet, « Mon marché du travail », BMO.",
            "results": "Une centaine de conseillers formés.",
            "contacts-0-name": "Camille Martin",
            "contacts-0-email": "camille.martin@ml.fr",
        },
    )
    page.locator("#id_title").fill("")
    with page.expect_navigation():
        page.get_by_role("button", name="Soumettre la fiche").click()
    expect(page.locator("#erreurs")).to_contain_text("Le formulaire contient une erreur")
    expect(page.locator("#id_context")).to_have_value(re.compile("peu exploités"))
    expect(page.locator("#id_partenaires-0-name")).to_have_value("Direction régionale Pôle emploi")
    assert_accessible(page)

    page.locator("#id_title").fill(TITLE)
    fiche = submit_fiche(page, TITLE)
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
    submit_fiche(page, TITLE)
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


COMMITTEE_TITLE = "Un rendez-vous commun mission locale – Pôle emploi pour les jeunes en cotraitance"


def test_a_partner_of_a_committee_answers_a_recensement_that_a_reviewer_publishes(
    page: Page, problems: BrowserProblems, practices_demo
):
    """A Pôle emploi partner, member of a local comité de pilotage, drafts a fiche for a recensement asking
    that committee (its template shaping the form) and submits it; a CNML reviewer publishes it in the admin;
    the recensement counts it in the committee's row and its summary."""
    from cnml.demo import DEMO_COMMITTEE
    from cnml.models import Committee, User
    from practices.fiche_templates import TEMPLATES
    from practices.models import Recensement

    committee = Committee.objects.get(name=DEMO_COMMITTEE)
    template = TEMPLATES["cotraitance"]
    today = timezone.localdate()
    recensement = Recensement.objects.create(
        title="Les parcours communs des comités locaux",
        instructions="Décrivez un parcours que la mission locale et Pôle emploi mènent ensemble.",
        opens_on=today - datetime.timedelta(days=5),
        closes_on=today + datetime.timedelta(days=25),
        template=template.key,
        created_by=User.objects.get(email="relecteur@demo.cnml.fr"),
    )
    recensement.committees.set([committee])

    # 1. The partner finds the recensement asking their committee and drafts a fiche from its page.
    login(page, "partenaire@demo.cnml.fr")
    page.goto("/bonnes-pratiques/recensements/")
    assert_accessible(page)
    with page.expect_navigation():
        page.get_by_role("link", name=recensement.title).click()
    expect(page.get_by_role("main")).to_contain_text(template.label)
    assert_accessible(page)
    with page.expect_navigation():
        page.get_by_role("link", name="Rédiger une fiche pour ce recensement").click()
    expect(page.locator("#modele-du-recensement")).to_contain_text(template.summary)
    expect(page.locator("#id_recensement")).to_have_value(str(recensement.pk))
    expect(page.locator("#id_description")).to_have_value(re.compile("Le rôle de Pôle emploi"))
    assert_accessible(page)

    fill_fiche(
        page,
        scale=0,  # Locale
        themes=["Cotraitance"],
        fields={
            "title": COMMITTEE_TITLE,
            "start_date": "2011-03-01",
            "partenaires-0-name": "Agence Pôle emploi de Marseille Belle de Mai",
            "context": "Les jeunes suivis en cotraitance rencontrent deux conseillers séparément.",
            "objectives": "- Un rendez-vous commun à l'entrée\n- Un suivi partagé chaque mois",
            "public_concerned": "Les jeunes de 18 à 25 ans orientés par Pôle emploi.",
            "description": "Un premier rendez-vous à trois, puis un point mensuel entre conseillers.",
            "results": "Jeunes accompagnés : 64. Sorties en emploi ou en formation : 38.",
            "contacts-0-name": "Morgane Lefèvre",
            "contacts-0-email": "morgane.lefevre@pole-emploi.fr",
        },
    )
    fiche = submit_fiche(page, COMMITTEE_TITLE)
    assert (fiche.committee, fiche.structure, fiche.recensement) == (committee, None, recensement)
    assert fiche.success_factors == ""  # no starter for it in this template, nothing typed
    sign_out(page)

    # 2. A CNML reviewer takes it in review and publishes it in the admin.
    login(page, "relecteur@demo.cnml.fr")
    admin_single_decision(page, fiche, "Prendre en relecture")
    admin_single_decision(page, fiche, "Publier", "Merci au comité pour cette fiche.")
    fiche.refresh_from_db()
    assert fiche.status == Status.PUBLIEE
    # The partner (its author) is told, with the reviewer's comment.
    told = [message for message in mail.outbox if message.to == ["partenaire@demo.cnml.fr"]]
    assert told and "Merci au comité pour cette fiche." in told[-1].body

    # 3. The recensement counts it in the committee's row, and its summary is offered.
    page.goto(f"/bonnes-pratiques/recensements/{recensement.pk}/")
    table = page.get_by_role("table", name=re.compile("par comité de pilotage"))
    row = table.get_by_role("row", name=re.compile(re.escape(DEMO_COMMITTEE)))
    expect(row.get_by_role("cell")).to_have_text([committee.region.name, "0", "0", "1", "0", "Oui"])
    expect(page.get_by_role("link", name="Synthèse des fiches publiées (XLSX)")).to_be_visible()
    assert_accessible(page)
    summary = page.request.get(f"/bonnes-pratiques/recensements/{recensement.pk}/synthese.xlsx")
    assert summary.ok
    problems.assert_no_csp_violation()
