"""Accounts: log-in (with django-axes throttling), log-out, password reset and change."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.test import Client

from cnml.models import Role
from tests.clock import frozen
from tests.factories import DEMO_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

LOGIN_URL = "/compte/connexion/"
LOGOUT_URL = "/compte/deconnexion/"
RESET_URL = "/compte/mot-de-passe/oublie/"
CHANGE_URL = "/compte/mot-de-passe/modifier/"
NEW_PASSWORD = "Un-nouveau-mot-de-passe-2011"
WRONG_LOGIN = "Adresse e-mail ou mot de passe incorrect."


def login(client, email: str, password: str, **extra):
    return client.post(LOGIN_URL, {"username": email, "password": password, **extra})


def logged_in_user_id(client) -> str | None:
    return client.session.get(SESSION_KEY)


def test_login_with_good_credentials_redirects_home(client, conseiller):
    response = login(client, conseiller.email, DEMO_PASSWORD)

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert logged_in_user_id(client) == str(conseiller.pk)
    home = client.get("/").content.decode()
    assert f"Bonjour {conseiller.first_name}" in home


def test_login_follows_a_safe_next_url(client, conseiller):
    response = login(client, conseiller.email, DEMO_PASSWORD, next="/enquetes/")

    assert response.status_code == 302
    assert response["Location"] == "/enquetes/"


def test_login_ignores_a_next_url_to_another_site(client, conseiller):
    response = login(client, conseiller.email, DEMO_PASSWORD, next="https://malveillant.example.org/")

    assert response.status_code == 302
    assert response["Location"] == "/"


def test_login_with_wrong_password_shows_the_french_error(client, conseiller):
    response = login(client, conseiller.email, "mauvais-mot-de-passe")

    assert response.status_code == 200
    content = response.content.decode()
    assert WRONG_LOGIN in content
    assert "<h1>Connexion</h1>" in content
    assert logged_in_user_id(client) is None


def test_login_with_unknown_email_shows_the_same_error(client, network):
    response = login(client, "personne@exemple.fr", DEMO_PASSWORD)

    assert response.status_code == 200
    assert WRONG_LOGIN in response.content.decode()


def test_inactive_user_cannot_log_in(client, conseiller):
    conseiller.is_active = False
    conseiller.save()

    response = login(client, conseiller.email, DEMO_PASSWORD)

    assert response.status_code == 200
    assert logged_in_user_id(client) is None


def test_empty_login_form_lists_required_fields_in_french(client, network):
    response = client.post(LOGIN_URL, {"username": "", "password": ""})

    assert response.status_code == 200
    assert "Ce champ est obligatoire." in response.content.decode()


def test_account_is_locked_after_too_many_failures_even_with_the_right_password(client, conseiller):
    limit = settings.AXES_FAILURE_LIMIT
    assert limit == 5
    for _attempt in range(limit - 1):
        response = login(client, conseiller.email, "mauvais-mot-de-passe")
        assert response.status_code == 200
        assert WRONG_LOGIN in response.content.decode()

    # The failure that reaches the limit locks the account (django-axes 8: 429 + our template).
    response = login(client, conseiller.email, "mauvais-mot-de-passe")
    assert response.status_code == 429
    assert "Connexion temporairement bloquée" in response.content.decode()

    response = login(client, conseiller.email, DEMO_PASSWORD)
    assert response.status_code == 429
    content = response.content.decode()
    assert "Connexion temporairement bloquée" in content
    assert 'lang="fr"' in content
    assert f'href="{RESET_URL}"' in content
    assert logged_in_user_id(client) is None
    assert AccessAttempt.objects.filter(username=conseiller.email).exists()


def test_lockout_page_states_the_configured_cool_off(client, conseiller, settings):
    settings.AXES_COOLOFF_TIME = timedelta(minutes=15)
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        response = login(client, conseiller.email, "mauvais-mot-de-passe")

    assert response.status_code == 429
    assert "bloquée pendant 15 minutes" in response.content.decode()


def test_lockout_counts_every_spelling_of_the_email_as_one_account(client, conseiller):
    spellings = [conseiller.email.upper(), conseiller.email.title(), f"  {conseiller.email}", conseiller.email]
    for email in spellings:
        assert login(client, email, "mauvais-mot-de-passe").status_code == 200

    response = login(client, conseiller.email.upper(), "mauvais-mot-de-passe")

    assert response.status_code == 429
    assert login(client, conseiller.email, DEMO_PASSWORD).status_code == 429
    assert list(AccessAttempt.objects.values_list("username", flat=True)) == [conseiller.email]


def test_lockout_is_per_address_too(client, conseiller):
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        login(client, conseiller.email, "mauvais-mot-de-passe")

    response = login(Client(REMOTE_ADDR="10.0.0.8"), conseiller.email, DEMO_PASSWORD)

    assert response.status_code == 302


def test_lockout_is_per_account(client, conseiller, users):
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        login(client, conseiller.email, "mauvais-mot-de-passe")

    directeur = users[Role.DIRECTEUR]
    response = login(client, directeur.email, DEMO_PASSWORD)

    assert response.status_code == 302
    assert logged_in_user_id(client) == str(directeur.pk)


PROXY = "10.0.0.1"


def through_proxy(client_address: str) -> Client:
    """A browser at ``client_address`` reaching the service through the reverse proxy."""
    return Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=client_address)


def test_two_clients_behind_the_trusted_proxy_do_not_lock_each_other_out(conseiller, settings):
    settings.TRUSTED_PROXIES = [PROXY]
    attacker = through_proxy("203.0.113.5")
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        response = login(attacker, conseiller.email, "mauvais-mot-de-passe")
    assert response.status_code == 429

    colleague = through_proxy("198.51.100.7")
    response = login(colleague, conseiller.email, DEMO_PASSWORD)

    assert response.status_code == 302
    assert logged_in_user_id(colleague) == str(conseiller.pk)
    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == ["203.0.113.5"]


def test_a_client_behind_the_proxy_cannot_escape_the_lockout_by_forging_x_forwarded_for(conseiller, settings):
    settings.TRUSTED_PROXIES = [PROXY]
    client = Client(REMOTE_ADDR=PROXY)
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        # The client writes a new address each time; the proxy appends its real one.
        forged = f"192.0.2.{attempt + 1}, 203.0.113.5"
        client.post(LOGIN_URL, {"username": conseiller.email, "password": "faux"}, HTTP_X_FORWARDED_FOR=forged)

    response = client.post(
        LOGIN_URL,
        {"username": conseiller.email, "password": DEMO_PASSWORD},
        HTTP_X_FORWARDED_FOR="192.0.2.200, 203.0.113.5",
    )

    assert response.status_code == 429
    assert logged_in_user_id(client) is None


@pytest.mark.parametrize("trusted_proxies", [[], [PROXY]], ids=["sans proxy de confiance", "hors du proxy"])
def test_a_client_forging_x_forwarded_for_without_the_trusted_proxy_gains_nothing(
    conseiller, settings, trusted_proxies
):
    settings.TRUSTED_PROXIES = trusted_proxies
    client = Client(REMOTE_ADDR="203.0.113.5")
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        client.post(
            LOGIN_URL, {"username": conseiller.email, "password": "faux"}, HTTP_X_FORWARDED_FOR=f"192.0.2.{attempt}"
        )

    response = client.post(
        LOGIN_URL, {"username": conseiller.email, "password": DEMO_PASSWORD}, HTTP_X_FORWARDED_FOR="192.0.2.200"
    )

    assert response.status_code == 429
    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == ["203.0.113.5"]


def test_successful_login_resets_the_failure_count(client, conseiller):
    for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        login(client, conseiller.email, "mauvais-mot-de-passe")
    assert login(client, conseiller.email, DEMO_PASSWORD).status_code == 302
    client.post(LOGOUT_URL)

    # A full series of failures is needed again before locking.
    for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        assert login(client, conseiller.email, "mauvais-mot-de-passe").status_code == 200
    assert login(client, conseiller.email, DEMO_PASSWORD).status_code == 302


def test_logout_is_a_post(client, conseiller):
    client.force_login(conseiller)

    assert client.get(LOGOUT_URL).status_code == 405
    assert logged_in_user_id(client) == str(conseiller.pk)

    response = client.post(LOGOUT_URL)

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert logged_in_user_id(client) is None
    assert client.get("/enquetes/").status_code == 302


def test_every_page_offers_logout_as_a_form(client, conseiller):
    client.force_login(conseiller)

    content = client.get("/").content.decode()

    assert re.search(
        rf'<form method="post" action="{LOGOUT_URL}"[^>]*>\s*<input type="hidden" name="csrfmiddlewaretoken"', content
    )


@pytest.fixture
def ask_reset(django_capture_on_commit_callbacks):
    """``ask_reset(client, email)``: posts the reset form; the e-mail owed leaves once it commits."""

    def ask(client, email: str):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(RESET_URL, {"email": email})

    return ask


def reset_link() -> str:
    assert len(mail.outbox) == 1
    match = re.search(r"https?://[^/\s]+(/compte/mot-de-passe/reinitialiser/[^\s]+/)", mail.outbox[0].body)
    assert match, mail.outbox[0].body
    return match.group(1)


def test_password_reset_sends_one_french_email_with_a_working_link(client, conseiller, ask_reset):
    response = ask_reset(client, conseiller.email.upper())

    assert response.status_code == 302
    assert response["Location"] == "/compte/mot-de-passe/oublie/envoye/"
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [conseiller.email]
    assert message.from_email == settings.DEFAULT_FROM_EMAIL
    assert message.subject == "Réinitialisation de votre mot de passe — Back-office CNML"
    assert message.body.startswith("Bonjour,")
    assert "Pour choisir un nouveau mot de passe, ouvrez ce lien dans les 24 heures" in message.body

    done = client.get(response["Location"])
    assert "<h1>Courriel envoyé</h1>" in done.content.decode()

    # The link leads to the form (Django moves the token into the session first).
    response = client.get(reset_link(), follow=True)
    assert response.status_code == 200
    content = response.content.decode()
    assert "<h1>Nouveau mot de passe</h1>" in content
    assert 'name="new_password1"' in content

    set_password_url = response.redirect_chain[-1][0]
    response = client.post(set_password_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/compte/mot-de-passe/reinitialise/"

    conseiller.refresh_from_db()
    assert conseiller.check_password(NEW_PASSWORD)
    assert not conseiller.check_password(DEMO_PASSWORD)
    assert login(client, conseiller.email, NEW_PASSWORD).status_code == 302


def test_password_reset_email_shows_the_address_as_typed_not_html_escaped(client, conseiller, ask_reset):
    # A plain-text e-mail: "o'brien" must not arrive as "o&#x27;brien".
    conseiller.email = "o'brien@exemple.fr"
    conseiller.save()

    ask_reset(client, conseiller.email)

    assert len(mail.outbox) == 1
    assert "(o'brien@exemple.fr)" in mail.outbox[0].body
    assert "&#x27;" not in mail.outbox[0].body


def test_password_reset_link_works_only_once(client, conseiller, ask_reset):
    ask_reset(client, conseiller.email)
    link = reset_link()
    response = client.get(link, follow=True)
    client.post(response.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})

    response = Client().get(link, follow=True)

    content = response.content.decode()
    assert "Ce lien de réinitialisation n'est plus valable" in content
    assert 'name="new_password1"' not in content


def test_password_reset_refuses_a_weak_password_in_french(client, conseiller, ask_reset):
    ask_reset(client, conseiller.email)
    response = client.get(reset_link(), follow=True)

    response = client.post(response.redirect_chain[-1][0], {"new_password1": "court", "new_password2": "court"})

    assert response.status_code == 200
    assert "trop court" in response.content.decode()
    conseiller.refresh_from_db()
    assert conseiller.check_password(DEMO_PASSWORD)


def test_password_reset_for_an_unknown_email_sends_nothing_and_says_the_same(client, network, ask_reset):
    response = ask_reset(client, "personne@exemple.fr")

    assert response.status_code == 302
    assert response["Location"] == "/compte/mot-de-passe/oublie/envoye/"
    assert mail.outbox == []


def test_password_reset_for_an_inactive_account_sends_nothing(client, conseiller, ask_reset):
    conseiller.is_active = False
    conseiller.save()

    ask_reset(client, conseiller.email)

    assert mail.outbox == []


@pytest.fixture
def reset_limits(settings):
    settings.PASSWORD_RESET_EMAILS_PER_ACCOUNT = 3
    settings.PASSWORD_RESET_REQUESTS_PER_ADDRESS = 5
    settings.PASSWORD_RESET_THROTTLE_WINDOW = timedelta(hours=1)
    return settings


def test_twenty_reset_requests_for_one_account_send_at_most_its_limit(conseiller, reset_limits, ask_reset):
    for attempt in range(20):
        # From as many addresses: only the account's own limit applies.
        response = ask_reset(Client(REMOTE_ADDR=f"198.51.100.{attempt + 1}"), conseiller.email)
        # Beyond the limit the page says the same: nothing tells whether the account exists.
        assert response.status_code == 302
        assert response["Location"] == "/compte/mot-de-passe/oublie/envoye/"

    assert len(mail.outbox) == 3
    assert {message.to[0] for message in mail.outbox} == {conseiller.email}


def test_twenty_reset_requests_from_one_address_send_at_most_its_limit(network, reset_limits, ask_reset):
    accounts = [UserFactory(structure=network.ml_a1) for _ in range(20)]
    client = Client(REMOTE_ADDR="203.0.113.5")

    for account in accounts:
        response = ask_reset(client, account.email)
        assert response.status_code == 302
        assert response["Location"] == "/compte/mot-de-passe/oublie/envoye/"

    assert len(mail.outbox) == 5
    # Another address is not affected.
    ask_reset(Client(REMOTE_ADDR="198.51.100.7"), accounts[-1].email)
    assert len(mail.outbox) == 6


def test_requests_for_unknown_emails_count_against_the_address(conseiller, reset_limits, ask_reset):
    client = Client(REMOTE_ADDR="203.0.113.5")
    for attempt in range(5):
        ask_reset(client, f"inconnu{attempt}@exemple.fr")

    response = ask_reset(client, conseiller.email)

    assert response["Location"] == "/compte/mot-de-passe/oublie/envoye/"
    assert mail.outbox == []


def test_the_reset_throttle_counts_each_client_behind_the_trusted_proxy(network, reset_limits, ask_reset):
    reset_limits.TRUSTED_PROXIES = [PROXY]
    accounts = [UserFactory(structure=network.ml_a1) for _ in range(6)]
    for account in accounts[:5]:
        ask_reset(through_proxy("203.0.113.5"), account.email)

    ask_reset(through_proxy("198.51.100.7"), accounts[5].email)

    assert len(mail.outbox) == 6


def test_a_throttled_reset_request_is_logged(conseiller, reset_limits, caplog, ask_reset):
    for _attempt in range(4):
        ask_reset(Client(REMOTE_ADDR="198.51.100.1"), conseiller.email)

    throttled = [record for record in caplog.records if record.name == "cnml.password_reset"]
    assert len(throttled) == 1
    assert throttled[0].levelname == "WARNING"
    assert f"account {conseiller.pk}" in throttled[0].getMessage()


def test_the_reset_throttle_holds_when_the_cache_is_down(conseiller, reset_limits, ask_reset):
    # A cache that fails open answers every read with a miss, like this one.
    reset_limits.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}

    for attempt in range(10):
        ask_reset(Client(REMOTE_ADDR=f"198.51.100.{attempt + 1}"), conseiller.email)

    assert len(mail.outbox) == 3


@frozen
def test_the_account_may_ask_again_once_the_window_has_passed(conseiller, reset_limits, ask_reset):
    from django.db.models import F

    from cnml.models import PasswordResetRequest

    for attempt in range(4):
        ask_reset(Client(REMOTE_ADDR=f"198.51.100.{attempt + 1}"), conseiller.email)
    assert len(mail.outbox) == 3
    PasswordResetRequest.objects.update(requested_at=F("requested_at") - timedelta(minutes=61))

    ask_reset(Client(REMOTE_ADDR="198.51.100.50"), conseiller.email)

    assert len(mail.outbox) == 4


def test_the_reset_email_goes_through_the_notification_service(client, conseiller, monkeypatch):
    sent = []
    monkeypatch.setattr("cnml.emails.notify", lambda **kwargs: sent.append(kwargs))

    client.post(RESET_URL, {"email": conseiller.email})

    assert mail.outbox == []
    assert len(sent) == 1
    assert list(sent[0]["recipients"]) == [conseiller.email]
    assert sent[0]["subject"] == "Réinitialisation de votre mot de passe — Back-office CNML"
    assert sent[0]["template"] == "registration/password_reset_email.txt"


def page_after_reset(email: str) -> str:
    client = Client()
    client.post(RESET_URL, {"email": email})
    page = client.get("/compte/mot-de-passe/oublie/envoye/").content.decode()
    return re.sub(r'nonce="[^"]*"', "", page)


@pytest.mark.django_db(transaction=True)
def test_while_redis_is_down_the_reset_page_still_does_not_tell_whether_the_account_exists(network, redis_down):
    # Transactional: the e-mail is handed over when the request commits, as in production.
    UserFactory(email="connu@test.cnml.fr", structure=network.ml_a1)

    assert page_after_reset("connu@test.cnml.fr") == page_after_reset("personne@exemple.fr")


def test_password_change_works_and_keeps_the_session(client, conseiller):
    client.force_login(conseiller)

    response = client.post(
        CHANGE_URL,
        {"old_password": DEMO_PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assert response.status_code == 302
    assert response["Location"] == "/compte/mot-de-passe/modifie/"
    conseiller.refresh_from_db()
    assert conseiller.check_password(NEW_PASSWORD)
    done = client.get(response["Location"])
    assert done.status_code == 200
    assert "<h1>Mot de passe changé</h1>" in done.content.decode()


def test_password_change_refuses_a_wrong_old_password_in_french(client, conseiller):
    client.force_login(conseiller)

    response = client.post(
        CHANGE_URL,
        {"old_password": "pas-le-bon", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assert response.status_code == 200
    assert "Votre ancien mot de passe est incorrect." in response.content.decode()
    conseiller.refresh_from_db()
    assert conseiller.check_password(DEMO_PASSWORD)


def test_password_change_needs_a_signed_in_user(client, network):
    response = client.post(
        CHANGE_URL,
        {"old_password": DEMO_PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN_URL)


def test_user_created_by_factory_can_log_in_with_the_demo_password(client, network):
    user = UserFactory(structure=network.ml_b1)

    assert login(client, user.email, DEMO_PASSWORD).status_code == 302
