"""A survey of professionals in a real browser: the animator invites the staff, a conseiller answers on a phone.

Every page visited is checked with axe-core at 1280 px, the confirmation at 375 px too.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.apps import apps
from django.core import mail
from django.utils import timezone
from playwright.sync_api import Page, expect

from cnml.models import Structure
from surveys.models import Campaign, CampaignStatus, Response
from tests.browser.axe import assert_accessible
from tests.browser.helpers import login
from tests.browser.test_surveys import survey_campaign
from tests.surveys.conftest import fresh_spec_cache, load_professionals  # noqa: F401 - autouse here too


@pytest.fixture
def campaign(demo_network) -> Campaign:
    """An open survey of professionals over ML93001 (the demo's conseiller and director work there)."""
    load_professionals(apps, None)
    today = timezone.localdate()
    return survey_campaign(
        "Enquête des professionnels 2011",
        "professionnels",
        ["ML93001"],
        audience="professionnels",
        scope="region",
        region=Structure.objects.get(code="ML93001").region,
        opens_on=today - timedelta(days=1),
        closes_on=today + timedelta(days=30),
        target=40,
        access_mode="codes",
        status=CampaignStatus.OPEN,
    )


def test_the_animator_invites_the_staff_and_a_conseiller_answers_with_the_link(
    page: Page, phone: Page, live_server, campaign
):
    login(page, "animateur@demo.cnml.fr")
    page.goto(f"/enquetes/campagnes/{campaign.pk}/")
    page.get_by_role("link", name="Inviter les professionnels par e-mail").click()
    expect(page.get_by_role("heading", name=re.compile("2 e-mails partiront"))).to_be_visible()
    assert_accessible(page)
    page.set_viewport_size({"width": 375, "height": 667})
    assert_accessible(page)
    page.set_viewport_size({"width": 1280, "height": 800})

    mail.outbox.clear()
    page.get_by_role("button", name="Envoyer 2 e-mails").click()
    expect(page.get_by_text("2 e-mails d'invitation envoyés")).to_be_visible()
    assert_accessible(page)
    link = next(
        re.search(r"http\S+/e/\S+/", message.body).group(0)
        for message in mail.outbox
        if message.to == ["conseiller@demo.cnml.fr"]
    )

    phone.goto(link)
    expect(phone.get_by_role("heading", name="Enquête des professionnels 2011")).to_be_visible()
    phone.get_by_role("link", name="Commencer le questionnaire").click()
    expect(phone.get_by_text("Quelle est votre fonction ?")).to_be_visible()
    assert_accessible(phone)
    assert Response.objects.count() == 0
