"""Helpers for browser tests: log in through the real form, watch the console for CSP and script errors."""

from __future__ import annotations

from dataclasses import dataclass, field

from playwright.sync_api import ConsoleMessage, Error, Page, expect

from cnml.demo import DEMO_PASSWORD

LOGIN_URL = "/compte/connexion/"
# A phone's screen (375 × 667 CSS pixels, touch): the ``phone`` fixture, or ``context_options`` of a module.
PHONE = {"viewport": {"width": 375, "height": 667}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}

# What Chromium prints when the Content-Security-Policy blocks something.
CSP_MARKERS = ("Content Security Policy", "Refused to")


def login(page: Page, email: str, password: str = DEMO_PASSWORD) -> None:
    """Log in through the real login form (as a user would), then wait for the next page."""
    page.goto(LOGIN_URL)
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe", exact=True).fill(password)
    with page.expect_navigation():
        page.locator("main").get_by_role("button", name="Se connecter").click()


def logout(page: Page) -> None:
    """Log out with the header's "Se déconnecter" button (a POST form)."""
    header = page.get_by_role("banner")
    button = header.get_by_role("button", name="Se déconnecter")
    if not button.is_visible():
        # On a narrow screen the header tools live in the "Menu" dialog.
        header.get_by_role("button", name="Menu").click()
        button = page.get_by_role("dialog").get_by_role("button", name="Se déconnecter")
    with page.expect_navigation():
        button.click()


@dataclass
class BrowserProblems:
    """Console errors, CSP violations and uncaught exceptions seen by a page.

    Create it with :func:`watch_problems` before the first ``page.goto`` so
    nothing is missed, then call :meth:`assert_no_csp_violation` or
    :meth:`assert_clean`.
    """

    csp_violations: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)

    def _on_console(self, message: ConsoleMessage) -> None:
        text = message.text
        where = message.location.get("url", "") if message.location else ""
        line = f"{text} ({where})" if where else text
        if any(marker in text for marker in CSP_MARKERS):
            self.csp_violations.append(line)
        elif message.type == "error":
            self.console_errors.append(line)

    def _on_page_error(self, error: Error) -> None:
        self.page_errors.append(f"{error.name}: {error.message}")

    def assert_no_csp_violation(self) -> None:
        assert not self.csp_violations, "Violations de la Content-Security-Policy :\n" + "\n".join(self.csp_violations)

    def assert_clean(self) -> None:
        """No CSP violation, no console error, no uncaught JavaScript exception."""
        self.assert_no_csp_violation()
        assert not self.page_errors, "Exceptions JavaScript :\n" + "\n".join(self.page_errors)
        assert not self.console_errors, "Erreurs dans la console :\n" + "\n".join(self.console_errors)


def watch_problems(page: Page) -> BrowserProblems:
    """Start collecting console errors, CSP violations and uncaught exceptions of ``page``."""
    problems = BrowserProblems()
    page.on("console", problems._on_console)
    page.on("pageerror", problems._on_page_error)
    return problems


def expect_dsfr_js_started(page: Page) -> None:
    """DSFR's JavaScript marks the root element once it has run (proof the CSP let it load)."""
    expect(page.locator("html")).to_have_attribute("data-fr-js", "true")
