"""Redis down (``redis_down``, tests/outage.py): the public dashboard computes without its cache,
a recompute asked from the admin is owed, not lost."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from cnml.models import Role
from tests.dashboard.factories import ContactFactory, YoungPersonFactory, make_import
from tests.dashboard.test_pages import NATIONAL, make_snapshot, newsletter_values
from tests.pages import page_text

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.outage]

DELAYED = (
    "Votre demande est bien enregistrée. Un service est momentanément indisponible : "
    "le recalcul des indicateurs se fera dès son rétablissement."
)


def test_the_public_dashboard_answers_without_its_cache(redis_down, client, users):
    make_snapshot(newsletter_values(), periods=["2010-T2", "2011-T2"], validated_by=users[Role.RELECTEUR_CNML])

    first = client.get(NATIONAL)
    second = client.get(NATIONAL)

    assert first.status_code == second.status_code == 200
    assert "958\u202f450" in page_text(first)
    for response in (first, second):  # computed again: nothing was kept
        assert 'id="donnees-graphique-jeunes_accueillis"' in response.content.decode()


def test_a_recompute_asked_while_redis_is_down_is_owed(redis_down, users, client_for, network):
    from cnml.models import OutboxMessage

    make_import(extracted_on=date(2011, 10, 15))
    ContactFactory(young_person=YoungPersonFactory(structure=network.ml_a1), contact_on=date(2011, 2, 3))
    client = client_for(users[Role.RELECTEUR_CNML])

    response = client.post(reverse("admin:dashboard_snapshot_recompute"))

    assert response.status_code == 302
    [message] = OutboxMessage.objects.filter(task="dashboard.tasks.recompute_indicators")
    assert message.done_at is None
    assert DELAYED in page_text(client.get(response["Location"]))
