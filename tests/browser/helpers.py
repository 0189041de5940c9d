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

    def take(self) -> list[str]:
        """Everything seen since the last call (CSP, exceptions, console errors), then forget it."""
        seen = self.csp_violations + self.page_errors + self.console_errors
        self.csp_violations, self.page_errors, self.console_errors = [], [], []
        return seen

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


# Every cell of a table's body past the right edge of the screen, and what holds it: the scroll
# region (role, name, focusable) and whether its hint is shown.
OFF_SCREEN_CELLS = """() => [...document.querySelectorAll("main table tbody td")]
    .filter((cell) => cell.checkVisibility({visibilityProperty: true}))
    .filter((cell) => cell.getBoundingClientRect().right > window.innerWidth + 1)
    .map((cell) => {
        const region = cell.closest(".fr-table__container");
        const names = (region?.getAttribute("aria-labelledby") || "").split(" ").filter(Boolean);
        const name = names.map((id) => document.getElementById(id)?.textContent || "").join(" ").trim()
            || region?.getAttribute("aria-label") || "";
        const hint = region?.closest(".fr-table")?.querySelector(".cnml-table-hint");
        return {
            text: cell.textContent.trim(),
            role: region?.getAttribute("role") || "",
            name: name,
            focusable: region?.getAttribute("tabindex") === "0",
            hint: hint ? hint.checkVisibility() && hint.textContent.trim() : "",
        };
    })"""

# Rows of a table's body whose label is on screen but none of whose figures are.
ROWS_WITHOUT_A_FIGURE = """() => [...document.querySelectorAll("main table tbody tr")]
    .filter((row) => row.querySelector("td") && !row.querySelector("[colspan]"))
    .filter((row) => row.checkVisibility({visibilityProperty: true}))
    .filter((row) => ![...row.querySelectorAll("td")].some(
        (cell) => cell.getBoundingClientRect().left < window.innerWidth))
    .map((row) => row.textContent.trim().slice(0, 80))"""


def phone_layout_problems(page: Page) -> list[str]:
    """What keeps a page from reading on a phone, in French: it scrolls sideways, a figure off-screen is
    not in a named, focusable region that says so, a table's row shows no figure beside its label."""
    found = []
    width = page.viewport_size["width"]
    scroll_width = page.evaluate("() => document.documentElement.scrollWidth")
    if scroll_width > width:
        found.append(f"la page défile horizontalement ({scroll_width} px pour {width} px)")
    for cell in page.evaluate(OFF_SCREEN_CELLS):
        if not (cell["role"] == "region" and cell["name"] and cell["focusable"]):
            found.append(f"cellule hors de l'écran sans zone de défilement nommée et atteignable : {cell}")
        elif "faites défiler" not in cell["hint"].lower():
            found.append(f"cellule hors de l'écran sans l'indication « faites défiler » : {cell}")
    found += [f"ligne sans chiffre à l'écran : {row}" for row in page.evaluate(ROWS_WITHOUT_A_FIGURE)]
    return found


def assert_tables_readable(page: Page) -> None:
    """On a phone, the page reads without sideways scrolling (:func:`phone_layout_problems`)."""
    problems = phone_layout_problems(page)
    assert not problems, "\n".join(problems)
