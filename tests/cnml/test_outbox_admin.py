"""The operator's view of owed work in the admin: read-only, without the e-mails' contents."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from cnml.models import OutboxMessage, Role
from tests.clock import frozen

pytestmark = [pytest.mark.django_db, frozen]

CHANGELIST = reverse("admin:cnml_outboxmessage_changelist")


@pytest.fixture
def rows():
    now = timezone.now()
    return {
        "pending": OutboxMessage.objects.create(
            task="cnml.tasks.send_email", kwargs={"body": "https://exemple.fr/compte/reinitialiser/secret/"}
        ),
        "done": OutboxMessage.objects.create(task="cnml.tasks.send_email", done_at=now, attempts=1),
        "abandoned": OutboxMessage.objects.create(
            task="surveys.tasks.aggregate_campaign_results", failed_at=now, attempts=20, last_error="Erreur de calcul"
        ),
    }


def test_the_administrator_lists_owed_work_by_state(users, client_for, rows):
    client = client_for(users[Role.ADMINISTRATEUR])

    response = client.get(CHANGELIST, {"etat": "abandonne"})

    assert response.status_code == 200
    listed = list(response.context["cl"].result_list)
    assert listed == [rows["abandoned"]]


def test_the_admin_never_shows_what_an_email_says(users, client_for, rows):
    client = client_for(users[Role.ADMINISTRATEUR])

    response = client.get(reverse("admin:cnml_outboxmessage_change", args=[rows["pending"].pk]))

    assert response.status_code == 200
    assert "reinitialiser/secret" not in response.content.decode()


def test_the_administrator_puts_abandoned_work_back_in_the_queue(users, client_for, rows):
    client = client_for(users[Role.ADMINISTRATEUR])
    selected = [rows["abandoned"].pk, rows["done"].pk]

    response = client.post(CHANGELIST, {"action": "revive", "_selected_action": selected}, follow=True)

    assert "1\u00a0travail remis en attente." in response.content.decode()
    rows["abandoned"].refresh_from_db()
    assert rows["abandoned"].failed_at is None and rows["abandoned"].attempts == 0
    rows["done"].refresh_from_db()
    assert rows["done"].done_at is not None  # done work stays done


@pytest.mark.parametrize("role", [Role.RELECTEUR_CNML, Role.DIRECTEUR, Role.CONSEILLER])
def test_other_roles_do_not_see_owed_work(users, client_for, rows, role):
    response = client_for(users[role]).get(CHANGELIST)

    assert response.status_code in (302, 403)
