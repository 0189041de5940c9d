"""Redis down (``redis_down``, tests/outage.py): answers are stored, campaign actions owe their computation."""

from __future__ import annotations

import pytest

from surveys.models import CampaignStatus, Response
from tests.outage import delayed_notice, owed, page_text
from tests.surveys.conftest import PHARES_POST

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.outage]

DELAYED = delayed_notice("le calcul des résultats")


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
    [message] = owed("surveys.tasks.aggregate_campaign_results")
    assert message.kwargs == {"campaign_id": campaign.pk}
    campaign.refresh_from_db()
    assert campaign.aggregated_at is None
    assert DELAYED in page_text(client.get(response["Location"]))


def test_closing_a_campaign_while_redis_is_down_closes_it_and_owes_its_results(
    redis_down, client_for, users, make_campaign
):
    campaign = make_campaign()
    client = client_for(users["animateur_regional"])

    response = client.post(f"/enquetes/campagnes/{campaign.pk}/cloturer/")

    assert response.status_code == 302
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.CLOSED
    assert [message.kwargs for message in owed("surveys.tasks.aggregate_campaign_results")] == [
        {"campaign_id": campaign.pk}
    ]
    assert DELAYED in page_text(client.get(response["Location"]))
