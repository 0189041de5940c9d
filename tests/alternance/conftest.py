"""Agreements around the test network (tests/conftest.py): region A follows two, region B one."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest

from alternance.models import (
    Agreement,
    AgreementKind,
    AgreementStatus,
    Commitment,
    CommitmentKind,
    CommitmentResult,
    LocalDeclination,
    Partner,
    PartnerKind,
)
from cnml.models import Role


@pytest.fixture(autouse=True)
def own_media(private_media):
    """Uploads in this test's own temporary folders (``private_media``), never in the project."""


@pytest.fixture
def users_all(users, network):
    """The ``users`` fixture plus a partner of a comité de pilotage (no structure)."""
    from tests.factories import UserFactory

    return users | {Role.PARTENAIRE: UserFactory(role=Role.PARTENAIRE, structure=None)}


def make_agreement(title: str, status: str = AgreementStatus.EN_DISCUSSION, **fields) -> Agreement:
    agreement = Agreement.objects.create(
        title=title, kind=fields.pop("kind", AgreementKind.CONVENTION_NATIONALE), **fields
    )
    if status != AgreementStatus.EN_DISCUSSION:
        Agreement.workflow.record_move(agreement, status)
    return agreement


@dataclass
class Agreements:
    signed: Agreement  # declined in region A, with a result
    draft: Agreement  # in discussion, declined in region A
    other: Agreement  # signed, declined in region B only
    offers: Commitment  # of ``signed``
    workshops: Commitment  # of ``signed``
    declination_a: LocalDeclination  # of ``signed``
    declination_b: LocalDeclination  # of ``other``


@pytest.fixture
def agreements(network) -> Agreements:
    partner = Partner.objects.create(name="OPCA Exemple", kind=PartnerKind.OPCA)
    signed = make_agreement("Convention signée", AgreementStatus.SIGNEE, signed_on=date(2011, 10, 3))
    signed.signatories.add(partner)
    offers = Commitment.objects.create(agreement=signed, kind=CommitmentKind.OFFRES_EMPLOI, target=1200)
    workshops = Commitment.objects.create(agreement=signed, kind=CommitmentKind.ATELIERS_METIERS, target=40)
    draft = make_agreement("Convention en discussion")
    other = make_agreement("Convention de la région Bêta", AgreementStatus.SIGNEE)
    declination_a = LocalDeclination.objects.create(
        agreement=signed, region=network.region_a, declined_on=date(2011, 11, 2)
    )
    LocalDeclination.objects.create(agreement=draft, region=network.region_a, declined_on=date(2011, 12, 1))
    declination_b = LocalDeclination.objects.create(
        agreement=other, region=network.region_b, structure=network.ml_b1, declined_on=date(2012, 1, 9)
    )
    CommitmentResult.objects.create(declination=declination_a, commitment=offers, year=2012, achieved=1340)
    return Agreements(signed, draft, other, offers, workshops, declination_a, declination_b)
