"""Redis down (``redis_down``, tests/outage.py): a fiche is submitted as usual, its e-mail is owed, not lost."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail

from cnml.models import Role
from practices import services
from practices.models import Status
from tests.outage import delayed_notice, owed
from tests.pages import page_text
from tests.practices.factories import make_fiche
from tests.practices.helpers import open_recensement

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


def test_a_recensement_reminded_while_redis_is_down_is_marked_and_its_emails_are_owed(redis_down, network, users):
    recensement = open_recensement(title="Recensement de l'alternance", created_by=users[Role.RELECTEUR_CNML])
    recensement.regions.set([network.region_a])
    reminder_day = recensement.closes_on - datetime.timedelta(days=recensement.reminder_days)

    # The daily pass (a periodic task) with the broker down: the reminder is written whole, its e-mails owed.
    assert services.recensements_daily_pass(today=reminder_day)["reminded"] == [recensement.pk]

    recensement.refresh_from_db()
    assert recensement.reminded_on == reminder_day
    assert mail.outbox == []
    recipients = {address for message in owed("cnml.tasks.send_email") for address in message.kwargs["recipients"]}
    assert users[Role.CONSEILLER].email in recipients  # the silent ML A1 of region A
    assert services.recensements_daily_pass(today=reminder_day)["reminded"] == []  # not twice
