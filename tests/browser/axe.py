"""Accessibility checks with axe-core in a real page (RGAA: zero violations).

Usage in a browser test::

    from tests.browser.axe import assert_accessible

    page.goto("/bonnes-pratiques/")
    assert_accessible(page)                       # the whole page
    assert_accessible(page, context="#content")   # only the main content

    report = AxeReport()                          # many pages, every violation told at the end
    for path in paths:
        page.goto(path)
        report.check(page, path)
    report.assert_clean()

axe-core comes from ``node_modules/axe-core/axe.min.js`` (``npm ci`` installs it
from the committed ``package.json``). The production Content-Security-Policy only
lets scripts run with the per-request nonce, so the script is not added with a
``<script>`` tag: its source is evaluated through the DevTools protocol
(``page.evaluate``), which the page's CSP does not govern. The policy under test
stays exactly the production one.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from django.conf import settings
from playwright.sync_api import Page

AXE_SCRIPT = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"

# WCAG 2.0, 2.1 and 2.2 levels A and AA (what the RGAA 4.1 covers), plus axe's
# best practices (unique landmarks, heading order, content inside landmarks...).
AXE_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice")


@cache
def _axe_source() -> str:
    if not AXE_SCRIPT.exists():
        raise FileNotFoundError(f"{AXE_SCRIPT} manquant : lancez « npm ci » à la racine du projet.")
    return AXE_SCRIPT.read_text(encoding="utf-8")


def _inject_axe(page: Page) -> None:
    if page.evaluate("() => typeof window.axe !== 'undefined'"):
        return
    # Wrapped in a function body so Playwright evaluates it as an expression
    # rather than guessing; axe.min.js then sets ``window.axe``.
    page.evaluate(f"() => {{\n{_axe_source()}\n}}")
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        raise RuntimeError("axe-core n'a pas pu être chargé dans la page.")


def run_axe(page: Page, *, context: str | None = None, tags: tuple[str, ...] = AXE_TAGS) -> list[dict]:
    """Run axe-core on ``page`` (or the elements matching the CSS selector ``context``).

    Returns axe's list of violations (dictionaries with ``id``, ``impact``,
    ``help``, ``helpUrl`` and ``nodes``), empty when the page passes.
    """
    page.wait_for_load_state("load")
    _inject_axe(page)
    return page.evaluate(
        """async ([context, tags]) => {
            const results = await window.axe.run(context || document, {
                runOnly: {type: "tag", values: tags},
                resultTypes: ["violations"],
            });
            return results.violations;
        }""",
        [context, list(tags)],
    )


def format_violations(violations: list[dict]) -> str:
    """One block per violated rule: id, impact, help and the selectors of each failing node."""
    lines = []
    for violation in violations:
        lines.append(
            f"- {violation['id']} [{violation.get('impact') or '?'}] {violation['help']} ({violation['helpUrl']})"
        )
        for node in violation["nodes"]:
            target = " ".join(str(part) for part in node["target"])
            lines.append(f"    {target}")
            summary = (node.get("failureSummary") or "").strip().replace("\n", " / ")
            if summary:
                lines.append(f"      {summary}")
            lines.append(f"      {node.get('html', '')[:200]}")
    return "\n".join(lines)


def assert_accessible(page: Page, *, context: str | None = None, tags: tuple[str, ...] = AXE_TAGS) -> None:
    """Fail unless axe-core finds zero violations on the page as currently displayed.

    ``page``: a Playwright page already on the URL to check (after any
    interaction: open a menu, submit a form with errors... to check that state).
    ``context``: optional CSS selector restricting the check (default: the whole
    document, header and footer included). ``tags``: axe rule tags, by default
    WCAG 2.x A/AA and best practices (:data:`AXE_TAGS`).

    The failure message lists each violated rule with its impact, its help text
    and link, and the CSS selector of every failing element.
    """
    violations = run_axe(page, context=context, tags=tags)
    if violations:
        raise AssertionError(
            f"{len(violations)} violation(s) d'accessibilité (axe-core) sur {page.url} :\n"
            + format_violations(violations)
        )


class AxeReport:
    """The violations of many pages or states, told together at the end rather than at the first page."""

    def __init__(self) -> None:
        self.failures: list[str] = []

    def check(self, page: Page, where: str) -> None:
        """Run axe-core on ``page`` as displayed now; ``where`` names it in the report (a path, a state)."""
        violations = run_axe(page)
        if violations:
            self.failures.append(f"{where} ({page.url})\n{format_violations(violations)}")

    def assert_clean(self) -> None:
        assert not self.failures, "Violations d'accessibilité (axe-core) :\n" + "\n".join(self.failures)
