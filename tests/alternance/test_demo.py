"""The alternance demo: the charte of 28 September 2011, the conventions under discussion, region 93's results."""

from __future__ import annotations

import io
from datetime import date

import pytest

from alternance.demo import PARTNERS, load_alternance_demo
from alternance.models import Agreement, AgreementKind, AgreementStatus, CommitmentResult, LocalDeclination, Partner
from cnml.audit import transitions_of
from tests.factories import RegionFactory

pytestmark = pytest.mark.django_db


def test_the_demo_loads_the_charte_and_the_conventions_once(db):
    RegionFactory(code="93", name="Provence-Alpes-Côte d'Azur")

    load_alternance_demo(stdout=io.StringIO())
    load_alternance_demo(stdout=io.StringIO())

    charte = Agreement.objects.get(kind=AgreementKind.CHARTE)
    assert charte.signed_on == date(2011, 9, 28)
    assert charte.status == AgreementStatus.SIGNEE
    assert transitions_of(charte).count() == 1
    assert not charte.signatories.exists()  # the newsletter names none of its 23 branches and companies
    conventions = Agreement.objects.filter(kind=AgreementKind.CONVENTION_NATIONALE)
    assert conventions.count() == Partner.objects.count() == len(PARTNERS) == 10
    assert set(conventions.values_list("status", flat=True)) == {AgreementStatus.EN_DISCUSSION}
    declination = LocalDeclination.objects.get()
    assert declination.region.code == "93"
    assert set(CommitmentResult.objects.values_list("year", flat=True)) == {2012}
    assert CommitmentResult.objects.count() == 3
