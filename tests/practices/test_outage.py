"""Redis down (``redis_down``, tests/outage.py): a fiche is submitted as usual, its e-mail is owed, not lost."""

from __future__ import annotations

import pytest
from django.core import mail

from practices.models import Status
from tests.outage import delayed_notice, owed
from tests.pages import page_text
from tests.practices.factories import make_fiche

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.outage]

DELAYED = delayed_notice("l'envoi des e-mails")


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
    page = page_text(client.get(response["Location"]))
    assert "La fiche est soumise : les relecteurs sont prévenus." in page
    assert DELAYED in page
    # Told once, on the next page only.
    assert DELAYED not in page_text(client.get(response["Location"]))
