"""Redis down (``redis_down``, tests/outage.py): a fiche is submitted as usual, its e-mail is owed, not lost."""

from __future__ import annotations

import html
import re

import pytest
from django.core import mail

from practices.models import Status
from tests.practices.factories import make_fiche

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.outage]

DELAYED = (
    "Votre demande est bien enregistrée. Un service est momentanément indisponible : "
    "l'envoi des e-mails se fera dès son rétablissement."
)


def text(response) -> str:
    return re.sub(r"[ \t\r\n]+", " ", html.unescape(response.content.decode()))


def owed(task: str):
    from cnml.models import OutboxMessage

    return list(OutboxMessage.objects.filter(task=task))


def test_a_fiche_submitted_while_redis_is_down_is_saved_and_its_email_is_owed(redis_down, actors, network, client_for):
    fiche = make_fiche(structure=network.ml_a1, author=actors["conseiller"])
    client = client_for(actors["conseiller"])

    response = client.post(f"/bonnes-pratiques/fiche/{fiche.pk}/soumettre/", {"comment": "À relire avant juin."})

    assert response.status_code == 302
    fiche.refresh_from_db()
    assert fiche.status == Status.SOUMISE
    assert mail.outbox == []
    [message] = owed("cnml.tasks.send_email")
    assert message.kwargs["recipients"] == [actors["animateur"].email]
    assert "À relire avant juin." in message.kwargs["body"]
    assert message.dispatched_at is None
    assert message.done_at is None
    assert message.last_error
    page = text(client.get(response["Location"]))
    assert "La fiche est soumise : les relecteurs sont prévenus." in page
    assert DELAYED in page
    # Told once, on the next page only.
    assert DELAYED not in text(client.get(response["Location"]))
