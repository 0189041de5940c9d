"""The public questionnaire behind /e/<code>/: screens, errors, protections, closed and unknown links."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from surveys.models import AccessCode, CampaignStatus, Question, Response
from surveys.services import access_codes_generate
from tests.clock import frozen
from tests.pages import page_text
from tests.surveys.conftest import PHARES_POST

pytestmark = [pytest.mark.django_db, frozen]


@pytest.fixture
def campaign(make_campaign):
    return make_campaign()


@pytest.fixture
def point(campaign, network):
    return campaign.points.get(structure=network.antenne_a1)


def test_the_link_opens_on_an_introduction_then_one_section_per_screen_with_progress(client, point):
    intro = client.get(f"/e/{point.code}/")
    assert intro.status_code == 200
    assert "Commencer le questionnaire" in page_text(intro)
    first = page_text(client.get(f"/e/{point.code}/1/"))
    assert "Étape 1 sur 2" in first
    assert 'data-fr-current-step="1"' in first
    assert "Êtes-vous satisfait(e) de l'accueil" in first
    assert "Commentaire libre" not in first  # second screen


def test_the_typed_texts_read_with_the_spaces_french_puts_before_high_punctuation(client, point, campaign):
    # Questions, help, choices and titles are typed with plain spaces before « ? ! : ».
    connu = Question.objects.get(section__questionnaire=campaign.questionnaire, code="connu")
    connu.text, connu.help_text = "Comment ? Par qui ?", "Au choix : plusieurs"
    connu.save()
    choice = connu.choices.order_by("order").first()
    choice.label = "Ma famille !"
    choice.save()
    last = campaign.questionnaire.sections.order_by("order").last()
    last.title = "Pour finir : un mot"
    last.save()

    page = client.get(f"/e/{point.code}/1/?verifier=1").content.decode()

    assert page.count("Comment\u202f? Par qui\u202f?") == 2  # the question, and the list of answers to complete
    assert "Au choix\u00a0: plusieurs" in page
    assert "Ma famille\u202f!" in page
    assert "Pour finir\u00a0: un mot" in page  # the next step
    last_step = campaign.questionnaire.sections.count()
    heading = client.get(f"/e/{point.code}/{last_step}/").content.decode()
    assert "<title>Pour finir\u00a0: un mot — étape" in heading
    assert heading.count("Pour finir\u00a0: un mot") == 2  # the page's title and its heading
    assert "Pour finir : un mot" not in heading


def test_the_code_is_read_whatever_its_case(client, point):
    assert client.get(f"/e/{point.code.lower()}/").status_code == 200


def test_answers_travel_across_screens_in_the_session_and_are_stored_on_the_last(client, point, campaign):
    response = client.post(
        f"/e/{point.code}/1/",
        {
            "q-accueil": "tres_satisfait",
            "q-delai": "immediatement",
            "q-connu": ["amis", "internet"],
            "q-recommande": "nsp",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == f"/e/{point.code}/2/"
    response = client.post(f"/e/{point.code}/2/", {"q-commentaire": "Merci à l'accueil."})
    assert response["Location"] == f"/e/{point.code}/merci/"
    stored = Response.objects.get(campaign=campaign)
    assert stored.point == point
    assert stored.answers == {
        "accueil": "tres_satisfait",
        "delai": "immediatement",
        "connu": ["amis", "internet"],
        "recommande": "nsp",
        "commentaire": "Merci à l'accueil.",
    }
    assert stored.submitted_on == timezone.localdate()
    # Sent: the session no longer holds the answers.
    assert not any(key.startswith("surveys:") for key in client.session.keys())  # noqa: SIM118 (not a dict)


def test_validation_errors_keep_what_was_typed(client, point):
    response = client.post(f"/e/{point.code}/1/", {"q-accueil": "plutot_satisfait", "q-connu": ["famille"]})
    assert response.status_code == 200
    page = page_text(response)
    assert "2 réponses sont à compléter ou à corriger" in page
    assert page.count("Veuillez répondre à cette question.") >= 2
    assert 'value="plutot_satisfait" checked' in page
    assert 'value="famille" checked' in page


def test_going_back_keeps_the_answers_of_the_screen_left(client, point):
    client.post(f"/e/{point.code}/1/", PHARES_POST | {"ecrans": "1"})
    response = client.post(f"/e/{point.code}/2/", {"q-commentaire": "Pas fini", "action": "precedent"})
    assert response["Location"] == f"/e/{point.code}/1/"
    assert "Pas fini</textarea>" in page_text(client.get(f"/e/{point.code}/2/"))


def test_a_text_over_its_length_limit_is_refused_and_kept(client, point):
    client.post(f"/e/{point.code}/1/", PHARES_POST | {"ecrans": "1"})
    long_text = "x" * 1001
    response = client.post(f"/e/{point.code}/2/", {"q-commentaire": long_text})
    assert response.status_code == 200
    page = page_text(response)
    assert "dépasse 1\u202f000 caractères" in page
    assert long_text in page
    assert not Response.objects.exists()


def test_sending_with_an_earlier_screen_incomplete_goes_back_to_it(client, point):
    response = client.post(f"/e/{point.code}/2/", {"q-commentaire": ""})
    assert response.status_code == 302
    assert response["Location"] == f"/e/{point.code}/1/?verifier=1"
    page = page_text(client.get(response["Location"]))
    assert "Veuillez répondre à cette question." in page
    assert not Response.objects.exists()


def test_nothing_identifying_is_stored_with_an_answer(client, point):
    client.post(f"/e/{point.code}/2/", PHARES_POST, REMOTE_ADDR="203.0.113.7", HTTP_USER_AGENT="Test/1.0")
    stored = Response.objects.get()
    fields = {field.name for field in Response._meta.concrete_fields}
    assert fields == {"id", "campaign", "point", "version", "submitted_on", "answers"}
    assert "203.0.113.7" not in str(stored.answers)


def test_honeypot_filled_thanks_the_robot_and_stores_nothing(client, point):
    response = client.post(f"/e/{point.code}/2/", PHARES_POST | {"site_internet": "http://spam.example"})
    assert response.status_code == 302
    assert response["Location"] == f"/e/{point.code}/merci/"
    assert not Response.objects.exists()


def test_the_honeypot_field_is_hidden_from_people_and_assistive_technologies(client, point):
    page = page_text(client.get(f"/e/{point.code}/1/"))
    assert 'class="surveys-hp" aria-hidden="true"' in page
    assert 'tabindex="-1"' in page


def test_an_open_link_is_rate_limited_per_client(client, point, settings):
    settings.SURVEYS_RATE_LIMIT = (3, 3600)
    for _ in range(3):
        assert client.post(f"/e/{point.code}/2/", PHARES_POST, REMOTE_ADDR="198.51.100.1").status_code == 302
    blocked = client.post(f"/e/{point.code}/2/", PHARES_POST, REMOTE_ADDR="198.51.100.1")
    assert blocked.status_code == 429
    assert "Trop de réponses depuis cette connexion" in page_text(blocked)
    # Another client is not affected.
    assert client.post(f"/e/{point.code}/2/", PHARES_POST, REMOTE_ADDR="198.51.100.2").status_code == 302
    assert Response.objects.count() == 4


def test_the_rate_limit_counts_each_client_behind_the_trusted_proxy(client, point, settings):
    settings.SURVEYS_RATE_LIMIT = (3, 3600)
    settings.TRUSTED_PROXIES = ["10.0.0.1"]
    url = f"/e/{point.code}/2/"
    for attempt in range(3):
        # The client forges a new left-most address each time; the proxy appends the real one.
        forged = f"192.0.2.{attempt}, 203.0.113.5"
        assert client.post(url, PHARES_POST, REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=forged).status_code == 302
    blocked = client.post(url, PHARES_POST, REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="192.0.2.99, 203.0.113.5")
    assert blocked.status_code == 429
    # Another young person of the region, through the same proxy, is not affected.
    other = client.post(url, PHARES_POST, REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert other.status_code == 302
    assert Response.objects.count() == 4


@pytest.mark.parametrize("trusted_proxies", [[], ["10.0.0.1"]], ids=["sans proxy de confiance", "hors du proxy"])
def test_forging_x_forwarded_for_without_the_trusted_proxy_does_not_escape_the_rate_limit(
    client, point, settings, trusted_proxies
):
    settings.SURVEYS_RATE_LIMIT = (2, 3600)
    settings.TRUSTED_PROXIES = trusted_proxies
    url = f"/e/{point.code}/2/"
    statuses = [
        client.post(url, PHARES_POST, REMOTE_ADDR="203.0.113.5", HTTP_X_FORWARDED_FOR=f"192.0.2.{attempt}").status_code
        for attempt in range(3)
    ]
    assert statuses == [302, 302, 429]


def test_the_rate_limit_key_is_a_keyed_hash_never_the_address(rf, settings):
    from surveys.ratelimit import client_key

    request = rf.post("/", REMOTE_ADDR="198.51.100.1")
    key = client_key(request, 1)
    assert "198.51.100.1" not in key
    assert key != client_key(rf.post("/", REMOTE_ADDR="198.51.100.2"), 1)
    settings.SECRET_KEY = "another-secret-" + "x" * 50
    assert key != client_key(request, 1)


def test_a_single_use_code_answers_once(client, point):
    access = access_codes_generate(point=point, count=1)[0]
    assert client.post(f"/e/{access.code}/2/", PHARES_POST).status_code == 302
    access.refresh_from_db()
    assert access.used_at is not None
    again = client.get(f"/e/{access.code}/")
    assert again.status_code == 200
    assert "Ce code a déjà été utilisé" in page_text(again)
    replay = client.post(f"/e/{access.code}/2/", PHARES_POST)
    assert "Ce code a déjà été utilisé" in page_text(replay)
    assert Response.objects.count() == 1
    assert Response.objects.get().point == point


def test_single_use_codes_are_not_rate_limited(client, point, settings):
    settings.SURVEYS_RATE_LIMIT = (1, 3600)
    codes = access_codes_generate(point=point, count=3)
    for access in codes:
        assert client.post(f"/e/{access.code}/2/", PHARES_POST).status_code == 302
    assert Response.objects.count() == 3


def test_codes_only_campaign_asks_for_a_code_on_the_open_link(client, make_campaign, network):
    campaign = make_campaign(access_mode="codes")
    point = campaign.points.get(structure=network.antenne_a1)
    other_point = campaign.points.get(structure=network.antenne_a2)
    access = access_codes_generate(point=point, count=1)[0]
    page = client.get(f"/e/{point.code}/")
    assert "saisissez le code imprimé sur le ticket" in page_text(page)
    assert client.get(f"/e/{point.code}/1/")["Location"] == f"/e/{point.code}/"
    wrong = client.post(f"/e/{other_point.code}/", {"code": access.code})
    assert "n'est pas valable" in page_text(wrong)
    typed = client.post(f"/e/{point.code}/", {"code": f"{access.code[:5]}-{access.code[5:].lower()}"})
    assert typed["Location"] == f"/e/{access.code}/"


def test_a_closed_campaign_answers_with_a_clear_page(client, make_campaign, network):
    campaign = make_campaign(status=CampaignStatus.CLOSED)
    point = campaign.points.get(structure=network.antenne_a1)
    for url in (f"/e/{point.code}/", f"/e/{point.code}/1/"):
        response = client.get(url)
        assert response.status_code == 200
        assert "Cette enquête est terminée" in page_text(response)
    response = client.post(f"/e/{point.code}/2/", PHARES_POST)
    assert "Cette enquête est terminée" in page_text(response)
    assert not Response.objects.exists()


def test_a_campaign_past_its_closing_date_is_closed_for_answers_even_before_the_task_runs(
    client, make_campaign, network
):
    today = timezone.localdate()
    campaign = make_campaign(opens_on=today - timedelta(days=30), closes_on=today - timedelta(days=1))
    point = campaign.points.get(structure=network.antenne_a1)
    assert "Cette enquête est terminée" in page_text(client.get(f"/e/{point.code}/"))
    client.post(f"/e/{point.code}/2/", PHARES_POST)
    assert not Response.objects.exists()


def test_a_draft_or_future_campaign_says_it_is_not_open_yet(client, make_campaign, network):
    draft = make_campaign(status=CampaignStatus.DRAFT)
    point = draft.points.get(structure=network.antenne_a1)
    assert "pas encore ouverte" in page_text(client.get(f"/e/{point.code}/"))
    today = timezone.localdate()
    future = make_campaign(opens_on=today + timedelta(days=3), closes_on=today + timedelta(days=30), title="Future")
    point = future.points.get(structure=network.antenne_a1)
    response = client.get(f"/e/{point.code}/1/")
    assert response.status_code == 200
    assert "pas encore ouverte" in page_text(response)


@pytest.mark.parametrize("code", ["ZZZZZZ", "ABC", "ZZZZZZZZZZ", "%C3%A9t%C3%A9"])
def test_an_unknown_link_answers_with_a_clear_page(client, instruments, code):
    response = client.get(f"/e/{code}/")
    assert response.status_code == 404
    assert "Ce lien d'enquête n'existe pas" in page_text(response)


def test_an_unknown_step_goes_back_to_the_introduction(client, point):
    assert client.get(f"/e/{point.code}/9/")["Location"] == f"/e/{point.code}/"


def test_answers_survive_a_later_edit_of_the_questionnaire(client, point, campaign):
    from surveys.models import Question

    client.post(f"/e/{point.code}/2/", PHARES_POST)
    stored = Response.objects.get()
    question = Question.objects.get(section__questionnaire=campaign.questionnaire, code="accueil")
    question.text = "Que pensez-vous de l'accueil ?"  # wording stays editable
    question.save()
    texts = [q["text"] for s in stored.version.spec["sections"] for q in s["questions"] if q["code"] == "accueil"]
    assert texts == ["Êtes-vous satisfait(e) de l'accueil à la mission locale ?"]
    client.post(f"/e/{point.code}/2/", PHARES_POST)
    newer = Response.objects.order_by("-pk").first()
    assert newer.version_id != stored.version_id
    assert stored.answers["accueil"] == "plutot_satisfait"


def test_used_codes_are_not_linked_to_answers(point):
    assert {field.name for field in AccessCode._meta.concrete_fields} == {
        "id",
        "point",
        "code",
        "batch",
        "created_at",
        "used_at",
    }


@pytest.mark.django_db(transaction=True)
def test_an_answer_is_stored_even_when_the_cached_questionnaire_version_is_gone(client, point, campaign):
    from surveys import spec as spec_module
    from surveys.models import QuestionnaireVersion
    from surveys.spec import current_version

    version_id, spec = current_version(campaign.questionnaire)
    # As after a rolled-back transaction: the cache holds an id whose row does not exist.
    stale = QuestionnaireVersion.objects.order_by("-pk").values_list("pk", flat=True).first() + 1000
    spec_module._cache[(campaign.questionnaire.pk, campaign.questionnaire.revision)] = (stale, spec)
    response = client.post(f"/e/{point.code}/2/", PHARES_POST)
    assert response["Location"] == f"/e/{point.code}/merci/"
    stored = Response.objects.get(campaign=campaign)
    assert stored.version_id == version_id
    assert stored.answers["accueil"] == "plutot_satisfait"


def test_a_complete_one_screen_submission_stores_one_row_in_few_queries(client, point, campaign):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(f"/e/{point.code}/2/")  # compiles and caches the questionnaire
    with CaptureQueriesContext(connection) as queries:
        response = client.post(f"/e/{point.code}/2/", PHARES_POST)
    assert response["Location"] == f"/e/{point.code}/merci/"
    statements = [query["sql"].split()[0].upper() for query in queries.captured_queries]
    # The link (point, campaign, questionnaire) read once, the answer inserted; no session row.
    assert statements.count("SELECT") == 1
    assert statements.count("INSERT") == 1
    assert not any("django_session" in query["sql"] for query in queries.captured_queries)
    assert Response.objects.filter(campaign=campaign).count() == 1


def test_the_public_form_skips_to_its_content_and_footer_but_offers_no_menu_link(client, point):
    page = client.get(f"/e/{point.code}/").content.decode()
    skip_links = re.findall(
        r'class="fr-link" href="(#[^"]+)"', page.split('class="fr-skiplinks"')[1].split("</nav>")[0]
    )

    assert skip_links == ["#content", "#footer"]  # no main menu on the public form
    assert 'href="#navigation-principale"' in client.get("/mentions-legales/").content.decode()
