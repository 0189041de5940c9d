"""The yearly follow-up of an agreement: each declination's results per commitment and year, their sums per
year for the agreement (or, for a regional animator, their region's share), and the same as a workbook."""

from __future__ import annotations

import io
from datetime import date

import openpyxl
import pytest
from django.urls import reverse

from alternance import selectors
from alternance.models import CommitmentResult
from cnml.models import Role
from tests.alternance.conftest import make_declination
from tests.alternance.test_pages import VISITORS, client_of, expected_follow_up

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_regions(agreements, network):
    """``signed`` declined in region A (2012: 1 340 offers) and by ML B1 in region B, with results."""
    declination_b = make_declination(agreements.signed, network.region_b, network.ml_b1, date(2012, 3, 1))
    add = CommitmentResult.objects.create
    add(declination=agreements.declination_a, commitment=agreements.workshops, year=2012, achieved=12)
    add(declination=agreements.declination_a, commitment=agreements.offers, year=2013, achieved=1500)
    add(declination=declination_b, commitment=agreements.offers, year=2012, achieved=200)
    add(declination=declination_b, commitment=agreements.workshops, year=2013, achieved=7)
    return declination_b


def totals(agreement, user) -> dict[int, list]:
    return {row.year: row.values for row in selectors.follow_up(agreement, user).totals}


def test_a_cnml_role_reads_each_commitments_results_summed_over_every_declination_year_by_year(
    users, agreements, two_regions
):
    data = selectors.follow_up(agreements.signed, users[Role.RELECTEUR_CNML])

    assert data.commitments == [agreements.offers, agreements.workshops]
    assert [row.declination for row in data.declinations] == [agreements.declination_a, two_regions]
    assert [(y.year, y.values) for y in data.declinations[0].years] == [(2013, [1500, None]), (2012, [1340, 12])]
    assert [(y.year, y.values) for y in data.declinations[1].years] == [(2013, [None, 7]), (2012, [200, None])]
    # Offers 2012: 1 340 + 200; a commitment without any result that year stays empty, not 0.
    assert totals(agreements.signed, users[Role.RELECTEUR_CNML]) == {2013: [1500, 7], 2012: [1540, 12]}


def test_a_regional_animator_reads_the_sums_of_their_region_only(users, agreements, two_regions):
    assert totals(agreements.signed, users[Role.ANIMATEUR_REGIONAL]) == {2013: [1500, None], 2012: [1340, 12]}


def test_the_follow_up_page_shows_the_totals_with_the_targets(client_for, users, agreements, two_regions):
    text = (
        client_for(users[Role.RELECTEUR_CNML])
        .get(reverse("alternance:follow_up_detail", args=[agreements.signed.pk]))
        .text
    )

    assert "Total de l'accord par année" in text.replace("&#x27;", "'")
    assert "1\u202f540" in text
    assert "1\u202f200" in text  # the offers' target
    assert reverse("alternance:follow_up_xlsx", args=[agreements.signed.pk]) in text


def workbook(response) -> dict[str, list[tuple]]:
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    return {sheet.title: list(sheet.iter_rows(values_only=True)) for sheet in book.worksheets}


def test_the_workbook_holds_a_line_per_declination_year_and_commitment_then_the_totals(
    client_for, users, agreements, two_regions
):
    response = client_for(users[Role.RELECTEUR_CNML]).get(
        reverse("alternance:follow_up_xlsx", args=[agreements.signed.pk])
    )

    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        f'attachment; filename="partenariat-{agreements.signed.pk}-resultats.xlsx"'
    )
    sheets = workbook(response)
    offers, workshops = str(agreements.offers), str(agreements.workshops)
    assert sheets["Résultats par déclinaison"] == [
        ("Région", "Mission locale", "Année", "Engagement", "Nature", "Objectif", "Réalisé"),
        ("Région Alpha", "Toute la région", 2013, offers, "Offres d'emploi en alternance", 1200, 1500),
        ("Région Alpha", "Toute la région", 2012, offers, "Offres d'emploi en alternance", 1200, 1340),
        ("Région Alpha", "Toute la région", 2012, workshops, "Ateliers d'information sur les métiers", 40, 12),
        ("Région Bêta", "Mission locale Bêta 1", 2013, workshops, "Ateliers d'information sur les métiers", 40, 7),
        ("Région Bêta", "Mission locale Bêta 1", 2012, offers, "Offres d'emploi en alternance", 1200, 200),
    ]
    assert sheets["Totaux par année"] == [
        ("Année", "Engagement", "Nature", "Objectif", "Réalisé"),
        (2013, offers, "Offres d'emploi en alternance", 1200, 1500),
        (2013, workshops, "Ateliers d'information sur les métiers", 40, 7),
        (2012, offers, "Offres d'emploi en alternance", 1200, 1540),
        (2012, workshops, "Ateliers d'information sur les métiers", 40, 12),
    ]


def test_the_animators_workbook_holds_their_region_only(client_for, users, agreements, two_regions):
    response = client_for(users[Role.ANIMATEUR_REGIONAL]).get(
        reverse("alternance:follow_up_xlsx", args=[agreements.signed.pk])
    )

    rows = workbook(response)["Résultats par déclinaison"][1:]
    assert {row[0] for row in rows} == {"Région Alpha"}
    assert len(rows) == 3


@pytest.mark.parametrize("visitor", VISITORS)
def test_the_workbook_answers_each_role_within_its_scope(client_for, users_all, agreements, visitor):
    client = client_of(client_for, users_all, visitor)

    def status(agreement) -> int:
        return client.get(reverse("alternance:follow_up_xlsx", args=[agreement.pk])).status_code

    assert status(agreements.signed) == expected_follow_up(visitor, True)
    assert status(agreements.other) == expected_follow_up(visitor, False)
