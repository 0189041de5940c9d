"""What is printed on paper for a campaign leads somewhere: slips, posters and QR codes.

The walk over every address the product prints or e-mails is ``tests/test_every_printed_address.py``;
here, the cases of the surveys themselves.
"""

from __future__ import annotations

import io
import re

import pytest
from django.conf import settings
from django.test import Client
from pypdf import PdfReader

from surveys.models import AccessCode, AccessMode, Campaign
from tests.surveys.test_campaigns import form_data

pytestmark = pytest.mark.django_db


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def printed_addresses(content: bytes) -> list[str]:
    return re.findall(r"https?://\S+", pdf_text(content))


def test_the_address_printed_on_single_use_code_slips_lets_one_type_the_code(client_for, users, make_campaign, network):
    campaign = make_campaign(access_mode=AccessMode.CODES_ONLY)
    point = campaign.points.get(structure=network.antenne_a1)
    staff = client_for(users["animateur_regional"])
    staff.post(f"/enquetes/campagnes/{campaign.pk}/diffusion/{point.code}/codes/", {"count": "2"})
    slips = staff.get(f"/enquetes/campagnes/{campaign.pk}/diffusion/{point.code}/codes/lot-1.pdf")
    [address] = set(printed_addresses(slips.content))
    assert address.startswith(settings.SITE_URL + "/")
    path = address.removeprefix(settings.SITE_URL)
    visitor = Client()
    assert visitor.get(path).status_code == 200
    # The code as printed (with its dash, in lower case as one may type it) leads to the questionnaire.
    code = AccessCode.objects.filter(point=point).order_by("code").first().code
    typed = f"{code[:5]}-{code[5:]}".lower()
    response = visitor.post(path, {"code": typed})
    assert response.status_code == 302
    assert visitor.get(response["Location"]).status_code == 200
    assert "Commencer le questionnaire" in visitor.get(response["Location"]).content.decode()


def test_a_code_nobody_printed_is_refused_in_french_keeping_what_was_typed(client):
    response = client.post("/e/", {"code": "ZZZZZ-ZZZZZ"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Ce code ne correspond à aucune enquête" in page
    assert 'value="ZZZZZ-ZZZZZ"' in page


def test_a_mission_locale_head_office_gets_its_own_link_beside_its_antennes(client_for, users, instruments, network):
    client = client_for(users["animateur_regional"])
    client.post(
        "/enquetes/campagnes/nouvelle/",
        form_data(instruments, region=network.region_a.pk, participants=[network.ml_a1.pk, network.antenne_a1.pk]),
    )
    campaign = Campaign.objects.get()
    assert {p.structure for p in campaign.points.all()} == {network.ml_a1, network.antenne_a1}
    head_office = campaign.points.get(structure=network.ml_a1)
    page = client.get(f"/enquetes/campagnes/{campaign.pk}/").content.decode()
    assert f"{settings.SITE_URL}/e/{head_office.code}/" in page
    qr = client.get(f"/enquetes/campagnes/{campaign.pk}/diffusion/{head_office.code}/qr.png")
    assert qr.status_code == 200 and qr.content.startswith(b"\x89PNG")
