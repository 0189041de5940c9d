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
from tests.factories import DEMO_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

LOGIN_URL = "/compte/connexion/"
LOGOUT_URL = "/compte/deconnexion/"
RESET_URL = "/compte/mot-de-passe/oublie/"
CHANGE_URL = "/compte/mot-de-passe/modifier/"
NEW_PASSWORD = "Un-nouveau-mot-de-passe-2011"
WRONG_LOGIN = "Adresse e-mail ou mot de passe incorrect."


@pytest.fixture
def conseiller(users):
    return users[Role.CONSEILLER]


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


def reset_link() -> str:
    assert len(mail.outbox) == 1
    match = re.search(r"https?://[^/\s]+(/compte/mot-de-passe/reinitialiser/[^\s]+/)", mail.outbox[0].body)
    assert match, mail.outbox[0].body
    return match.group(1)


def test_password_reset_sends_one_french_email_with_a_working_link(client, conseiller):
    response = client.post(RESET_URL, {"email": conseiller.email.upper()})

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


def test_password_reset_link_works_only_once(client, conseiller):
    client.post(RESET_URL, {"email": conseiller.email})
    link = reset_link()
    response = client.get(link, follow=True)
    client.post(response.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})

    response = Client().get(link, follow=True)

    content = response.content.decode()
    assert "Ce lien de réinitialisation n'est plus valable" in content
    assert 'name="new_password1"' not in content


def test_password_reset_refuses_a_weak_password_in_french(client, conseiller):
    client.post(RESET_URL, {"email": conseiller.email})
    response = client.get(reset_link(), follow=True)

    response = client.post(response.redirect_chain[-1][0], {"new_password1": "court", "new_password2": "court"})

    assert response.status_code == 200
    assert "trop court" in response.content.decode()
    conseiller.refresh_from_db()
    assert conseiller.check_password(DEMO_PASSWORD)


def test_password_reset_for_an_unknown_email_sends_nothing_and_says_the_same(client, network):
    response = client.post(RESET_URL, {"email": "personne@exemple.fr"})

    assert response.status_code == 302
    assert response["Location"] == "/compte/mot-de-passe/oublie/envoye/"
    assert mail.outbox == []


def test_password_reset_for_an_inactive_account_sends_nothing(client, conseiller):
    conseiller.is_active = False
    conseiller.save()

    client.post(RESET_URL, {"email": conseiller.email})

    assert mail.outbox == []


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
