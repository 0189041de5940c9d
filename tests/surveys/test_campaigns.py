"""Campaigns: creation by role, distribution points, opening and closing, codes, QR codes and posters."""

from __future__ import annotations

import re
import zlib
from datetime import timedelta

import pytest
from django.utils import timezone

from cnml.audit import transitions_of
from cnml.workflows import TransitionRefused
from surveys.models import AccessCode, Campaign, CampaignStatus, ResultNode
from surveys.services import access_codes_generate, campaign_open, campaigns_close_due
from surveys.tasks import close_due_campaigns
from tests.clock import frozen
from tests.migrations import schedule_everything
from tests.pages import page_text

pytestmark = [pytest.mark.django_db, frozen]


def pdf_objects(content: bytes) -> bytes:
    """The PDF's raw bytes plus its decompressed streams (WeasyPrint compresses object streams)."""
    parts = [content]
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", content, re.S):
        try:
            parts.append(zlib.decompress(match.group(1)))
        except zlib.error:
            continue
    return b"\n".join(parts)


def form_data(instruments, **extra):
    today = timezone.localdate()
    return {
        "title": "Satisfaction 2012",
        "questionnaire": instruments["questions-phares"].pk,
        "audience": "jeunes",
        "access_mode": "lien",
        "opens_on": today.isoformat(),
        "closes_on": (today + timedelta(days=30)).isoformat(),
        "target": "120",
        **extra,
    }


def test_an_animator_creates_a_campaign_for_their_region_with_a_link_per_antenne(
    client_for, users, instruments, network
):
    client = client_for(users["animateur_regional"])
    page = client.get("/enquetes/campagnes/nouvelle/").content.decode()
    assert network.ml_b1.code not in page  # only their region's structures
    response = client.post(
        "/enquetes/campagnes/nouvelle/",
        form_data(instruments, region=network.region_a.pk, participants=[network.antenne_a1.pk, network.ml_a2.pk]),
    )
    campaign = Campaign.objects.get()
    assert response["Location"] == f"/enquetes/campagnes/{campaign.pk}/"
    assert campaign.status == CampaignStatus.DRAFT
    assert campaign.region == network.region_a
    assert campaign.created_by == users["animateur_regional"]
    assert {p.structure for p in campaign.points.all()} == {network.antenne_a1, network.ml_a2}
    assert all(len(p.code) == 6 for p in campaign.points.all())
    assert [t.to_state for t in transitions_of(campaign)] == [CampaignStatus.DRAFT]


def test_an_animator_cannot_create_a_campaign_for_another_region(client_for, users, instruments, network):
    client = client_for(users["animateur_regional"])
    response = client.post("/enquetes/campagnes/nouvelle/", form_data(instruments, region=network.region_b.pk))
    assert response.status_code == 200
    assert not Campaign.objects.exists()


def test_without_participants_every_local_structure_of_the_region_takes_part(client_for, users, instruments, network):
    client = client_for(users["animateur_regional"])
    client.post("/enquetes/campagnes/nouvelle/", form_data(instruments, region=network.region_a.pk))
    campaign = Campaign.objects.get()
    # Each mission locale has a link for its head office, beside its antennes' links.
    assert {p.structure for p in campaign.points.all()} == {
        network.ml_a1,
        network.antenne_a1,
        network.ml_a2,
        network.antenne_a2,
    }


def test_a_cnml_role_creates_a_national_campaign(client_for, users, instruments, network):
    client = client_for(users["relecteur_cnml"])
    client.post("/enquetes/campagnes/nouvelle/", form_data(instruments, region=""))
    campaign = Campaign.objects.get()
    assert campaign.scope == "nation" and campaign.region is None
    assert campaign.points.count() == 8  # the four missions locales of both regions and their four antennes


def test_mission_locale_staff_cannot_create_campaigns(client_for, users, instruments):
    for role in ("conseiller", "directeur"):
        assert client_for(users[role]).get("/enquetes/campagnes/nouvelle/").status_code == 404


def test_the_audience_must_match_the_questionnaire(client_for, users, instruments, network):
    client = client_for(users["animateur_regional"])
    response = client.post(
        "/enquetes/campagnes/nouvelle/",
        form_data(instruments, region=network.region_a.pk, questionnaire=instruments["employeurs"].pk),
    )
    assert "s'adresse au public" in response.content.decode().replace("&#x27;", "'")
    assert not Campaign.objects.exists()


def test_opening_then_closing_computes_the_results(
    client_for, users, make_campaign, answer, network, django_capture_on_commit_callbacks
):
    campaign = make_campaign(status=CampaignStatus.DRAFT)
    client = client_for(users["animateur_regional"])
    client.post(f"/enquetes/campagnes/{campaign.pk}/ouvrir/")
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.OPEN
    answer(campaign, network.antenne_a1, 12)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/enquetes/campagnes/{campaign.pk}/cloturer/")
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.CLOSED
    assert campaign.aggregated_responses == 12  # Celery task run on commit (eager in tests)
    assert ResultNode.objects.get(campaign=campaign, key="region-901").n == 12
    assert [t.to_state for t in transitions_of(campaign)] == [CampaignStatus.OPEN, CampaignStatus.CLOSED]


def test_a_campaign_without_participants_cannot_open(make_campaign, users):
    campaign = make_campaign(status=CampaignStatus.DRAFT, structures=[])
    with pytest.raises(TransitionRefused):
        campaign_open(campaign=campaign, actor=users["animateur_regional"])


def test_the_beat_task_closes_campaigns_past_their_closing_date(
    make_campaign, answer, network, django_capture_on_commit_callbacks
):
    today = timezone.localdate()
    due = make_campaign(opens_on=today - timedelta(days=20), closes_on=today - timedelta(days=1), title="Échue")
    running = make_campaign(title="En cours")
    answer(due, network.antenne_a1, 11)
    with django_capture_on_commit_callbacks(execute=True):
        assert close_due_campaigns.delay().get() == [due.pk]
    due.refresh_from_db()
    running.refresh_from_db()
    assert due.status == CampaignStatus.CLOSED and due.aggregated_responses == 11
    assert running.status == CampaignStatus.OPEN
    assert campaigns_close_due() == []


def test_the_migration_schedules_the_closing_task_every_hour():
    from django_celery_beat.models import PeriodicTask

    schedule_everything()
    task = PeriodicTask.objects.get(task="surveys.tasks.close_due_campaigns")
    assert task.enabled and (task.interval.every, task.interval.period) == (1, "hours")


def test_results_are_recomputed_on_demand_while_the_campaign_runs(
    client_for, users, make_campaign, answer, network, django_capture_on_commit_callbacks
):
    campaign = make_campaign()
    answer(campaign, network.antenne_a1, 15)
    with django_capture_on_commit_callbacks(execute=True):
        client_for(users["animateur_regional"]).post(f"/enquetes/campagnes/{campaign.pk}/calculer/")
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.OPEN
    assert campaign.aggregated_responses == 15


def test_response_rates_per_antenne_against_the_target(client_for, users, make_campaign, answer, network):
    campaign = make_campaign(target=40)
    answer(campaign, network.antenne_a1, 5)
    page = page_text(client_for(users["animateur_regional"]).get(f"/enquetes/campagnes/{campaign.pk}/"))
    # 40 answers for two antennes: 20 each; 5 of 20 = 25 %.
    assert "<td>5</td> <td>20</td> <td> 25,0\u00a0%" in page
    assert "5\u00a0réponses reçues pour un objectif de 40 (12,5\u00a0%)" in page


def test_qr_codes_in_svg_and_png_point_to_the_short_link(client_for, users, make_campaign, network):
    campaign = make_campaign()
    point = campaign.points.get(structure=network.antenne_a1)
    client = client_for(users["directeur"])  # staff of ML A1 see their antenne's supports
    svg = client.get(f"/enquetes/campagnes/{campaign.pk}/diffusion/{point.code}/qr.svg")
    assert svg["Content-Type"] == "image/svg+xml"
    assert svg.content.startswith(b"<svg")
    assert f"/e/{point.code}/".encode() in svg.content  # in the title
    png = client.get(f"/enquetes/campagnes/{campaign.pk}/diffusion/{point.code}/qr.png")
    assert png["Content-Type"] == "image/png" and png.content.startswith(b"\x89PNG")


def test_the_poster_is_an_a4_pdf(client_for, users, make_campaign, network):
    campaign = make_campaign()
    point = campaign.points.get(structure=network.antenne_a1)
    pdf = client_for(users["animateur_regional"]).get(
        f"/enquetes/campagnes/{campaign.pk}/diffusion/{point.code}/affiche.pdf"
    )
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert b"MediaBox [0 0 595.27" in pdf_objects(pdf.content)  # A4: 595 × 842 points


def test_a_batch_of_single_use_codes_prints_on_slips(client_for, users, make_campaign, network):
    campaign = make_campaign()
    point = campaign.points.get(structure=network.antenne_a1)
    client = client_for(users["animateur_regional"])
    response = client.post(f"/enquetes/campagnes/{campaign.pk}/diffusion/{point.code}/codes/", {"count": "12"})
    assert response.status_code == 302
    codes = list(AccessCode.objects.filter(point=point))
    assert len(codes) == 12 and len({c.code for c in codes}) == 12
    assert all(len(c.code) == 10 and not set(c.code) & set("01ILO") for c in codes)
    slips = client.get(f"/enquetes/campagnes/{campaign.pk}/diffusion/{point.code}/codes/lot-1.pdf")
    assert slips["Content-Type"] == "application/pdf" and slips.content.startswith(b"%PDF")
    assert len(access_codes_generate(point=point, count=3)) == 3
    assert AccessCode.objects.filter(point=point, batch=2).count() == 3


def test_ml_staff_cannot_generate_codes(client_for, users, make_campaign, network):
    campaign = make_campaign()
    point = campaign.points.get(structure=network.antenne_a1)
    response = client_for(users["directeur"]).post(
        f"/enquetes/campagnes/{campaign.pk}/diffusion/{point.code}/codes/", {"count": "5"}
    )
    assert response.status_code == 404
    assert not AccessCode.objects.exists()


def test_editing_an_open_campaign_keeps_its_questionnaire(client_for, users, make_campaign, network, instruments):
    campaign = make_campaign()
    client = client_for(users["animateur_regional"])
    data = form_data(
        instruments,
        title="Nouveau titre",
        region=network.region_a.pk,
        questionnaire=instruments["oqm-jeunes"].pk,
        participants=[network.antenne_a1.pk, network.antenne_a2.pk, network.ml_a1.pk],
    )
    client.post(f"/enquetes/campagnes/{campaign.pk}/modifier/", data)
    campaign.refresh_from_db()
    assert campaign.title == "Nouveau titre"
    assert campaign.questionnaire == instruments["questions-phares"]
