"""Every surveys page for every role: allowed, or 404 outside the user's scope (never 403)."""

from __future__ import annotations

import pytest

from cnml.models import Role
from surveys.aggregation import aggregate_campaign
from surveys.models import CampaignStatus
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

CONSEILLER, DIRECTEUR, ANIMATEUR = Role.CONSEILLER, Role.DIRECTEUR, Role.ANIMATEUR_REGIONAL
RELECTEUR, ADMIN = Role.RELECTEUR_CNML, Role.ADMINISTRATEUR
OUTSIDER, ANTENNE, OTHER_ANIMATOR = "outsider", "antenne", "other_animator"
EVERYONE = [CONSEILLER, DIRECTEUR, ANIMATEUR, RELECTEUR, ADMIN, OUTSIDER, ANTENNE, OTHER_ANIMATOR]
MANAGERS = {ANIMATEUR, RELECTEUR, ADMIN}


@pytest.fixture
def people(users, outsider, antenne_user, network):
    return {
        **users,
        OUTSIDER: outsider,
        ANTENNE: antenne_user,
        OTHER_ANIMATOR: UserFactory(email="animateur.b@test.cnml.fr", role=ANIMATEUR, structure=network.arml_b),
    }


@pytest.fixture
def setup(make_campaign, answer, network):
    campaign = make_campaign(status=CampaignStatus.CLOSED)
    answer(campaign, network.antenne_a1, 20)
    answer(campaign, network.antenne_a2, 20)
    aggregate_campaign(campaign)
    draft = make_campaign(status=CampaignStatus.DRAFT, title="Brouillon")
    a1 = campaign.points.get(structure=network.antenne_a1).code
    a2 = campaign.points.get(structure=network.antenne_a2).code
    return campaign, draft, a1, a2


# (url template, roles answering 200; every other role answers 404)
PAGES = [
    ("/enquetes/campagnes/{c}/", {CONSEILLER, DIRECTEUR, ANIMATEUR, RELECTEUR, ADMIN, ANTENNE}),
    ("/enquetes/campagnes/{d}/", MANAGERS),
    ("/enquetes/campagnes/{d}/modifier/", MANAGERS),
    ("/enquetes/campagnes/nouvelle/", MANAGERS | {OTHER_ANIMATOR}),
    ("/enquetes/campagnes/{c}/diffusion/{a1}/qr.svg", {CONSEILLER, DIRECTEUR, ANIMATEUR, RELECTEUR, ADMIN, ANTENNE}),
    ("/enquetes/campagnes/{c}/diffusion/{a1}/qr.png", {CONSEILLER, DIRECTEUR, ANIMATEUR, RELECTEUR, ADMIN, ANTENNE}),
    ("/enquetes/campagnes/{c}/diffusion/{a2}/qr.svg", MANAGERS),
    ("/enquetes/campagnes/{c}/diffusion/{a1}/codes/", {CONSEILLER, DIRECTEUR, ANIMATEUR, RELECTEUR, ADMIN, ANTENNE}),
    ("/enquetes/campagnes/{c}/diffusion/{a2}/codes/", MANAGERS),
    ("/enquetes/campagnes/{c}/resultats/region-901/", MANAGERS),
    ("/enquetes/campagnes/{c}/resultats/structure-MLA1/", {CONSEILLER, DIRECTEUR, ANIMATEUR, RELECTEUR, ADMIN}),
    (
        "/enquetes/campagnes/{c}/resultats/structure-ANTA1/",
        {CONSEILLER, DIRECTEUR, ANIMATEUR, RELECTEUR, ADMIN, ANTENNE},
    ),
    ("/enquetes/campagnes/{c}/resultats/structure-MLA2/", MANAGERS),
    ("/enquetes/campagnes/{c}/resultats/region-901/rapport.pdf", MANAGERS),
    (
        "/enquetes/campagnes/{c}/resultats/structure-MLA1/rapport.pdf",
        {CONSEILLER, DIRECTEUR, ANIMATEUR, RELECTEUR, ADMIN},
    ),
    ("/enquetes/campagnes/{c}/resultats/export.csv", {CONSEILLER, DIRECTEUR, ANIMATEUR, RELECTEUR, ADMIN, ANTENNE}),
    ("/enquetes/campagnes/{c}/resultats/export.xlsx", {CONSEILLER, DIRECTEUR, ANIMATEUR, RELECTEUR, ADMIN, ANTENNE}),
]


@pytest.mark.parametrize(("template", "allowed"), PAGES, ids=[page[0] for page in PAGES])
def test_each_page_answers_its_roles_and_404_outside_their_scope(client_for, people, setup, template, allowed):
    campaign, draft, a1, a2 = setup
    url = template.format(c=campaign.pk, d=draft.pk, a1=a1, a2=a2)
    for who in EVERYONE:
        status = client_for(people[who]).get(url).status_code
        assert status == (200 if who in allowed else 404), f"{who} on {url}: {status}"


def test_every_page_needs_a_login(client, setup):
    campaign, draft, a1, _ = setup
    for template, _ in PAGES + [("/enquetes/", None), ("/enquetes/campagnes/{c}/resultats/", None)]:
        url = template.format(c=campaign.pk, d=draft.pk, a1=a1, a2=a1)
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/compte/connexion/"), url


def test_the_surveys_home_lists_each_role_its_campaigns(client_for, people, setup):
    campaign, draft, _, _ = setup
    for who in EVERYONE:
        page = client_for(people[who]).get("/enquetes/").content.decode()
        assert (campaign.title in page) == (who not in (OUTSIDER, OTHER_ANIMATOR)), who
        assert ("Brouillon" in page) == (who in MANAGERS), who
        assert ("Nouvelle campagne" in page) == (who in MANAGERS | {OTHER_ANIMATOR}), who


def test_results_open_on_the_highest_group_each_role_may_read(client_for, people, setup):
    campaign, *_ = setup
    expected = {
        ANIMATEUR: "region-901",
        RELECTEUR: "region-901",
        DIRECTEUR: "structure-MLA1",
        CONSEILLER: "structure-MLA1",
        ANTENNE: "structure-ANTA1",
    }
    for who, key in expected.items():
        response = client_for(people[who]).get(f"/enquetes/campagnes/{campaign.pk}/resultats/")
        assert response["Location"] == f"/enquetes/campagnes/{campaign.pk}/resultats/{key}/", who
    assert client_for(people[OUTSIDER]).get(f"/enquetes/campagnes/{campaign.pk}/resultats/").status_code == 404


def test_exports_only_carry_the_groups_a_user_may_read(client_for, people, setup):
    campaign, *_ = setup
    content = client_for(people[DIRECTEUR]).get(f"/enquetes/campagnes/{campaign.pk}/resultats/export.csv").content
    text = content.decode("utf-8-sig")
    assert ";MLA1;" in text and ";ANTA1;" in text
    assert ";MLA2;" not in text and ";ANTA2;" not in text and "Région;901" not in text


@pytest.mark.parametrize("action", ["ouvrir", "cloturer", "calculer"])
def test_campaign_actions_are_for_managers_only(client_for, people, make_campaign, action):
    campaign = make_campaign(status=CampaignStatus.DRAFT if action == "ouvrir" else CampaignStatus.OPEN)
    for who in EVERYONE:
        response = client_for(people[who]).post(f"/enquetes/campagnes/{campaign.pk}/{action}/")
        if who in MANAGERS:
            assert response.status_code == 302, who
        else:
            assert response.status_code == 404, who
        campaign.refresh_from_db()
