"""Activity reports, the map and the roll-ups by region, theme by theme.

Activity reports (« bilans d'activité ») are the mobility platforms' reporting: their indicators are
diagnostics, highway codes and driving licences. A project of another theme (alternance) reports its
budget against the call's envelope: it has no report page, for any role (404), no link to one, and
the roll-ups per call, region and nation count mobility projects only. The map and the region table
of the project list count the platforms unless the theme filter names another, and say which.
"""

from __future__ import annotations

import io
import re

import pytest
from django.core.exceptions import ValidationError
from openpyxl import load_workbook

from cnml.models import Role
from mobility import selectors
from mobility.models import ActivityReport, ApplicationStatus, CallTheme, Project, ReportStatus
from mobility.services import project_create_from_application
from tests.factories import UserFactory
from tests.mobility.conftest import THIS_YEAR
from tests.mobility.factories import AlternanceCallFactory, make_alternance_application, make_report, text
from tests.pages import page_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def alternance_project(network, users, carrier_a1) -> Project:
    """The alternance project of ML A1 (partner: ML B1, as the mobility ``project``), same region A."""
    application = make_alternance_application(
        call=AlternanceCallFactory(year=THIS_YEAR), user=users[Role.DIRECTEUR], carrier=carrier_a1
    )
    application.status = ApplicationStatus.RETENUE
    application.save(update_fields=["status"])
    project = project_create_from_application(application=application)
    project.partners.add(network.ml_b1)
    return project


@pytest.fixture
def both(project, alternance_project):
    """One project of each theme in region A, each with an approved report of 20 people; the
    alternance one written straight in the table, as a report from before reports were the platforms'."""
    make_report(project, status=ReportStatus.APPROUVE, people=20)
    stray = make_report(alternance_project, status=ReportStatus.APPROUVE, people=40)
    return project, alternance_project, stray


def words(html: str) -> str:
    """The text of a piece of page, tags dropped: table rows read « France entière 1 1 20 »."""
    return re.sub(r"[ \t\r\n\f]+", " ", re.sub(r"<[^>]+>", " ", html))


# Report pages of an alternance project: 404 for every role ----------------------------------------


@pytest.fixture
def actors(users, outsider, member, role_groups) -> dict:
    return {
        "conseiller": users[Role.CONSEILLER],
        "directeur": users[Role.DIRECTEUR],
        "animateur": users[Role.ANIMATEUR_REGIONAL],
        "relecteur": users[Role.RELECTEUR_CNML],
        "administrateur": users[Role.ADMINISTRATEUR],
        "partenaire ML B1": outsider,  # reads the project: ML B1 is its partner
        "membre d'un autre porteur": member,
        "partenaire sans structure": UserFactory(role=Role.PARTENAIRE, structure=None),
    }


def report_pages(project, report) -> list[tuple[str, str]]:
    base = f"/mobilite/projets/{project.pk}/bilans/"
    return [
        ("get", f"{base}nouveau/"),
        ("post", f"{base}nouveau/"),
        ("get", f"{base}{report.pk}/"),
        ("get", f"{base}{report.pk}/modifier/"),
        ("post", f"{base}{report.pk}/modifier/"),
        ("post", f"{base}{report.pk}/soumettre/"),
        ("post", f"{base}{report.pk}/approuver/"),
        ("post", f"{base}{report.pk}/renvoyer/"),
    ]


@pytest.mark.parametrize("status", [ReportStatus.BROUILLON, ReportStatus.SOUMIS])
def test_every_report_page_of_an_alternance_project_answers_404_to_every_role(
    client_for, actors, alternance_project, status
):
    report = make_report(alternance_project, status=status)

    for method, url in report_pages(alternance_project, report):
        answers = {name: getattr(client_for(user), method)(url).status_code for name, user in actors.items()}
        assert answers == dict.fromkeys(actors, 404), (method, url)
        assert client_for(None).get(url).status_code in (302, 404)
    assert ActivityReport.objects.get(pk=report.pk).status == status


def test_the_same_pages_of_a_mobility_project_still_open_for_its_carrier_and_the_cnml(client_for, users, project):
    report = make_report(project, status=ReportStatus.BROUILLON)

    for user in (users[Role.DIRECTEUR], users[Role.RELECTEUR_CNML]):
        client = client_for(user)
        assert client.get(f"/mobilite/projets/{project.pk}/bilans/nouveau/").status_code == 200
        assert client.get(report.get_absolute_url()).status_code == 200


def test_an_alternance_project_page_offers_no_activity_report(client_for, users, both):
    _, alternance_project, stray = both

    for role in (Role.DIRECTEUR, Role.RELECTEUR_CNML, Role.ANIMATEUR_REGIONAL):
        content = text(client_for(users[role]).get(alternance_project.get_absolute_url()))
        assert "Bilans d'activité" not in content, role
        assert "Nouveau bilan" not in content, role
        assert "/bilans/" not in content, role
        assert "Cumul des bilans approuvés" not in content, role
        # What it reports instead: its budget against the call's envelope.
        assert "sur une enveloppe de" in content, role


def test_a_mobility_project_page_keeps_its_reports(client_for, users, both):
    project, _, _ = both

    content = text(client_for(users[Role.DIRECTEUR]).get(project.get_absolute_url()))

    assert "Bilans d'activité" in content
    assert f"/mobilite/projets/{project.pk}/bilans/nouveau/" in content


def test_the_model_refuses_a_report_on_an_alternance_project(alternance_project):
    report = ActivityReport(project=alternance_project, year=THIS_YEAR, period="s1")

    with pytest.raises(ValidationError) as refused:
        report.full_clean()

    assert "Les bilans d'activité sont ceux des plateformes de mobilité" in str(refused.value)


# Roll-ups: mobility projects only ---------------------------------------------------------------------


def test_the_roll_ups_count_the_reports_of_mobility_projects_only(both):
    project, alternance_project, stray = both
    every_project = Project.objects.all()

    reports = selectors.approved_reports_of(every_project)
    by_region = selectors.rollup_by_region(every_project.filter(call__theme=CallTheme.MOBILITE))

    assert list(reports) == [project.reports.get()]
    assert selectors.indicator_totals(reports).people_total == 20
    assert [(rollup.region, rollup.projects, rollup.totals.people_total) for rollup in by_region] == [
        (project.region, 1, 20)
    ]
    assert selectors.public_call_rollup(alternance_project.call).reports == 0


def test_the_project_list_maps_and_rolls_up_the_mobility_platforms_unless_filtered(client_for, users, both):
    project, alternance_project, _ = both
    client = client_for(users[Role.RELECTEUR_CNML])

    response = client.get("/mobilite/projets/")
    every = page_text(response)
    mobility = every.split("Par région", 1)[1]

    # The list shows both projects; the map and the table count the platform only, and say so.
    assert project.get_absolute_url() in every and alternance_project.get_absolute_url() in every
    assert "Par région\u00a0: plateformes de mobilité" in every
    assert response.context["mapped_count"] == 1
    assert f'href="/mobilite/projets/?region={project.region.code}&theme=mobilite"' in mobility
    assert "France entière 1 1 20 " in words(mobility)  # projects, approved reports, people: the stray 40 left out


def test_the_theme_filter_maps_and_rolls_up_that_theme_without_the_platforms_indicators(client_for, users, both):
    project, alternance_project, _ = both

    response = client_for(users[Role.RELECTEUR_CNML]).get("/mobilite/projets/?theme=alternance")
    page = page_text(response)
    by_region = page.split("Par région", 1)[1]

    assert "Par région\u00a0: alternance" in page
    assert response.context["mapped_count"] == 1
    assert f'href="/mobilite/projets/?region={project.region.code}&theme=alternance"' in by_region
    assert "Permis obtenus" not in by_region and "Bilans approuvés" not in by_region
    assert "Total 1 " in words(by_region)


def test_the_region_link_of_the_map_opens_the_same_theme(client_for, users, both):
    project, alternance_project, _ = both
    client = client_for(users[Role.RELECTEUR_CNML])

    page = text(client.get(f"/mobilite/projets/?region={project.region.code}&theme=alternance"))
    table = page.split("Par région", 1)[0]

    assert alternance_project.get_absolute_url() in table
    assert project.get_absolute_url() not in table


def test_the_alternance_call_report_shows_projects_and_budget_without_the_platforms_indicators(client_for, users, both):
    _, alternance_project, _ = both
    client = client_for(users[Role.RELECTEUR_CNML])
    base = f"/mobilite/appels/alternance/{THIS_YEAR}/bilan"

    page = page_text(client.get(f"{base}/"))
    book = load_workbook(io.BytesIO(client.get(f"{base}.xlsx").content))
    pdf = client.get(f"{base}.pdf")

    assert f"1\u00a0projet retenu à l'appel Alternance {THIS_YEAR}" in page
    assert "formation-action" not in page.lower()
    assert "Indicateurs des bilans approuvés" not in page and "Permis obtenus" not in page
    assert f'region={alternance_project.region.code}&theme=alternance&year={THIS_YEAR}"' in page
    assert book.sheetnames == ["Projets", "Régions"]
    assert [cell.value for cell in book["Régions"][3]] == ["Total", 1]
    assert pdf.status_code == 200


def test_the_mobility_call_report_keeps_its_indicators_and_leaves_other_themes_out(client_for, users, both):
    client = client_for(users[Role.RELECTEUR_CNML])

    page = page_text(client.get(f"/mobilite/appels/{THIS_YEAR}/bilan/"))

    assert "Indicateurs des bilans approuvés" in page
    assert f"1\u00a0projet de plateforme territoriale retenu à l'appel à projets {THIS_YEAR}" in page
    assert f'&theme=mobilite&year={THIS_YEAR}"' in page
