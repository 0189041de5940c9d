"""Plateformes de mobilité in a real browser: from the application to the first approved report.

A director of a mission locale applies to an open call (a first attempt with a missing
field, then the submission); a CNML reviewer scores and selects it, records the FARE
formation-action and moves the project to the montage; the director launches the
platform, puts it in operation and writes the first activity report (after fixing an
inconsistent figure); the reviewer approves it. axe-core checks every page on the way,
error states included, under the production Content-Security-Policy.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from mobility.models import ActivityReport, Application, Project, ReportStatus, Stage
from tests.browser.axe import assert_accessible
from tests.browser.calls import RELECTEUR, check_page, click_and_wait, main, score_and_select
from tests.browser.helpers import BrowserProblems, login, logout
from tests.mobility.factories import CallFactory, catalogue

DIRECTEUR = "directeur@demo.cnml.fr"


@pytest.fixture
def open_call(demo_network):
    """The services and funders catalogues and this year's call, open, committed for the live server."""
    catalogue()
    return CallFactory(year=timezone.localdate().year, title="Appel à projets plateformes de mobilité")


def test_from_application_to_first_approved_report(page: Page, problems: BrowserProblems, open_call):
    year = open_call.year
    today = timezone.localdate()

    # --- The director applies -------------------------------------------------------------
    login(page, DIRECTEUR)
    page.goto("/mobilite/")
    check_page(page, "Appels à projets")
    click_and_wait(page, main(page).get_by_role("link", name="Appel à projets plateformes de mobilité"))
    check_page(page, "Appel à projets plateformes de mobilité")
    click_and_wait(page, main(page).get_by_role("link", name=f"Candidater à l'appel {year}"))
    check_page(page, f"Candidature à l'appel {year}")

    # The network structure of the director is proposed as the carrier.
    expect(page.get_by_label("Une structure du réseau")).to_be_checked()
    expect(page.locator("#id_carrier_structure option:checked")).to_contain_text("ML93001")
    page.get_by_label("Intitulé du projet").fill("Plateforme mobilité du bassin marseillais")
    page.get_by_label("Personne à contacter").fill("Dominique Bernard")
    page.get_by_label("Adresse e-mail de contact").fill("dominique.bernard@ml93001.example.fr")
    page.locator("#id_departements").fill("13")
    page.locator("#id_territory_type").select_option(label="Urbain")
    page.locator("#id_needs-0-label").fill("Aller en formation sans voiture")
    page.locator("#id_needs-0-people_count").fill("60")
    page.locator("#id_services_to_develop_fieldset").get_by_text("Location de véhicules", exact=True).click()
    page.locator("#id_services_to_develop_fieldset").get_by_text("Garage associatif", exact=True).click()
    # DSFR checkboxes are styled on their labels: click them as a user does.
    expect(page.locator("#id_services_to_develop_fieldset").get_by_label("Location de véhicules")).to_be_checked()
    page.locator("#id_staff_description").fill("Un conseiller mobilité.")
    page.locator("#id_premises_description").fill("Un garage partagé.")
    page.locator("#id_steps-0-label").fill("Ouverture de la plateforme")
    page.locator("#id_steps-0-due_on").fill((today + timedelta(days=90)).isoformat())
    page.locator("#id_fundings-0-funder").select_option(label="État")
    page.locator("#id_fundings-0-amount").fill("30000")
    page.locator("#id_governance-0-organisation").fill("Pôle emploi")
    page.locator("#id_governance-0-role").fill("Prescripteur")

    # First attempt: the needs of the public are missing. The error shows, nothing typed is lost.
    click_and_wait(page, main(page).get_by_role("button", name="Déposer la candidature"))
    expect(main(page).get_by_text("La candidature n'est pas enregistrée")).to_be_visible()
    expect(page.locator("#id_public_needs_error")).to_contain_text("Ce champ est obligatoire.")
    expect(page.get_by_label("Intitulé du projet")).to_have_value("Plateforme mobilité du bassin marseillais")
    expect(page.locator("#id_fundings-0-amount")).to_have_value("30000")
    assert_accessible(page)

    page.locator("#id_public_needs").fill("Des jeunes sans permis, loin des zones d'activité.")
    click_and_wait(page, main(page).get_by_role("button", name="Déposer la candidature"))
    check_page(page, "Plateforme mobilité du bassin marseillais")
    expect(main(page).locator(".fr-badge", has_text="Déposée")).to_be_visible()
    application = Application.objects.get()
    assert application.status == "deposee"
    logout(page)

    # --- The CNML reviewer scores and selects it -------------------------------------------
    score_and_select(
        page,
        "Plateforme mobilité du bassin marseillais",
        scores={"Besoin social (sur 5)": "4", "Modèle économique (sur 5)": "3"},
        comment="Besoin bien établi.",
    )

    project = Project.objects.get()
    expect(page).to_have_url(re.compile(rf"/mobilite/projets/{project.pk}/$"))
    check_page(page, "Plateforme mobilité du bassin marseillais")
    # The plan came from the application, without retyping.
    expect(main(page).get_by_role("cell", name="Aller en formation sans voiture")).to_be_visible()
    expect(main(page).get_by_role("cell", name="Ouverture de la plateforme")).to_be_visible()

    # The FARE support and a formation-action session held last week.
    click_and_wait(page, main(page).get_by_role("link", name="Modifier l'accompagnement et les séances"))
    check_page(page, "Accompagnement de la FARE")
    page.get_by_label("Expert de la FARE").fill("Expert FARE Provence")
    main(page).get_by_text("Financée par la Fondation MACIF", exact=True).click()
    page.locator("#id_seances-0-held_on").fill((today - timedelta(days=7)).isoformat())
    page.locator("#id_seances-0-topic").fill("Territoire pertinent et besoins des publics")
    page.locator("#id_seances-0-attendees_count").fill("8")
    click_and_wait(page, main(page).get_by_role("button", name="Enregistrer", exact=True))
    click_and_wait(page, main(page).get_by_role("button", name="Démarrer la formation-action"))
    click_and_wait(page, main(page).get_by_role("button", name="Passer au montage"))
    expect(page.get_by_text("Le projet est à l'étape « Montage »")).to_be_visible()
    assert_accessible(page)

    for path, heading in [
        ("/mobilite/projets/par-etape/", "Projets par étape"),
        ("/mobilite/projets/", "Projets retenus"),
        (f"/mobilite/appels/{year}/bilan/", f"Les projets de plateforme soutenus en {year}"),
        ("/mobilite/appels/nouveau/", "Nouvel appel à projets"),
    ]:
        page.goto(path)
        check_page(page, heading)
    logout(page)

    # --- The director launches the platform and writes the first report ---------------------
    login(page, DIRECTEUR)
    page.goto(f"/mobilite/projets/{project.pk}/")
    assert_accessible(page)
    click_and_wait(page, main(page).get_by_role("link", name="Modifier les objectifs et les services"))
    check_page(page, "Objectifs et services")
    page.goto(f"/mobilite/projets/{project.pk}/documents/ajouter/")
    check_page(page, "Ajouter un document")

    page.goto(f"/mobilite/projets/{project.pk}/budget/")
    check_page(page, "Suivre le réalisé du budget")
    # The approved planned amount is shown, not editable: it changes by an amendment only.
    expect(page.locator("#id_budget-0-planned_amount")).to_be_disabled()
    page.locator("#id_budget-0-actual_amount").fill("12000")
    click_and_wait(page, main(page).get_by_role("button", name="Enregistrer", exact=True))

    # The director asks for an amendment: nothing changes until the CNML approves it.
    click_and_wait(page, main(page).get_by_role("link", name="Demander un avenant au budget"))
    check_page(page, "Demander un avenant au budget")
    click_and_wait(page, main(page).get_by_role("button", name="Demander l'avenant"))
    expect(main(page).get_by_text("Aucun montant ne change")).to_be_visible()
    expect(page.locator("#id_reason_error")).to_contain_text("Expliquez pourquoi le budget doit changer.")
    assert_accessible(page)
    page.locator("#id_lignes-0-planned_after").fill("45000")
    page.get_by_label("Motif de l'avenant").fill("Un second scooter, demandé par Pôle emploi.")
    click_and_wait(page, main(page).get_by_role("button", name="Demander l'avenant"))
    expect(page.get_by_role("status").get_by_text("Avenant demandé")).to_be_visible()
    expect(main(page).get_by_role("table", name=re.compile("Avenants au budget"))).to_contain_text("30 000 → 45 000")
    expect(main(page).get_by_role("link", name="Demander un avenant au budget")).to_have_count(0)
    click_and_wait(page, main(page).get_by_role("button", name="Lancer la plateforme"))
    expect(page.get_by_text("Le projet est à l'étape « Lancement »")).to_be_visible()

    click_and_wait(page, main(page).get_by_role("link", name="Modifier les jalons"))
    check_page(page, "Jalons")
    page.locator("#id_jalons-0-done_on").fill(today.isoformat())
    click_and_wait(page, main(page).get_by_role("button", name="Enregistrer", exact=True))
    click_and_wait(page, main(page).get_by_role("button", name="Déclarer la plateforme en fonctionnement"))
    expect(page.get_by_text("Le projet est à l'étape « En fonctionnement »")).to_be_visible()

    click_and_wait(page, main(page).get_by_role("link", name="Nouveau bilan d'activité"))
    check_page(page, "Nouveau bilan d'activité")
    page.locator("#id_period").select_option(label="1er semestre")
    figures = {
        "Orientées par une mission locale": "12",
        "Orientées par Pôle emploi": "6",
        "Femmes": "9",
        "Hommes": "10",  # 19 ≠ 18 people: refused
        "18 à 25 ans": "18",
        "Diagnostics mobilité réalisés": "18",
        "Permis de conduire obtenus": "2",
        "En emploi à 6 mois": "5",
        "Coût total de la période (€)": "9000",
    }
    for label, value in figures.items():
        page.get_by_label(label, exact=True).fill(value)
    page.locator("#id_services-0-service").select_option(label="Location de véhicules (en journées de location)")
    page.locator("#id_services-0-quantity").fill("140")
    click_and_wait(page, main(page).get_by_role("button", name="Enregistrer le bilan"))
    expect(page.locator("#id_men_error")).to_contain_text(
        "Femmes et hommes doivent faire le total des personnes accompagnées (18)."
    )
    expect(page.locator("#id_services-0-quantity")).to_have_value("140")
    assert_accessible(page)
    page.get_by_label("Hommes", exact=True).fill("9")
    click_and_wait(page, main(page).get_by_role("button", name="Enregistrer le bilan"))
    check_page(page, re.compile("Bilan du 1er semestre"))
    click_and_wait(page, main(page).get_by_role("button", name="Soumettre au CNML"))
    expect(main(page).locator(".fr-badge", has_text="Soumis")).to_be_visible()
    logout(page)

    # --- The reviewer approves it: its figures count in the totals --------------------------
    report = ActivityReport.objects.get()
    login(page, RELECTEUR)
    page.goto(report.get_absolute_url())
    assert_accessible(page)
    page.get_by_label("Commentaire au porteur").fill("Beau démarrage.")
    click_and_wait(page, main(page).get_by_role("button", name="Approuver le bilan"))
    expect(main(page).locator(".fr-badge", has_text="Approuvé")).to_be_visible()
    assert_accessible(page)

    # The reviewer approves the amendment on the project page: the planned budget follows, with its history.
    page.goto(f"/mobilite/projets/{project.pk}/")
    page.get_by_label("Message au porteur").fill("Accordé.")
    click_and_wait(page, main(page).get_by_role("button", name="Approuver l'avenant"))
    expect(
        page.get_by_role("status").get_by_text("Avenant approuvé : le budget prévu du projet est mis à jour.")
    ).to_be_visible()
    history = main(page).get_by_role("table", name=re.compile("Avenants au budget"))
    expect(history).to_contain_text("Approuvé")
    expect(history).to_contain_text("« Accordé. »")
    assert_accessible(page)
    assert project.budget_lines.get().planned_amount == 45000

    report.refresh_from_db()
    project.refresh_from_db()
    assert report.status == ReportStatus.APPROUVE
    assert project.stage == Stage.EN_FONCTIONNEMENT
    page.goto(f"/mobilite/appels/{year}/bilan/")
    expect(main(page).get_by_role("row", name=re.compile("Total de l'appel"))).to_contain_text("18")
    problems.assert_clean()


def test_typing_an_existing_carrier_asks_its_members_who_approve_the_newcomer(
    page: Page, problems: BrowserProblems, open_call
):
    """The director names a maison de l'emploi that already has users: a request, not a membership."""
    from cnml.models import Region, User
    from mobility.models import Carrier, CarrierKind

    carrier = Carrier.objects.create(
        name="Maison de l'emploi du Pays d'Aix", kind=CarrierKind.MAISON_EMPLOI, region=Region.objects.get(code="93")
    )
    carrier.members.add(User.objects.get(email="conseiller@demo.cnml.fr"))
    year = open_call.year

    login(page, DIRECTEUR)
    page.goto(f"/mobilite/appels/{year}/candidater/")
    page.get_by_label("Intitulé du projet").fill("Garage solidaire du Pays d'Aix")
    main(page).get_by_text("Un autre organisme", exact=True).click()
    page.get_by_label("Nom de l'organisme").fill("maison de l'emploi du pays d'aix")
    page.locator("#id_carrier_kind").select_option(label="Association")
    page.locator("#id_carrier_region").select_option(value="93")
    click_and_wait(page, main(page).get_by_role("button", name="Enregistrer le brouillon"))
    expect(page.get_by_role("status").get_by_text("Brouillon enregistré")).to_be_visible()
    page.goto(Application.objects.get().get_absolute_url())
    expect(main(page)).to_contain_text(
        "Votre rattachement à « Maison de l'emploi du Pays d'Aix » attend l'accord d'un de ses membres ou du CNML"
    )
    assert_accessible(page)
    page.goto("/mobilite/porteurs/demandes/")
    check_page(page, "Demandes de rattachement")
    expect(main(page).get_by_role("table", name="Vos demandes de rattachement")).to_contain_text("En attente")
    expect(main(page).get_by_role("button", name="Accepter le rattachement")).to_have_count(0)
    logout(page)

    # A member of the maison de l'emploi is told on the home page and decides.
    login(page, "conseiller@demo.cnml.fr")
    page.goto("/mobilite/")
    click_and_wait(page, main(page).get_by_role("link", name="Demandes de rattachement à décider : 1"))
    check_page(page, "Demandes de rattachement")
    expect(main(page)).to_contain_text("directeur@demo.cnml.fr")
    page.get_by_label("Message au demandeur").fill("Bienvenue dans l'équipe.")
    click_and_wait(page, main(page).get_by_role("button", name="Accepter le rattachement"))
    expect(page.get_by_role("status").get_by_text("Demande acceptée")).to_be_visible()
    expect(main(page).get_by_role("table", name="Demandes de rattachement traitées")).to_contain_text("Acceptée")
    assert_accessible(page)

    carrier.refresh_from_db()
    assert carrier.kind == CarrierKind.MAISON_EMPLOI
    assert carrier.members.filter(email="directeur@demo.cnml.fr").exists()
    problems.assert_clean()
