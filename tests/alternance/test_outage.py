"""Redis down (``redis_down``, tests/outage.py): an agreement is moved as usual, its e-mails are owed, not
lost; a document deposited meanwhile is kept whole."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from alternance.models import AgreementDocument, AgreementStatus
from cnml.models import Role
from tests.outage import delayed_notice, owed
from tests.pages import page_text

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.outage]

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def test_an_agreement_signed_while_redis_is_down_is_signed_and_its_emails_are_owed(
    redis_down, client_for, users, agreements
):
    agreement = agreements.draft  # declined in region A
    client = client_for(users[Role.RELECTEUR_CNML])

    response = client.post(
        reverse("alternance:agreement_transition", args=[agreement.pk, "signer"]),
        {"comment": "Signée au congrès.", "seen_status": agreement.status},
    )

    assert response.status_code == 302
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.SIGNEE
    assert mail.outbox == []
    [message] = owed("cnml.tasks.send_email")
    assert message.kwargs["recipients"] == [users[Role.ANIMATEUR_REGIONAL].email]
    assert delayed_notice("l'envoi des e-mails") in page_text(client.get(response["Location"]))


def test_a_document_deposited_while_redis_is_down_is_kept(redis_down, client_for, users, agreements):
    agreement = agreements.draft
    client = client_for(users[Role.RELECTEUR_CNML])

    response = client.post(
        reverse("alternance:document_add", args=[agreement.pk]),
        {"kind": "texte_signe", "title": "Convention signée", "file": SimpleUploadedFile("c.pdf", PDF)},
    )

    assert response.status_code == 302
    document = AgreementDocument.objects.get(agreement=agreement)
    assert document.title == "Convention signée"
    assert document.file.read() == PDF
