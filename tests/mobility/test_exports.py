"""The annual report of a call: XLSX (tablib) and PDF (cnml.pdf), on the reader's scope."""

from __future__ import annotations

import io
from decimal import Decimal

import openpyxl
import pytest

from cnml.models import Role
from mobility.models import FareSupport, ReportPeriod, ReportStatus
from tests.mobility.factories import CarrierFactory, make_project, make_report

pytestmark = pytest.mark.django_db


@pytest.fixture
def reported(network, users, call, cat, project):
    FareSupport.objects.create(project=project, expert_name="Expert", formation_action=True, funded_by_macif=True)
    make_report(
        project, period=ReportPeriod.S1, status=ReportStatus.APPROUVE, people=20, deliveries={cat["location"]: 80}
    )
    make_report(project, period=ReportPeriod.S2, status=ReportStatus.SOUMIS, people=50)
    other = make_project(
        call=call,
        user=users[Role.RELECTEUR_CNML],
        carrier=CarrierFactory(name="Conseil général Bêta", region=network.region_b),
        cat=cat,
    )
    make_report(other, period=ReportPeriod.ANNEE, status=ReportStatus.APPROUVE, people=10)
    return project, other


def workbook(response):
    return openpyxl.load_workbook(io.BytesIO(response.content))


def test_the_xlsx_report_lists_projects_regions_years_and_services(client_for, users, call, reported):
    response = client_for(users[Role.RELECTEUR_CNML]).get(f"/mobilite/appels/{call.year}/bilan.xlsx")

    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="plateformes-mobilite-{call.year}.xlsx"'
    book = workbook(response)
    assert book.sheetnames == ["Projets", "Régions", "Années", "Services rendus"]
    projects = list(book["Projets"].values)
    assert projects[0][:3] == ("Porteur", "Type de porteur", "Région")
    rows = {row[0]: row for row in projects[1:]}
    assert set(rows) == {"Mission locale Alpha 1", "Conseil général Bêta"}
    alpha = rows["Mission locale Alpha 1"]
    assert alpha[4:7] == ("Retenu", "oui", "oui")
    assert Decimal(str(alpha[8])) == Decimal("65000.50")  # planned budget, a number
    assert alpha[10] == 20  # people of approved reports only
    regions = list(book["Régions"].values)
    total = regions[-1]
    assert total[:3] == ("Total", 2, 2)  # two projects, two approved reports (the submitted one is left out)
    header = regions[0]
    people_ml = header.index("Orientées par une mission locale")
    assert total[people_ml] == 10 + 5  # mission locale referrals: 20 // 2 and 10 // 2
    assert list(book["Services rendus"].values)[1][:3] == ("Location de véhicules", 80, "journées de location")


def test_the_xlsx_report_of_an_animator_covers_their_region(client_for, users, call, reported):
    book = workbook(client_for(users[Role.ANIMATEUR_REGIONAL]).get(f"/mobilite/appels/{call.year}/bilan.xlsx"))

    assert [row[0] for row in list(book["Projets"].values)[1:]] == ["Mission locale Alpha 1"]


def test_the_pdf_report_is_a_pdf_in_the_spirit_of_the_newsletter(client_for, users, call, reported):
    pytest.importorskip("weasyprint")

    response = client_for(users[Role.RELECTEUR_CNML]).get(f"/mobilite/appels/{call.year}/bilan.pdf")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    assert len(response.content) > 5_000


def test_the_pdf_template_names_the_projects_and_totals(users, call, reported):
    from django.template.loader import render_to_string

    from mobility.reports import annual_report_context

    context = annual_report_context(users[Role.RELECTEUR_CNML], call)
    html = render_to_string("mobility/pdf/call_report.html", {**context, "title": "x"})

    assert f"Les projets de plateforme soutenus en {call.year}" in html
    assert "Mission locale Alpha 1" in html and "Conseil général Bêta" in html
    assert "Total de l'appel" in html
    assert "<svg" in html  # the map, drawn inline
    assert context["formation_action_count"] == 1
    assert context["totals"].people_total == 30
