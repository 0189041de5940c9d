"""Redis down (``redis_down``, tests/outage.py): answers are stored, campaign actions owe their computation."""

from __future__ import annotations

import html
import re

import pytest

from surveys.models import CampaignStatus, Response
from tests.surveys.conftest import PHARES_POST

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.outage]

DELAYED = (
    "Votre demande est bien enregistrée. Un service est momentanément indisponible : "
    "le calcul des résultats se fera dès son rétablissement."
)


def text(response) -> str:
    return re.sub(r"[ \t\r\n]+", " ", html.unescape(response.content.decode()))


def owed_aggregations(campaign) -> list:
    from cnml.models import OutboxMessage

    return list(OutboxMessage.objects.filter(task="surveys.tasks.aggregate_campaign_results", done_at__isnull=True))


def test_the_last_screen_of_a_survey_stores_the_answer_while_redis_is_down(redis_down, client, make_campaign, network):
    point = make_campaign().points.get(structure=network.antenne_a1)

    response = client.post(f"/e/{point.code}/2/", PHARES_POST)

    assert response.status_code == 302
    assert response["Location"] == f"/e/{point.code}/merci/"
    stored = Response.objects.get(point=point)
    assert stored.answers["accueil"] == "plutot_satisfait"
    assert client.get(response["Location"]).status_code == 200


def test_computing_the_results_while_redis_is_down_answers_normally_and_owes_the_computation(
    redis_down, client_for, users, make_campaign, answer, network
):
    campaign = make_campaign()
    answer(campaign, network.antenne_a1, 15)
    client = client_for(users["animateur_regional"])

    response = client.post(f"/enquetes/campagnes/{campaign.pk}/calculer/")

    assert response.status_code == 302
    [message] = owed_aggregations(campaign)
    assert message.kwargs == {"campaign_id": campaign.pk}
    campaign.refresh_from_db()
    assert campaign.aggregated_at is None
    assert DELAYED in text(client.get(response["Location"]))


def test_closing_a_campaign_while_redis_is_down_closes_it_and_owes_its_results(
    redis_down, client_for, users, make_campaign
):
    campaign = make_campaign()
    client = client_for(users["animateur_regional"])

    response = client.post(f"/enquetes/campagnes/{campaign.pk}/cloturer/")

    assert response.status_code == 302
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.CLOSED
    assert [message.kwargs for message in owed_aggregations(campaign)] == [{"campaign_id": campaign.pk}]
    assert DELAYED in text(client.get(response["Location"]))
