"""Surveys of professionals: staff invited by e-mail, one personal single-use link each, anonymous results."""

from __future__ import annotations

import json
import re

import pytest
from django.apps import apps
from django.core import mail
from django.core.exceptions import ValidationError

from cnml.models import Role
from surveys.aggregation import aggregate_campaign
from surveys.models import AccessCode, Audience, CampaignStatus, Response, ResultNode, StaffInvitation
from surveys.services import CampaignError, campaign_invite_staff
from tests.factories import make_user
from tests.pages import page_text
from tests.surveys.conftest import load_professionals

pytestmark = pytest.mark.django_db

SITE = "https://enquetes.example.test"
LINK = re.compile(re.escape(SITE) + r"(/e/([A-Z0-9]+)/)")

# Every screen of « Professionnels des missions locales » in one final POST.
ANSWER = {
    "q-fonction": "psychologue",
    "q-temps_presence": "partiel_moins",
    "q-anciennete": "2_5",
    "q-missions": ["ecoute", "soutien_equipes", "orientation_soins"],
    "q-souffrance_psychique": "souvent",
    "q-partenaires_soins": "oui",
    "q-outils": "3",
    "q-formation": "4",
    "q-echanges": "5",
    "q-satisfaction_globale": "4",
    "q-commentaire": "Des postes trop précaires.",
    "ecrans": "1,2,3,4",
}


@pytest.fixture(autouse=True)
def site_url(settings):
    settings.SITE_URL = SITE


@pytest.fixture
def campaign(make_campaign, network):
    """An open survey of professionals over ML A1 (its head office) and antenne A1."""
    return make_campaign(
        questionnaire="professionnels", structures=[network.ml_a1, network.antenne_a1], access_mode="codes"
    )


@pytest.fixture
def staff(users, network):
    """Who is invited: the conseiller and the director of ML A1, a conseiller of antenne A1."""
    return [users[Role.CONSEILLER], users[Role.DIRECTEUR], make_user(Role.CONSEILLER, network.antenne_a1)]


@pytest.fixture
def not_staff(network, outsider):
    """Who is not: an inactive conseiller of ML A1, a conseiller of ML A2 (not participating), one of region B."""
    return [
        make_user(Role.CONSEILLER, network.ml_a1, is_active=False),
        make_user(Role.CONSEILLER, network.ml_a2),
        outsider,
    ]


def invite(campaign, actor, capture) -> int:
    mail.outbox.clear()
    with capture(execute=True):
        return campaign_invite_staff(campaign=campaign, actor=actor)


def links_by_recipient() -> dict[str, str]:
    return {message.to[0]: LINK.search(message.body).group(1) for message in mail.outbox}


def test_invitation_makes_one_code_per_active_staff_member_of_the_participating_structures(
    campaign, staff, not_staff, users, network, django_capture_on_commit_callbacks
):
    sent = invite(campaign, users[Role.ANIMATEUR_REGIONAL], django_capture_on_commit_callbacks)

    assert sent == 3
    codes = AccessCode.objects.filter(point__campaign=campaign)
    assert sorted(codes.values_list("point__structure__code", flat=True)) == ["ANTA1", "MLA1", "MLA1"]
    invited = set(StaffInvitation.objects.filter(campaign=campaign).values_list("user_id", flat=True))
    assert invited == {user.pk for user in staff}
    assert not invited & {user.pk for user in not_staff + [users[Role.ANIMATEUR_REGIONAL]]}
    # One e-mail each, to that person alone, with a code of its own.
    assert sorted(message.to[0] for message in mail.outbox) == sorted(user.email for user in staff)
    sent_codes = {path.strip("/").split("/")[-1] for path in links_by_recipient().values()}
    assert sent_codes == set(codes.values_list("code", flat=True))
    assert "Enquête des professionnels : Enquête de test" in mail.outbox[0].subject
    assert "adressée aux professionnels des missions locales (Région Alpha)" in mail.outbox[0].body


def test_the_link_of_the_email_opens_the_form_and_answers_once(
    campaign, staff, users, client, django_capture_on_commit_callbacks
):
    invite(campaign, users[Role.ANIMATEUR_REGIONAL], django_capture_on_commit_callbacks)
    path = links_by_recipient()[staff[0].email]

    intro = client.get(path)
    assert intro.status_code == 200
    assert "s'adresse aux professionnels des missions locales" in page_text(intro)
    assert "Commencer le questionnaire" in page_text(intro)
    first = client.get(path + "1/")
    assert first.status_code == 200
    assert "Quelle est votre fonction\u202f?" in page_text(first)

    stored = client.post(path + "4/", ANSWER)
    assert stored.status_code == 302 and stored.url.endswith("/merci/")
    assert Response.objects.filter(campaign=campaign).count() == 1

    # A second answer with the same link is refused, by the form and by the last screen alike.
    assert "Code déjà utilisé" in page_text(client.get(path))
    again = client.post(path + "4/", ANSWER)
    assert "Code déjà utilisé" in page_text(again)
    assert Response.objects.filter(campaign=campaign).count() == 1


def test_a_spent_code_keeps_no_time_of_use_that_would_point_to_its_answer(
    campaign, staff, users, client, django_capture_on_commit_callbacks, time_machine
):
    invite(campaign, users[Role.ANIMATEUR_REGIONAL], django_capture_on_commit_callbacks)
    path = links_by_recipient()[staff[2].email]
    time_machine.shift(3600 * 5)
    client.post(path + "4/", ANSWER)

    spent = AccessCode.objects.get(code=path.strip("/").split("/")[-1])
    assert spent.used_at == spent.created_at


def test_inviting_again_reaches_only_staff_not_yet_invited(
    campaign, staff, users, network, django_capture_on_commit_callbacks
):
    manager = users[Role.ANIMATEUR_REGIONAL]
    assert invite(campaign, manager, django_capture_on_commit_callbacks) == 3
    assert invite(campaign, manager, django_capture_on_commit_callbacks) == 0
    assert mail.outbox == []
    assert AccessCode.objects.filter(point__campaign=campaign).count() == 3

    newcomer = make_user(Role.DIRECTEUR, network.antenne_a1)
    assert invite(campaign, manager, django_capture_on_commit_callbacks) == 1
    assert [message.to for message in mail.outbox] == [[newcomer.email]]
    assert AccessCode.objects.filter(point__campaign=campaign).count() == 4
    assert StaffInvitation.objects.filter(campaign=campaign).count() == 4


@pytest.mark.parametrize("status", [CampaignStatus.DRAFT, CampaignStatus.CLOSED])
def test_only_an_open_campaign_invites(make_campaign, network, staff, users, status):
    campaign = make_campaign(
        questionnaire="professionnels", structures=[network.ml_a1], access_mode="codes", status=status
    )
    with pytest.raises(CampaignError, match="ouverte"):
        campaign_invite_staff(campaign=campaign, actor=users[Role.ADMINISTRATEUR])
    assert not StaffInvitation.objects.exists() and not AccessCode.objects.exists()


def test_a_youth_campaign_invites_no_one(make_campaign, staff, users):
    campaign = make_campaign()
    with pytest.raises(CampaignError, match="professionnels"):
        campaign_invite_staff(campaign=campaign, actor=users[Role.ADMINISTRATEUR])


def test_a_survey_of_professionals_is_answered_by_codes_only(campaign):
    campaign.access_mode = "lien"
    with pytest.raises(ValidationError) as refused:
        campaign.full_clean()
    assert "Codes à usage unique seulement" in str(refused.value.message_dict["access_mode"])


def test_the_manager_confirms_how_many_emails_will_leave_then_sends_them(
    campaign, staff, users, client_for, django_capture_on_commit_callbacks
):
    manager = client_for(users[Role.ANIMATEUR_REGIONAL])
    detail = page_text(manager.get(f"/enquetes/campagnes/{campaign.pk}/"))
    assert "Inviter les professionnels par e-mail" in detail

    page = manager.get(f"/enquetes/campagnes/{campaign.pk}/inviter/")
    assert page.status_code == 200
    assert "3 e-mails partiront" in page_text(page, plain_spaces=True)

    with django_capture_on_commit_callbacks(execute=True):
        sent = manager.post(f"/enquetes/campagnes/{campaign.pk}/inviter/", follow=True)
    assert "3 e-mails d'invitation envoyés" in page_text(sent, plain_spaces=True)
    assert len(mail.outbox) == 3
    assert "Professionnels invités par e-mail</dt> <dd> 3 </dd>" in page_text(sent)

    again = page_text(manager.get(f"/enquetes/campagnes/{campaign.pk}/inviter/"))
    assert "Aucun e-mail à envoyer" in again
    repeated = page_text(manager.post(f"/enquetes/campagnes/{campaign.pk}/inviter/", follow=True))
    assert "déjà invités" in repeated
    assert len(mail.outbox) == 3


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        (Role.CONSEILLER, False),
        (Role.DIRECTEUR, False),
        (Role.ANIMATEUR_REGIONAL, True),
        (Role.RELECTEUR_CNML, True),
        (Role.ADMINISTRATEUR, True),
    ],
)
def test_only_the_campaigns_managers_may_invite(campaign, staff, users, client_for, role, allowed):
    client = client_for(users[role])
    url = f"/enquetes/campagnes/{campaign.pk}/inviter/"
    assert client.get(url).status_code == (200 if allowed else 404)
    if not allowed:
        assert client.post(url).status_code == 404
        assert not StaffInvitation.objects.exists()
    detail = page_text(client.get(f"/enquetes/campagnes/{campaign.pk}/"))
    assert ("Inviter les professionnels par e-mail" in detail) is allowed


def test_the_invitation_page_is_out_of_reach_elsewhere(
    campaign, make_campaign, users, outsider, client_for, network, role_groups
):
    url = f"/enquetes/campagnes/{campaign.pk}/inviter/"
    other_animator = make_user(Role.ANIMATEUR_REGIONAL, network.arml_b)
    for user in (outsider, other_animator):
        assert client_for(user).get(url).status_code == 404
        assert client_for(user).post(url).status_code == 404
    assert client_for(None).get(url).status_code == 302  # to the log-in page
    youth = make_campaign()
    assert client_for(users[Role.ADMINISTRATEUR]).get(f"/enquetes/campagnes/{youth.pk}/inviter/").status_code == 404


def test_e_mailed_codes_are_never_printed_not_even_by_a_colleague(
    campaign, staff, users, client_for, network, django_capture_on_commit_callbacks
):
    invite(campaign, users[Role.ANIMATEUR_REGIONAL], django_capture_on_commit_callbacks)
    point = campaign.points.get(structure=network.ml_a1)
    for role in (Role.CONSEILLER, Role.ANIMATEUR_REGIONAL):
        client = client_for(users[role])
        assert client.get(f"/enquetes/campagnes/{campaign.pk}/diffusion/{point.code}/codes/").status_code == 404
        slips = f"/enquetes/campagnes/{campaign.pk}/diffusion/{point.code}/codes/lot-1.pdf"
        assert client.get(slips).status_code == 404


def test_results_of_professionals_carry_no_identity_and_hide_small_groups(
    campaign, staff, users, client_for, django_capture_on_commit_callbacks
):
    invite(campaign, users[Role.ANIMATEUR_REGIONAL], django_capture_on_commit_callbacks)
    for path in links_by_recipient().values():
        client_for(None).post(path + "4/", ANSWER)
    assert Response.objects.filter(campaign=campaign).count() == 3
    campaign.status = CampaignStatus.CLOSED
    campaign.save(update_fields=["status"])
    aggregate_campaign(campaign)

    # An answer holds no reference to a person nor to a code.
    assert {field.name for field in Response._meta.get_fields()} == {
        "id",
        "campaign",
        "point",
        "version",
        "submitted_on",
        "answers",
    }
    nodes = list(ResultNode.objects.filter(campaign=campaign))
    stored = json.dumps([[node.label, node.figures] for node in nodes], ensure_ascii=False)
    for user in staff:
        for trace in (user.email, user.first_name, user.last_name):
            assert trace not in stored
    # Three answers: fewer than the threshold, every group is hidden.
    assert nodes and all(node.suppressed and node.figures == {} for node in nodes)
    export = client_for(users[Role.ADMINISTRATEUR]).get(f"/enquetes/campagnes/{campaign.pk}/resultats/export.csv")
    body = export.content.decode("utf-8-sig")
    assert not any(user.email in body or user.last_name in body for user in staff)


def test_the_professionals_questionnaire_ships_as_data(campaign):
    questionnaire = campaign.questionnaire
    assert questionnaire.audience == Audience.PROFESSIONNELS
    assert [section.title for section in questionnaire.sections.all()] == [
        "Votre fonction",
        "Vos pratiques",
        "Vos outils et votre formation",
        "Votre avis",
    ]
    load_professionals(apps, None)  # a second run leaves it as it is
    assert questionnaire.sections.count() == 4
