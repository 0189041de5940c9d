"""The error pages (400, 403, expired form, 404, 500) in the page frame, accessible and under the CSP."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory
from playwright.sync_api import Page, expect

from cnml import views
from tests.browser.axe import assert_accessible
from tests.browser.helpers import LOGIN_URL, BrowserProblems, expect_dsfr_js_started


def test_expired_form_page_is_accessible(page: Page, problems: BrowserProblems, demo_network):
    page.goto(LOGIN_URL)
    # A stale page: the form's CSRF token no longer matches the cookie.
    page.locator("input[name=csrfmiddlewaretoken]").evaluate("input => { input.value = 'x'.repeat(64); }")
    page.get_by_label("Adresse e-mail").fill("conseiller@demo.cnml.fr")
    page.get_by_label("Mot de passe", exact=True).fill("demo-cnml-2011")
    with page.expect_navigation() as navigation:
        page.get_by_role("main").get_by_role("button", name="Se connecter").click()

    assert navigation.value.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text("Formulaire expiré")
    expect_dsfr_js_started(page)
    assert_accessible(page)
    problems.assert_no_csp_violation()
    assert not problems.page_errors, problems.page_errors


@pytest.mark.parametrize(
    ("handler", "status", "heading"),
    [
        (views.bad_request, 400, "Requête invalide"),
        (views.permission_denied, 403, "Accès refusé"),
        (views.server_error, 500, "Erreur inattendue"),
    ],
    ids=["400", "403", "500"],
)
def test_error_page_is_accessible(page: Page, problems: BrowserProblems, live_server, handler, status, heading):
    """These pages have no URL of their own: the project's handler renders them, the live server serves the rest."""
    policy = page.goto("/").headers["content-security-policy"]
    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    html = handler(request).content.decode()
    url = f"{live_server.url}/erreur-{status}/"
    page.route(
        url,
        lambda route: route.fulfill(
            status=status,
            body=html,
            headers={"Content-Type": "text/html; charset=utf-8", "Content-Security-Policy": policy},
        ),
    )

    page.goto(url)
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    expect(page.get_by_role("main")).to_contain_text(f"Erreur {status}")
    expect_dsfr_js_started(page)
    assert_accessible(page)
    problems.assert_no_csp_violation()
    assert not problems.page_errors, problems.page_errors
