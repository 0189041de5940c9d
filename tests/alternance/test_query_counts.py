"""The lists and the follow-up page cost the same number of queries however many rows they show."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from alternance.models import AgreementStatus, Commitment, CommitmentKind, CommitmentResult, Partner
from cnml.models import Role
from tests.alternance.conftest import make_agreement, make_declination

pytestmark = pytest.mark.django_db


def queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def add_signed_agreements(network, count: int, start: int) -> None:
    for n in range(start, start + count):
        agreement = make_agreement(f"Accord {n}", AgreementStatus.SIGNEE)
        agreement.signatories.add(Partner.objects.create(name=f"Partenaire {n}", kind="opca"))
        commitment = Commitment.objects.create(agreement=agreement, kind=CommitmentKind.OFFRES_EMPLOI)
        declination = make_declination(agreement, network.region_a)
        CommitmentResult.objects.create(declination=declination, commitment=commitment, year=2012, achieved=n)


@pytest.mark.parametrize("name", ["alternance:home", "alternance:follow_up"])
def test_lists_do_not_query_per_agreement(client_for, users, network, name):
    client = client_for(users[Role.RELECTEUR_CNML])
    add_signed_agreements(network, 1, 0)
    few = queries(client, reverse(name))
    add_signed_agreements(network, 4, 1)

    assert queries(client, reverse(name)) == few


def test_the_follow_up_page_does_not_query_per_declination_or_result(client_for, users, network, agreements):
    client = client_for(users[Role.RELECTEUR_CNML])
    url = reverse("alternance:follow_up_detail", args=[agreements.signed.pk])
    few = queries(client, url)
    for year in (2013, 2014):
        declination = make_declination(agreements.signed, network.region_b)
        CommitmentResult.objects.create(declination=declination, commitment=agreements.workshops, year=year, achieved=3)

    assert queries(client, url) == few
