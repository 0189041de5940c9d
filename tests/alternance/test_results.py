"""A declination's yearly results: entered by the region's animator or a CNML role, typed input kept on error."""

from __future__ import annotations

import pytest
from django.urls import reverse

from alternance.models import CommitmentResult
from cnml.models import Role

pytestmark = pytest.mark.django_db


def results_url(declination, year=None) -> str:
    url = reverse("alternance:results_edit", args=[declination.pk])
    return f"{url}?annee={year}" if year else url


def post_results(client, declination, year: str, typed: dict):
    """Post the results form of ``declination`` for ``year``: ``typed`` maps a commitment to the value typed."""
    data = {"year": year} | {f"engagement_{commitment.pk}": value for commitment, value in typed.items()}
    return client.post(results_url(declination), data)


def test_the_regions_animator_records_a_years_results(client_for, users, agreements):
    client = client_for(users[Role.ANIMATEUR_REGIONAL])

    response = post_results(
        client, agreements.declination_a, "2013", {agreements.offers: "1500", agreements.workshops: "38"}
    )

    assert response.status_code == 302
    saved = CommitmentResult.objects.filter(declination=agreements.declination_a, year=2013)
    assert {(r.commitment_id, r.achieved) for r in saved} == {
        (agreements.offers.pk, 1500),
        (agreements.workshops.pk, 38),
    }


def test_the_form_opens_on_the_results_already_entered_and_a_blank_value_removes_one(client_for, users, agreements):
    client = client_for(users[Role.RELECTEUR_CNML])

    page = client.get(results_url(agreements.declination_a, 2012))
    assert 'value="1340"' in page.text

    post_results(client, agreements.declination_a, "2012", {agreements.offers: ""})

    assert not CommitmentResult.objects.filter(declination=agreements.declination_a, year=2012).exists()


def test_bad_input_is_told_in_french_and_every_typed_value_is_kept(client_for, users, agreements):
    client = client_for(users[Role.ANIMATEUR_REGIONAL])

    response = post_results(
        client, agreements.declination_a, "1990", {agreements.offers: "-4", agreements.workshops: "27"}
    )

    assert response.status_code == 200
    assert "supérieure ou égale à 2011" in response.text
    assert "supérieure ou égale à 0" in response.text
    assert 'value="1990"' in response.text and 'value="-4"' in response.text and 'value="27"' in response.text
    assert not CommitmentResult.objects.filter(year=1990).exists()
    assert CommitmentResult.objects.filter(declination=agreements.declination_a).count() == 1  # unchanged


def test_an_animator_cannot_enter_results_for_another_region(client_for, users, agreements):
    client = client_for(users[Role.ANIMATEUR_REGIONAL])

    response = post_results(client, agreements.declination_b, "2013", {agreements.offers: "5"})

    assert response.status_code == 404
    assert not CommitmentResult.objects.filter(declination=agreements.declination_b).exists()
