"""Agreements around the test network (tests/conftest.py): region A follows two, region B one; the helpers the
alternance tests share (an agreement moved, a document deposited or made)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from alternance.models import (
    Agreement,
    AgreementDocument,
    AgreementKind,
    AgreementStatus,
    Commitment,
    CommitmentKind,
    CommitmentResult,
    DocumentKind,
    LocalDeclination,
    Partner,
    PartnerKind,
)
from cnml.models import Role

# The smallest file the upload check takes for a PDF.
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


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


def make_declination(agreement: Agreement, region, structure=None, declined_on=date(2012, 1, 1)) -> LocalDeclination:
    return LocalDeclination.objects.create(
        agreement=agreement, region=region, structure=structure, declined_on=declined_on
    )


def move(client, agreement: Agreement, action: str, comment: str = ""):
    """Post the move ``action`` (« signer »…) from the follow-up page, as seen in the agreement's state."""
    url = reverse("alternance:agreement_transition", args=[agreement.pk, action])
    return client.post(url, {"comment": comment, "seen_status": agreement.status})


def add_url(agreement: Agreement) -> str:
    return reverse("alternance:document_add", args=[agreement.pk])


def upload(client, agreement: Agreement, content: bytes = PDF, name: str = "convention-signee.pdf", **fields):
    """Deposit a file through the follow-up's form (the signed text unless ``fields`` say otherwise)."""
    data = {"kind": DocumentKind.TEXTE_SIGNE, "title": "Texte signé de la convention"} | fields
    return client.post(add_url(agreement), data | {"file": SimpleUploadedFile(name, content)})


def make_document(agreement: Agreement, kind: str, title: str = "Document") -> AgreementDocument:
    return AgreementDocument.objects.create(
        agreement=agreement,
        kind=kind,
        title=title,
        file=ContentFile(PDF, name="doc.pdf"),
        name="doc.pdf",
        size=len(PDF),
    )


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
    declination_a = make_declination(signed, network.region_a, declined_on=date(2011, 11, 2))
    make_declination(draft, network.region_a, declined_on=date(2011, 12, 1))
    declination_b = make_declination(other, network.region_b, network.ml_b1, declined_on=date(2012, 1, 9))
    CommitmentResult.objects.create(declination=declination_a, commitment=offers, year=2012, achieved=1340)
    return Agreements(signed, draft, other, offers, workshops, declination_a, declination_b)
