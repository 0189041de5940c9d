"""Redis down (``redis_down``, tests/outage.py): an agreement is moved as usual, its e-mails are owed, not
lost; a document deposited meanwhile is kept whole."""

from __future__ import annotations

import pytest
from django.core import mail

from alternance.models import AgreementDocument, AgreementStatus
from cnml.models import Role
from tests.alternance.conftest import PDF, move, upload
from tests.outage import delayed_notice, owed
from tests.pages import page_text

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.outage]


def test_an_agreement_signed_while_redis_is_down_is_signed_and_its_emails_are_owed(
    redis_down, client_for, users, agreements
):
    agreement = agreements.draft  # declined in region A
    client = client_for(users[Role.RELECTEUR_CNML])

    response = move(client, agreement, "signer", "Signée au congrès.")

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

    response = upload(client, agreement, title="Convention signée")

    assert response.status_code == 302
    document = AgreementDocument.objects.get(agreement=agreement)
    assert document.title == "Convention signée"
    assert document.file.read() == PDF
