"""The rules of a campaign live in the model (``Campaign.clean``), and every path goes through them:
the service (opening, saving, codes), the pages, the admin; the database keeps the date order."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from cnml.models import Role
from cnml.workflows import TransitionRefused
from surveys.models import AccessCode, Campaign, CampaignScope, CampaignStatus
from surveys.services import CampaignError, access_codes_generate, campaign_open, campaign_save
from tests.clock import frozen
from tests.factories import UserFactory
from tests.pages import page_text

pytestmark = [pytest.mark.django_db, frozen]

PAST_CLOSING = "est passée : une campagne ouverte se clôt aujourd'hui au plus tôt"
DATES_IN_ORDER = "La clôture doit suivre l'ouverture."
FROZEN = "Ne peut plus changer une fois la campagne ouverte."
CLOSED = "Une campagne close ne se modifie plus."


def form_data(campaign: Campaign, **extra) -> dict:
    return {
        "title": campaign.title,
        "questionnaire": campaign.questionnaire_id,
        "audience": campaign.audience,
        "access_mode": campaign.access_mode,
        "region": campaign.region_id or "",
        "opens_on": campaign.opens_on.isoformat(),
        "closes_on": campaign.closes_on.isoformat(),
        "target": str(campaign.target),
        **extra,
    }


@pytest.fixture
def past_draft(make_campaign):
    """A draft whose closing date went by before anyone opened it."""
    today = timezone.localdate()
    return make_campaign(
        status=CampaignStatus.DRAFT, opens_on=today - timedelta(days=40), closes_on=today - timedelta(days=1)
    )


# --- The model -----------------------------------------------------------------------------------


def test_the_model_refuses_an_open_campaign_past_its_closing_date(make_campaign):
    campaign = make_campaign()
    campaign.closes_on = timezone.localdate() - timedelta(days=1)

    with pytest.raises(ValidationError) as refused:
        campaign.full_clean()

    assert list(refused.value.message_dict) == ["closes_on"]
    assert PAST_CLOSING in refused.value.message_dict["closes_on"][0]


def test_the_model_refuses_a_closing_date_before_the_opening_date(make_campaign):
    campaign = make_campaign(status=CampaignStatus.DRAFT)
    campaign.closes_on = campaign.opens_on - timedelta(days=1)

    with pytest.raises(ValidationError) as refused:
        campaign.full_clean()

    assert refused.value.message_dict == {"closes_on": [DATES_IN_ORDER]}


def test_the_database_refuses_a_closing_date_before_the_opening_date(make_campaign):
    campaign = make_campaign(status=CampaignStatus.DRAFT)

    with pytest.raises(IntegrityError), transaction.atomic():
        Campaign.objects.filter(pk=campaign.pk).update(closes_on=campaign.opens_on - timedelta(days=1))


def test_the_model_refuses_a_questionnaire_for_another_audience(make_campaign, instruments):
    campaign = make_campaign(status=CampaignStatus.DRAFT)
    campaign.questionnaire = instruments["employeurs"]

    with pytest.raises(ValidationError) as refused:
        campaign.full_clean()

    assert refused.value.message_dict == {"questionnaire": ["Ce questionnaire s'adresse au public « Entreprises »."]}


def test_the_model_keeps_the_questionnaire_perimeter_and_access_of_an_open_campaign(
    make_campaign, instruments, network
):
    campaign = make_campaign()
    campaign.questionnaire = instruments["oqm-jeunes"]
    campaign.region = network.region_b
    campaign.access_mode = "codes"

    with pytest.raises(ValidationError) as refused:
        campaign.full_clean()

    assert refused.value.message_dict == {"questionnaire": [FROZEN], "region": [FROZEN], "access_mode": [FROZEN]}


def test_the_model_refuses_any_change_to_a_closed_campaign(make_campaign):
    campaign = make_campaign(status=CampaignStatus.CLOSED)
    campaign.title = "Autre titre"

    with pytest.raises(ValidationError) as refused:
        campaign.full_clean()

    assert refused.value.messages == [CLOSED]


def test_the_model_refuses_a_campaign_going_back_to_draft(make_campaign):
    campaign = make_campaign()
    campaign.status = CampaignStatus.DRAFT

    with pytest.raises(ValidationError) as refused:
        campaign.full_clean()

    assert refused.value.message_dict == {"status": ["Une campagne ouverte ne revient pas en brouillon."]}


# --- The services --------------------------------------------------------------------------------


def test_a_draft_past_its_closing_date_cannot_be_opened(past_draft, users):
    with pytest.raises(TransitionRefused) as refused:
        campaign_open(campaign=past_draft, actor=users[Role.ANIMATEUR_REGIONAL])

    past_draft.refresh_from_db()
    assert PAST_CLOSING in str(refused.value)
    assert past_draft.status == CampaignStatus.DRAFT


def test_a_draft_closing_today_can_be_opened(make_campaign, users):
    today = timezone.localdate()
    campaign = make_campaign(status=CampaignStatus.DRAFT, opens_on=today - timedelta(days=5), closes_on=today)

    campaign_open(campaign=campaign, actor=users[Role.ANIMATEUR_REGIONAL])

    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.OPEN


def test_saving_an_open_campaign_with_a_past_closing_date_is_refused_by_the_service(make_campaign, network):
    campaign = make_campaign()
    closes_on = campaign.closes_on
    campaign.closes_on = timezone.localdate() - timedelta(days=1)

    with pytest.raises(ValidationError) as refused:
        campaign_save(campaign=campaign, participants=[network.antenne_a1], actor=None)

    campaign.refresh_from_db()
    assert PAST_CLOSING in refused.value.message_dict["closes_on"][0]
    assert campaign.closes_on == closes_on


def test_saving_inverted_dates_is_refused_by_the_service_with_a_french_error(make_campaign, network):
    campaign = make_campaign(status=CampaignStatus.DRAFT)
    campaign.closes_on = campaign.opens_on - timedelta(days=1)

    with pytest.raises(ValidationError) as refused:
        campaign_save(campaign=campaign, participants=[network.antenne_a1], actor=None)

    assert refused.value.message_dict == {"closes_on": [DATES_IN_ORDER]}


def test_a_national_draft_given_a_region_becomes_regional(make_campaign, network):
    campaign = make_campaign(status=CampaignStatus.DRAFT, scope=CampaignScope.NATION)
    campaign.region = network.region_a

    campaign_save(campaign=campaign, participants=[network.antenne_a1], actor=None)

    campaign.refresh_from_db()
    assert (campaign.scope, campaign.region) == (CampaignScope.REGION, network.region_a)


def test_no_codes_for_a_closed_campaign_through_the_service(make_campaign, network):
    campaign = make_campaign(status=CampaignStatus.CLOSED)

    with pytest.raises(CampaignError, match="La campagne est close : aucun nouveau code."):
        access_codes_generate(point=campaign.points.get(structure=network.antenne_a1), count=5)

    assert not AccessCode.objects.exists()


# --- The pages -----------------------------------------------------------------------------------


def test_opening_a_draft_past_its_closing_date_from_its_page_says_why(past_draft, client_for, users):
    client = client_for(users[Role.ANIMATEUR_REGIONAL])

    response = client.post(f"/enquetes/campagnes/{past_draft.pk}/ouvrir/", follow=True)

    past_draft.refresh_from_db()
    assert past_draft.status == CampaignStatus.DRAFT
    assert PAST_CLOSING in page_text(response)


def test_editing_an_open_campaign_with_a_past_closing_date_is_refused_on_its_page(make_campaign, client_for, users):
    campaign = make_campaign()
    closes_on = campaign.closes_on
    yesterday = timezone.localdate() - timedelta(days=1)

    response = client_for(users[Role.ANIMATEUR_REGIONAL]).post(
        f"/enquetes/campagnes/{campaign.pk}/modifier/", form_data(campaign, closes_on=yesterday.isoformat())
    )

    campaign.refresh_from_db()
    assert response.status_code == 200
    assert PAST_CLOSING in page_text(response)
    assert campaign.closes_on == closes_on


def test_editing_an_open_campaign_to_close_later_is_allowed(make_campaign, client_for, users):
    campaign = make_campaign()
    later = timezone.localdate() + timedelta(days=60)

    response = client_for(users[Role.ANIMATEUR_REGIONAL]).post(
        f"/enquetes/campagnes/{campaign.pk}/modifier/", form_data(campaign, closes_on=later.isoformat())
    )

    campaign.refresh_from_db()
    assert response.status_code == 302
    assert campaign.closes_on == later


def test_inverted_dates_on_the_page_give_one_french_error_on_the_closing_date(make_campaign, client_for, users):
    campaign = make_campaign(status=CampaignStatus.DRAFT)

    response = client_for(users[Role.ANIMATEUR_REGIONAL]).post(
        f"/enquetes/campagnes/{campaign.pk}/modifier/",
        form_data(campaign, closes_on=(campaign.opens_on - timedelta(days=1)).isoformat()),
    )

    text = page_text(response)
    assert response.status_code == 200
    assert text.count(DATES_IN_ORDER) == 1
    assert "contrainte" not in text


def test_a_national_draft_given_a_region_on_its_page_becomes_regional(make_campaign, client_for, users, network):
    campaign = make_campaign(status=CampaignStatus.DRAFT, scope=CampaignScope.NATION)

    response = client_for(users[Role.RELECTEUR_CNML]).post(
        f"/enquetes/campagnes/{campaign.pk}/modifier/", form_data(campaign, region=network.region_a.pk)
    )

    campaign.refresh_from_db()
    assert response.status_code == 302
    assert (campaign.scope, campaign.region) == (CampaignScope.REGION, network.region_a)


# --- The admin -----------------------------------------------------------------------------------


@pytest.mark.parametrize("superuser", [False, True])
def test_the_admin_changes_no_campaign(make_campaign, client_for, users, network, superuser):
    campaign = make_campaign()
    admin = (
        UserFactory(email="racine@test.cnml.fr", role=Role.ADMINISTRATEUR, structure=None, is_superuser=True)
        if superuser
        else users[Role.ADMINISTRATEUR]
    )
    client = client_for(admin)
    yesterday = timezone.localdate() - timedelta(days=1)

    page = client.get(f"/admin/surveys/campaign/{campaign.pk}/change/")
    response = client.post(
        f"/admin/surveys/campaign/{campaign.pk}/change/",
        form_data(campaign, closes_on=yesterday.isoformat(), status="ouverte", scope="region"),
    )

    campaign.refresh_from_db()
    assert page.status_code == 200
    assert 'name="closes_on"' not in page.content.decode()  # shown, not editable
    assert response.status_code == 403
    assert campaign.closes_on != yesterday
    assert client.get("/admin/surveys/campaign/add/").status_code == 403
