"""Snapshots of a survey's results page, its exports and its PDF report (syrupy).

A silent change of what these show (a figure, a margin of error, a masked cell, a column) fails here
with a diff. If the change is wanted, update and review the stored snapshots (``__snapshots__/``)::

    .venv/bin/pytest tests/surveys/test_snapshots.py --snapshot-update

See tests/snapshots.py for what is kept and masked (and docs/tests.md).
"""

from __future__ import annotations

import pytest

from cnml.models import Role
from surveys.aggregation import aggregate_campaign
from surveys.models import CampaignStatus
from tests.clock import NOW
from tests.factories import AntenneFactory
from tests.snapshots import csv_rows, main_html, pdf_text, xlsx_rows

# The clock stands still: results show when they were computed.
pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(NOW, tick=False)]


@pytest.fixture
def results(make_campaign, answer, network):
    """ML A1: antennes of 30, 5 and 20 answers (the small one and a sibling masked); ML A2: one of 40."""
    small = AntenneFactory(code="ANTA1B", name="Antenne Alpha 1 B", parent=network.ml_a1)
    sibling = AntenneFactory(code="ANTA1C", name="Antenne Alpha 1 C", parent=network.ml_a1)
    campaign = make_campaign(
        structures=[network.antenne_a1, small, sibling, network.antenne_a2],
        status=CampaignStatus.CLOSED,
        title="Satisfaction des jeunes 2011",
    )
    answer(campaign, network.antenne_a1, 30, accueil="tres_satisfait", commentaire="Super accueil")
    answer(campaign, small, 5, accueil="pas_du_tout_satisfait")
    answer(campaign, sibling, 20, accueil="plutot_satisfait", connu=["famille"])
    answer(campaign, network.antenne_a2, 20, accueil="tres_satisfait", recommande="je_ne_sais_pas")
    answer(campaign, network.antenne_a2, 20, accueil="plutot_satisfait", delai="autre_jour")
    aggregate_campaign(campaign)
    campaign.refresh_from_db()
    return campaign


def sample(rows: list[list]) -> list[list]:
    """The header, a mission locale's rows and a masked antenne's: every kind of row, not every group."""
    return [rows[0], *(row for row in rows[1:] if row[1] in ("MLA1", "ANTA1B"))]


def test_the_results_page_of_a_mission_locale(client_for, users, results, snapshot):
    response = client_for(users[Role.DIRECTEUR]).get(f"/enquetes/campagnes/{results.pk}/resultats/structure-MLA1/")

    assert response.status_code == 200
    assert main_html(response) == snapshot


def test_the_results_exports_and_report(client_for, users, results, snapshot):
    client = client_for(users[Role.ANIMATEUR_REGIONAL])
    base = f"/enquetes/campagnes/{results.pk}/resultats"

    assert sample(csv_rows(client.get(f"{base}/export.csv"))) == snapshot(name="csv")
    assert {title: sample(rows) for title, rows in xlsx_rows(client.get(f"{base}/export.xlsx")).items()} == snapshot(
        name="xlsx"
    )
    assert pdf_text(client.get(f"{base}/region-901/rapport.pdf")) == snapshot(name="pdf")
