"""An alternance call for projects in a real browser: the same mechanism as the mobility platforms'.

The FPSPP's alternance call is open with its envelope; the director of a mission locale applies
(a first attempt without a required section, then the submission), answering the call's sections
and asking the call for an amount; a CNML reviewer scores and selects it; the project follows the
short path (launched by the CNML, declared in operation by the director) and the call's page shows
what the envelope has granted and what is left. axe-core checks every page on the way.
"""

from __future__ import annotations

import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from mobility.models import Application, Project, Stage
from tests.browser.axe import assert_accessible
from tests.browser.calls import check_page, click_and_wait, main, score_and_select
from tests.browser.helpers import BrowserProblems, login, logout
from tests.mobility.factories import AlternanceCallFactory, FunderFactory, catalogue

DIRECTEUR = "directeur@demo.cnml.fr"
TITLE = "Passerelles vers l'alternance"


@pytest.fixture
def alternance_call(demo_network):
    """This year's alternance call, open, FPSPP-funded, committed for the live server."""
    catalogue()
    return AlternanceCallFactory(
        year=timezone.localdate().year,
        title="Appel à projets alternance des missions locales",
        funders=[FunderFactory(name="FPSPP", order=1)],
    )


def test_a_mission_locale_s_alternance_project_from_application_to_operation(
    page: Page, problems: BrowserProblems, alternance_call
):
    year = alternance_call.year

    # --- The director of the mission locale applies ---------------------------------------------
    login(page, DIRECTEUR)
    page.goto("/mobilite/")
    check_page(page, "Appels à projets")
    expect(main(page).get_by_text("Alternance", exact=True)).to_be_visible()
    click_and_wait(page, main(page).get_by_role("link", name="Appel à projets alternance des missions locales"))
    expect(page).to_have_url(re.compile(rf"/mobilite/appels/alternance/{year}/$"))
    check_page(page, "Appel à projets alternance des missions locales")
    expect(main(page).get_by_text("Enveloppe\u00a0: 12\u202f000\u202f000\u00a0€")).to_be_visible()
    click_and_wait(page, main(page).get_by_role("link", name=f"Candidater à l'appel Alternance {year}"))
    check_page(page, f"Candidature à l'appel Alternance {year}")
    # The call's sections, not the four axes of the mobility platforms.
    expect(main(page).get_by_role("heading", name="1. Territoire et besoins du public")).to_have_count(0)
    expect(page.locator("#id_carrier_structure option:checked")).to_contain_text("ML93001")
    page.get_by_label("Intitulé du projet").fill(TITLE)
    page.get_by_label("Personne à contacter").fill("Dominique Bernard")
    page.get_by_label("Adresse e-mail de contact").fill("dominique.bernard@ml93001.example.fr")
    page.get_by_label("Le public").fill("Deux cents jeunes de 16 à 25 ans suivis par la mission locale.")
    page.locator("#id_fundings-0-funder").select_option(label="FPSPP")
    page.locator("#id_fundings-0-amount").fill("180000")

    # First attempt: a required section is empty. The error shows, nothing typed is lost.
    click_and_wait(page, main(page).get_by_role("button", name="Déposer la candidature"))
    expect(main(page).get_by_text("La candidature n'est pas enregistrée")).to_be_visible()
    expect(page.get_by_label("Intitulé du projet")).to_have_value(TITLE)
    expect(page.locator("#id_fundings-0-amount")).to_have_value("180000")
    assert_accessible(page)

    page.get_by_label("L'accompagnement vers l'alternance").fill("Un référent alternance pendant le contrat.")
    click_and_wait(page, main(page).get_by_role("button", name="Déposer la candidature"))
    check_page(page, TITLE)
    expect(main(page).locator(".fr-badge", has_text="Déposée")).to_be_visible()
    expect(main(page).get_by_text("Un référent alternance pendant le contrat.")).to_be_visible()
    application = Application.objects.get()
    assert (application.status, application.call_id) == ("deposee", alternance_call.pk)
    logout(page)

    # --- The CNML reviewer scores and selects it, then launches the project ----------------------
    score_and_select(
        page,
        TITLE,
        scores={"Besoin social (sur 5)": "4", "Modèle économique (sur 5)": "4"},
        comment="Un partenariat d'entreprises solide.",
    )

    project = Project.objects.get()
    expect(page).to_have_url(re.compile(rf"/mobilite/projets/{project.pk}/$"))
    check_page(page, TITLE)
    # No FARE formation-action nor montage on this path.
    expect(main(page).get_by_role("button", name="Démarrer la formation-action")).to_have_count(0)
    expect(main(page).get_by_role("heading", name="Accompagnement de la FARE")).to_have_count(0)
    expect(main(page).get_by_text("11\u202f820\u202f000", exact=False)).to_be_visible()
    click_and_wait(page, main(page).get_by_role("button", name="Lancer le projet"))
    expect(page.get_by_text("Le projet est à l'étape «\u00a0Lancement\u00a0»")).to_be_visible()
    assert_accessible(page)
    logout(page)

    # --- The director declares it in operation ------------------------------------------------------
    login(page, DIRECTEUR)
    page.goto(f"/mobilite/projets/{project.pk}/")
    check_page(page, TITLE)
    click_and_wait(page, main(page).get_by_role("button", name="Déclarer le projet en fonctionnement"))
    expect(page.get_by_text("Le projet est à l'étape «\u00a0En fonctionnement\u00a0»")).to_be_visible()
    assert_accessible(page)
    project.refresh_from_db()
    assert project.stage == Stage.EN_FONCTIONNEMENT
    # Activity reports are the mobility platforms': none offered here, and their address answers 404.
    expect(main(page).get_by_role("heading", name="Bilans d'activité")).to_have_count(0)
    expect(main(page).get_by_role("link", name="Nouveau bilan d'activité")).to_have_count(0)
    # (Asked with the page's cookies, outside the page: a 404 page would log a console error.)
    assert page.request.get(f"/mobilite/projets/{project.pk}/bilans/nouveau/").status == 404

    # The project list: the map and the table by region count the platforms unless the filter
    # names a theme; on « Alternance », this project, its region's link keeping the theme.
    page.goto("/mobilite/projets/")
    check_page(page, "Projets retenus")
    expect(main(page).get_by_role("heading", name="Par région : plateformes de mobilité")).to_be_visible()
    page.get_by_label("Thème").select_option(label="Alternance")
    click_and_wait(page, main(page).get_by_role("button", name="Filtrer"))
    expect(main(page).get_by_role("heading", name="Par région : alternance")).to_be_visible()
    region = main(page).locator("#par-region").get_by_role("link", name=project.region.name)
    expect(region).to_have_attribute("href", re.compile(r"theme=alternance"))
    assert_accessible(page)

    # The call's report shows the envelope against what it granted.
    page.goto(f"/mobilite/appels/alternance/{year}/bilan/")
    check_page(page, f"Les projets soutenus par l'appel Alternance {year}")
    expect(main(page).get_by_role("cell", name="11\u202f820\u202f000")).to_be_visible()
    expect(main(page).get_by_role("heading", name="Indicateurs des bilans approuvés")).to_have_count(0)
    expect(main(page).get_by_role("columnheader", name="Formation-action")).to_have_count(0)
    problems.assert_clean()
