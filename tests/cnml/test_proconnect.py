"""Sign-in through ProConnect: settings, the button, who may sign in, failures, sign-out.

The whole journey against a real OpenID Connect provider is in tests/browser/test_proconnect.py;
these check each rule on its own, without a browser.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from urllib.parse import parse_qs, urlsplit

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, SESSION_KEY, authenticate
from django.contrib.messages import get_messages
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory

from cnml import proconnect
from cnml.links import absolute_url
from cnml.models import User
from cnml.proconnect_config import SCOPES, oidc_settings, proconnect_settings
from tests.cnml.test_settings import PROD_HOST, check_deploy, random_secret_key, start_settings
from tests.factories import DEMO_PASSWORD

pytestmark = pytest.mark.django_db

LOGIN_URL = "/compte/connexion/"
LOGOUT_URL = "/compte/deconnexion/"
PROCONNECT_LOGIN = "/compte/proconnect/connexion/"
CALLBACK = "/compte/proconnect/retour/"
LOGGED_OUT = "/compte/proconnect/deconnecte/"
BACKEND = "cnml.proconnect.ProConnectBackend"


def closed_port() -> int:
    """A local port nobody listens on: a provider that is down."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def enabled(settings):
    """ProConnect configured, at an address where no provider answers."""
    configured = oidc_settings(issuer=f"http://127.0.0.1:{closed_port()}/api/v2", client_id="cnml", client_secret="s")
    for name, value in configured.items():
        setattr(settings, name, value)
    return configured


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


# Settings


def test_proconnect_is_off_when_no_variable_is_set():
    assert proconnect_settings({})["PROCONNECT_ENABLED"] is False
    assert proconnect_settings({"PROCONNECT_DOMAIN": " ", "PROCONNECT_CLIENT_ID": ""})["PROCONNECT_ENABLED"] is False


def test_proconnect_endpoints_follow_the_domain():
    configured = proconnect_settings(
        {"PROCONNECT_DOMAIN": "Auth.ProConnect.gouv.fr", "PROCONNECT_CLIENT_ID": "id", "PROCONNECT_CLIENT_SECRET": "s"}
    )
    assert configured["PROCONNECT_ENABLED"] is True
    assert configured["OIDC_OP_AUTHORIZATION_ENDPOINT"] == "https://auth.proconnect.gouv.fr/api/v2/authorize"
    assert configured["OIDC_OP_LOGOUT_ENDPOINT"] == "https://auth.proconnect.gouv.fr/api/v2/session/end"
    assert configured["PROCONNECT_ORIGIN"] == "https://auth.proconnect.gouv.fr"
    assert (configured["OIDC_RP_CLIENT_ID"], configured["OIDC_RP_CLIENT_SECRET"]) == ("id", "s")


def test_a_partly_set_proconnect_stops_the_start_naming_what_is_missing():
    with pytest.raises(ImproperlyConfigured, match="PROCONNECT_CLIENT_ID, PROCONNECT_CLIENT_SECRET"):
        proconnect_settings({"PROCONNECT_DOMAIN": "auth.proconnect.gouv.fr"})


@pytest.mark.parametrize("domain", ["https://auth.proconnect.gouv.fr", "auth.proconnect.gouv.fr/api/v2", "localhost"])
def test_a_proconnect_domain_with_a_scheme_or_a_path_stops_the_start(domain):
    with pytest.raises(ImproperlyConfigured, match="PROCONNECT_DOMAIN invalide"):
        proconnect_settings(
            {"PROCONNECT_DOMAIN": domain, "PROCONNECT_CLIENT_ID": "id", "PROCONNECT_CLIENT_SECRET": "s"}
        )


def test_without_proconnect_nobody_is_created_and_forms_post_to_this_site_only(settings):
    assert settings.OIDC_RP_SCOPES == SCOPES == "openid email given_name usual_name siret uid"
    assert settings.OIDC_CREATE_USER is False
    assert settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]["form-action"] == ["'self'"]


# The button


def test_without_proconnect_the_login_page_has_no_button_and_its_pages_answer_404(client, network):
    page = client.get(LOGIN_URL).content.decode()
    assert "ProConnect" not in page
    assert client.get(PROCONNECT_LOGIN).status_code == 404
    assert client.get(CALLBACK, {"code": "c", "state": "s"}).status_code == 404


def test_with_proconnect_the_login_page_shows_the_dsfr_button_keeping_the_next_page(client, network, enabled):
    page = client.get(LOGIN_URL, {"next": "/enquetes/"}).content.decode()
    assert 'class="fr-connect"' in page
    assert f'href="{PROCONNECT_LOGIN}?next=/enquetes/"' in page
    assert "S’identifier avec" in page
    assert "Qu’est-ce que ProConnect ?" in page
    assert 'href="https://www.proconnect.gouv.fr/"' in page
    # The e-mail and password form stays beside it.
    assert 'name="password"' in page


def test_the_button_sends_to_proconnect_with_its_scopes_a_state_and_a_nonce(client, network, enabled):
    response = client.get(PROCONNECT_LOGIN)
    assert response.status_code == 302
    address = urlsplit(response["Location"])
    query = parse_qs(address.query)
    assert response["Location"].startswith(enabled["OIDC_OP_AUTHORIZATION_ENDPOINT"] + "?")
    assert query["scope"] == [SCOPES]
    # On SITE_URL, never on the request's Host (here « testserver »).
    assert query["redirect_uri"] == [absolute_url("proconnect_callback")]
    assert query["redirect_uri"][0].startswith(settings.SITE_URL)
    # ProConnect asks for at least 32 characters, and refuses any parameter it does not know.
    assert len(query["state"][0]) >= 32 and len(query["nonce"][0]) >= 32
    assert set(query) == {"response_type", "scope", "client_id", "redirect_uri", "state", "nonce"}


# Who may sign in


@pytest.fixture
def backend(rf: RequestFactory):
    backend = proconnect.ProConnectBackend()
    backend.request = rf.get(CALLBACK)
    return backend


def test_an_active_account_is_found_by_its_email_whatever_the_case(backend, conseiller):
    user, refusal = backend.matching_user({"email": conseiller.email.upper(), "email_verified": True})
    assert (user, refusal) == (conseiller, None)


def test_proconnect_without_email_verified_is_trusted_as_documented(backend, conseiller):
    # ProConnect's documented claims have no email_verified: its identity providers vouch for the address.
    assert backend.matching_user({"email": conseiller.email}) == (conseiller, None)


@pytest.mark.parametrize("verified", [False, "false", None])
def test_an_email_the_provider_says_unverified_is_refused(backend, conseiller, verified):
    assert backend.matching_user({"email": conseiller.email, "email_verified": verified}) == (None, "unverified")


def test_an_unknown_email_is_refused_and_no_account_is_created(backend, network):
    accounts = User.objects.count()
    assert backend.matching_user({"email": "nouvelle@exemple.fr", "email_verified": True}) == (None, "no_account")
    assert User.objects.count() == accounts


def test_an_inactive_account_is_refused(backend, conseiller):
    conseiller.is_active = False
    conseiller.save()
    assert backend.matching_user({"email": conseiller.email, "email_verified": True}) == (None, "inactive")


def test_a_missing_email_is_refused(backend, network):
    assert backend.matching_user({"sub": "x"}) == (None, "no_email")


def test_an_account_deactivated_after_signing_in_through_proconnect_is_signed_out(client, conseiller, enabled):
    client.force_login(conseiller, backend=BACKEND)
    assert client.get("/enquetes/").status_code == 200
    conseiller.is_active = False
    conseiller.save()
    assert client.get("/enquetes/").status_code == 302


def test_a_password_log_in_never_calls_proconnect_even_with_a_code_in_its_address(client, conseiller, enabled):
    # ProConnect's backend comes after the password's: a wrong password reaches it, and must not
    # send the code to the provider (down here: that would be an error page).
    wrong = client.post(f"{LOGIN_URL}?code=abc&state=def", {"username": conseiller.email, "password": "mauvais"})
    assert wrong.status_code == 200
    assert "Adresse e-mail ou mot de passe incorrect." in wrong.content.decode()

    right = client.post(f"{LOGIN_URL}?code=abc&state=def", {"username": conseiller.email, "password": DEMO_PASSWORD})
    assert right.status_code == 302
    assert client.session[BACKEND_SESSION_KEY] == "django.contrib.auth.backends.ModelBackend"


# Failures


def test_a_provider_that_does_not_answer_brings_back_to_login_with_a_french_message(client, network, enabled):
    state = parse_qs(urlsplit(client.get(PROCONNECT_LOGIN)["Location"]).query)["state"][0]

    response = client.get(CALLBACK, {"code": "un-code", "state": state})

    assert response.status_code == 302 and response["Location"] == LOGIN_URL
    assert messages_of(response) == [proconnect.UNAVAILABLE]
    assert SESSION_KEY not in client.session


def test_a_sign_in_cancelled_at_proconnect_brings_back_to_login(client, network, enabled):
    response = client.get(CALLBACK, {"error": "access_denied", "state": "s"})
    assert response["Location"] == LOGIN_URL
    assert messages_of(response) == [proconnect.FAILED]


def test_a_state_this_browser_never_sent_is_refused_without_an_error_page(client, network, enabled):
    client.get(PROCONNECT_LOGIN)
    response = client.get(CALLBACK, {"code": "un-code", "state": "un-autre-etat"})
    assert response["Location"] == LOGIN_URL
    assert messages_of(response) == [proconnect.FAILED]


# Sign-out


def test_a_password_user_signs_out_without_going_through_proconnect(client, conseiller, enabled):
    client.force_login(conseiller)
    response = client.post(LOGOUT_URL)
    assert response["Location"] == "/"


def test_a_proconnect_user_signs_out_of_proconnect_too(client, conseiller, enabled):
    client.force_login(conseiller, backend=BACKEND)
    session = client.session
    session["oidc_id_token"] = "le.jeton.id"
    session.save()

    response = client.post(LOGOUT_URL)

    assert SESSION_KEY not in client.session
    address = urlsplit(response["Location"])
    assert response["Location"].startswith(enabled["OIDC_OP_LOGOUT_ENDPOINT"] + "?")
    query = parse_qs(address.query)
    assert query["id_token_hint"] == ["le.jeton.id"]
    assert query["post_logout_redirect_uri"] == [absolute_url("proconnect_logged_out")]
    assert query["state"] == [client.session[proconnect.LOGOUT_STATE]]

    back = client.get(LOGGED_OUT, {"state": query["state"][0]})
    assert back["Location"] == "/"
    assert messages_of(back) == [proconnect.LOGGED_OUT]
    assert proconnect.LOGOUT_STATE not in client.session


def test_a_return_from_a_sign_out_this_browser_did_not_ask_says_nothing(client, network):
    response = client.get(LOGGED_OUT, {"state": "quelconque"})
    assert response["Location"] == "/"
    assert messages_of(response) == []


# django-axes


def test_refused_proconnect_sign_ins_count_against_the_address_and_never_lock_a_password(
    client, conseiller, rf, enabled
):
    def proconnect_attempt():
        # What the callback does once the provider answered and no account matched: the backend says no.
        request = rf.get(CALLBACK, REMOTE_ADDR="127.0.0.1")
        request.session = client.session
        assert authenticate(request=request, nonce="n", code_verifier=None) is None
        return request

    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        proconnect_attempt()

    assert AccessAttempt.objects.get(username=None, ip_address="127.0.0.1").failures_since_start == 5
    assert getattr(proconnect_attempt(), "axes_locked_out", False) is True
    # The password log-in of an account from the same address is not locked.
    response = client.post(LOGIN_URL, {"username": conseiller.email, "password": DEMO_PASSWORD})
    assert response.status_code == 302


# In a process of its own, as a server starts


PROCONNECT_VARIABLES = {
    "PROCONNECT_DOMAIN": "auth.proconnect.gouv.fr",
    "PROCONNECT_CLIENT_ID": "identifiant",
    "PROCONNECT_CLIENT_SECRET": "secret",
}


def test_production_with_proconnect_passes_check_deploy_and_lets_the_sign_out_reach_it():
    result = check_deploy(
        DEBUG="false", SECRET_KEY=random_secret_key(), ALLOWED_HOSTS=PROD_HOST, **PROCONNECT_VARIABLES
    )
    assert result.returncode == 0, result.stdout + result.stderr

    code = "from django.conf import settings as s; print(s.CONTENT_SECURITY_POLICY['DIRECTIVES']['form-action'])"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "cnml.settings", "DEBUG": "true", **PROCONNECT_VARIABLES}
    read = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert read.stdout.strip() == "[\"'self'\", 'https://auth.proconnect.gouv.fr']", read.stderr


def test_a_server_with_half_of_proconnect_does_not_start():
    result = start_settings(
        DEBUG="false",
        SECRET_KEY=random_secret_key(),
        ALLOWED_HOSTS=PROD_HOST,
        PROCONNECT_DOMAIN="auth.proconnect.gouv.fr",
    )
    assert result.returncode != 0
    assert "Connexion ProConnect à moitié configurée" in result.stderr
