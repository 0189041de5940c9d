"""Snapshots of a call's annual report (page, XLSX, PDF) and of a project's page (syrupy).

A silent change of what these show (a total, a column, a stage, a budget line) fails here with a diff.
If the change is wanted, update and review the stored snapshots (``__snapshots__/``)::

    .venv/bin/pytest tests/mobility/test_snapshots.py --snapshot-update

See tests/snapshots.py for what is kept and masked (and docs/tests.md).
"""

from __future__ import annotations

import pytest

from cnml.models import Role
from mobility.models import FareSupport, FormationSession, ReportPeriod, ReportStatus
from tests.clock import NOW, TODAY
from tests.mobility.factories import CarrierFactory, make_project, make_report
from tests.snapshots import main_html, pdf_text, xlsx_rows

# The clock stands still (every mobility test is frozen; here it does not even tick): pages show dates.
pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(NOW, tick=False)]


@pytest.fixture
def report_world(network, users, call, cat, project):
    """Two projects of this year's call, in two regions, with approved reports and services delivered."""
    for user in users.values():
        user.last_name = "Martin"
        user.save(update_fields=["last_name"])
    carrier_b = CarrierFactory(name="Maison de l'emploi Bêta", region=network.region_b)
    other = make_project(call=call, user=users[Role.DIRECTEUR], carrier=carrier_b, cat=cat)
    FareSupport.objects.create(project=project, expert_name="Dominique Expert", formation_action=True)
    FormationSession.objects.create(project=project, held_on=TODAY, topic="Diagnostic du territoire", attendees_count=9)
    make_report(
        project,
        year=TODAY.year,
        period=ReportPeriod.S1,
        status=ReportStatus.APPROUVE,
        people=20,
        deliveries={cat["location"]: 120, cat["garage"]: 14},
    )
    make_report(project, year=TODAY.year, period=ReportPeriod.S2, status=ReportStatus.SOUMIS, people=30)
    make_report(
        other,
        year=TODAY.year,
        period=ReportPeriod.ANNEE,
        status=ReportStatus.APPROUVE,
        people=10,
        deliveries={cat["covoiturage"]: 300},
    )
    return {"call": call, "project": project}


def test_the_annual_report_of_a_call_page_xlsx_and_pdf(client_for, users, report_world, snapshot):
    client = client_for(users[Role.RELECTEUR_CNML])
    year = report_world["call"].year

    page = client.get(f"/mobilite/appels/{year}/bilan/")

    assert page.status_code == 200
    assert main_html(page) == snapshot(name="page")
    assert xlsx_rows(client.get(f"/mobilite/appels/{year}/bilan.xlsx")) == snapshot(name="xlsx")
    assert pdf_text(client.get(f"/mobilite/appels/{year}/bilan.pdf")) == snapshot(name="pdf")


def test_the_page_of_a_project(client_for, users, report_world, snapshot):
    response = client_for(users[Role.DIRECTEUR]).get(f"/mobilite/projets/{report_world['project'].pk}/")

    assert response.status_code == 200
    assert main_html(response) == snapshot
