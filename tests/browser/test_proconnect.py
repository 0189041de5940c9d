"""Sign-in through ProConnect, end to end: the browser, the back-office and a real OpenID Connect provider.

The provider is npm's oidc-provider started locally (tests/oidc/provider.mjs), shaped like ProConnect:
endpoints under /api/v2, RS256-signed ID token and userinfo, ProConnect's scopes, end of session.
Nothing is mocked: the back-office exchanges the code, checks the signatures and reads the userinfo
over HTTP, as it does with ProConnect.
"""

from __future__ import annotations

import copy
import logging
import re
from collections.abc import Callable, Iterator
from contextlib import ExitStack

import pytest
from csp.constants import SELF
from django.conf import settings
from django.test import Client
from django.urls import reverse
from playwright.sync_api import Page, expect

from cnml import proconnect
from cnml.models import User
from cnml.proconnect_config import oidc_settings
from tests.browser.axe import assert_accessible
from tests.browser.helpers import LOGIN_URL, BrowserProblems, logout
from tests.factories import DEMO_PASSWORD
from tests.oidc.server import CLIENT_ID, CLIENT_SECRET, oidc_provider

DIRECTOR = "directeur@demo.cnml.fr"
PROVIDER_PASSWORD = "mot-de-passe-chez-le-fournisseur"


def identity(email: str, **claims) -> dict:
    """ProConnect's « identité pivot » for an e-mail."""
    return {
        "email": email,
        "email_verified": True,
        "given_name": "Dominique",
        "usual_name": "Martin",
        "siret": "13002526500013",
        "uid": f"uid-{email}",
        **claims,
    }


@pytest.fixture
def start_proconnect(live_server, settings) -> Iterator[Callable[[dict], str]]:
    """Start the provider with the given accounts and point the back-office at it; returns its issuer."""
    with ExitStack() as stack:

        def start(accounts: dict[str, dict]) -> str:
            issuer = stack.enter_context(
                oidc_provider(
                    redirect_uri=live_server.url + reverse("proconnect_callback"),
                    post_logout_redirect_uri=live_server.url + reverse("proconnect_logged_out"),
                    accounts=accounts,
                )
            )
            configured = oidc_settings(issuer=issuer, client_id=CLIENT_ID, client_secret=CLIENT_SECRET)
            for name, value in configured.items():
                setattr(settings, name, value)
            # As settings.py does for ProConnect's origin: the sign-out form is redirected there.
            policy = copy.deepcopy(settings.CONTENT_SECURITY_POLICY)
            policy["DIRECTIVES"]["form-action"] = [SELF, configured["PROCONNECT_ORIGIN"]]
            settings.CONTENT_SECURITY_POLICY = policy
            return issuer

        yield start


def quiet_provider_pages(page: Page, issuer: str) -> None:
    """oidc-provider's development pages ask for Google Fonts and a favicon: answered empty, so that
    the browser's console only tells about the back-office (and the tests need no network)."""
    page.route("https://fonts.googleapis.com/**", lambda route: route.fulfill(content_type="text/css", body=""))
    page.route(re.sub(r"/api/v2$", "/favicon.ico", issuer), lambda route: route.fulfill(status=204))


def click_proconnect_button(page: Page) -> None:
    with page.expect_navigation():
        page.get_by_role("link", name="S’identifier avec ProConnect").click()


def sign_in_at_provider(page: Page, login: str) -> None:
    """oidc-provider's development login form: the login names the account, any password is taken."""
    page.locator("input[name=login]").fill(login)
    page.locator("input[name=password]").fill(PROVIDER_PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign-in").click()


def test_proconnect_signs_in_an_existing_account_with_its_role_and_signs_out_of_both(
    page: Page, problems: BrowserProblems, demo_network, start_proconnect
):
    issuer = start_proconnect({"Dominique.Martin": identity(DIRECTOR.upper())})
    quiet_provider_pages(page, issuer)
    provider_origin = issuer.removesuffix("/api/v2")
    director = User.objects.get(email=DIRECTOR)
    role, structure = director.role, director.structure_id
    accounts_before = User.objects.count()

    page.goto(LOGIN_URL)
    expect(page.get_by_role("link", name="Qu’est-ce que ProConnect ?")).to_have_attribute(
        "href", "https://www.proconnect.gouv.fr/"
    )
    assert_accessible(page)
    click_proconnect_button(page)
    assert page.url.startswith(provider_origin)
    # The e-mail ProConnect vouches for is matched whatever its case.
    sign_in_at_provider(page, "Dominique.Martin")

    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Bonjour Dominique")
    expect(page.get_by_role("main").locator(".fr-text--lead")).to_contain_text("en tant que directeur")
    director.refresh_from_db()
    assert (director.role, director.structure_id) == (role, structure)
    assert User.objects.count() == accounts_before
    problems.assert_clean()

    # Signing out goes through the provider's end of session and comes back home.
    logout(page)
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_role("status")).to_have_text(proconnect.LOGGED_OUT)
    expect(page.get_by_role("banner").get_by_role("link", name="Se connecter")).to_be_visible()

    # The provider's session ended too: it asks who is signing in again.
    page.goto(LOGIN_URL)
    click_proconnect_button(page)
    assert page.url.startswith(provider_origin)
    expect(page.locator("input[name=login]")).to_be_visible()


@pytest.mark.parametrize(
    ("account", "reason"),
    [
        pytest.param(identity("inconnu@exemple.fr"), "no_account", id="no-account"),
        pytest.param(identity(DIRECTOR, email_verified=False), "unverified", id="unverified"),
    ],
)
def test_proconnect_refusal_lands_back_on_login_with_the_reason_and_creates_nothing(
    page: Page, problems: BrowserProblems, demo_network, start_proconnect, caplog, account, reason
):
    caplog.set_level(logging.INFO, logger="cnml.proconnect")
    quiet_provider_pages(page, start_proconnect({"agent": account}))
    accounts_before = User.objects.count()

    page.goto(LOGIN_URL)
    click_proconnect_button(page)
    sign_in_at_provider(page, "agent")

    expect(page).to_have_url(re.compile(re.escape(LOGIN_URL) + "$"))
    expect(page.get_by_role("status")).to_have_text(proconnect.REFUSALS[reason].format(email=account["email"]))
    expect(page.get_by_role("banner").get_by_role("link", name="Se connecter")).to_be_visible()
    assert User.objects.count() == accounts_before
    assert not User.objects.filter(email="inconnu@exemple.fr").exists()
    # Logged by reason and domain, without the person's address.
    assert f"ProConnect sign-in refused ({account['email'].rpartition('@')[2]}): {reason}" in caplog.text
    assert account["email"] not in caplog.text
    assert_accessible(page)
    problems.assert_clean()


def test_an_account_whose_password_is_locked_out_still_signs_in_through_proconnect(
    page: Page, problems: BrowserProblems, demo_network, start_proconnect
):
    quiet_provider_pages(page, start_proconnect({"agent": identity(DIRECTOR)}))
    # Five wrong passwords from this address: django-axes locks the password log-in of the account.
    guesser = Client(REMOTE_ADDR="127.0.0.1")
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        guesser.post(LOGIN_URL, {"username": DIRECTOR, "password": "mauvais-mot-de-passe"})
    assert guesser.post(LOGIN_URL, {"username": DIRECTOR, "password": DEMO_PASSWORD}).status_code == 429

    # The lock-out guards the password, which ProConnect does not use.
    page.goto(LOGIN_URL)
    click_proconnect_button(page)
    sign_in_at_provider(page, "agent")

    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Bonjour Dominique")
    problems.assert_clean()
