"""The DSFR crispy pack in a real browser: axe-core finds no violation on a form with every widget.

Uses the session's Chromium (tests/browser/conftest.py): a second Playwright
instance cannot start while that one's event loop runs.
"""

from pathlib import Path

import pytest
from django.contrib.staticfiles import finders

from tests.browser.axe import format_violations, run_axe
from tests.cnml.test_crispy_pack import EveryWidgetForm, StoredFile, bound_form, render


def _dsfr_css() -> Path:
    """The DSFR style sheet shipped by django-dsfr (colours matter for the contrast rules)."""
    return Path(finders.find("dsfr/dist/dsfr.min.css"))


@pytest.mark.parametrize("bound", [False, True], ids=["vierge", "avec-erreurs"])
def test_axe_finds_no_violation_on_a_form_with_every_widget(browser, bound):
    form = bound_form() if bound else EveryWidgetForm(initial={"report": StoredFile()})
    document = (
        '<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>Formulaire de test</title></head>'
        f'<body><main id="content" class="fr-container"><h1>Structure</h1>{render(form).html}</main></body></html>'
    )
    page = browser.new_page()
    try:
        page.set_content(document)
        page.add_style_tag(path=str(_dsfr_css()))
        violations = run_axe(page)
    finally:
        page.close()
    assert violations == [], format_violations(violations)
