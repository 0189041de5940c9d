"""Steps the browser flows of calls for projects share (mobility and alternance): one way to move through
the pages, and the CNML reviewer's scoring and selection of an application."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.browser.axe import assert_accessible
from tests.browser.helpers import login

RELECTEUR = "relecteur@demo.cnml.fr"


def main(page: Page):
    return page.get_by_role("main")


def click_and_wait(page: Page, locator) -> None:
    with page.expect_navigation():
        locator.click()


def check_page(page: Page, heading: str | re.Pattern) -> None:
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    assert_accessible(page)


def score_and_select(page: Page, title: str, *, scores: dict[str, str], comment: str) -> None:
    """The CNML reviewer finds the application ``title``, scores it (``scores``: each criterion's label and
    note), then selects it with a message to the carrier."""
    login(page, RELECTEUR)
    page.goto("/mobilite/candidatures/")
    check_page(page, "Candidatures")
    click_and_wait(page, main(page).get_by_role("link", name=title))
    click_and_wait(page, main(page).get_by_role("link", name="Évaluer la candidature"))
    check_page(page, re.compile("Évaluer"))
    for label, note in scores.items():
        page.get_by_label(label).fill(note)
    page.get_by_label("Commentaire").fill(comment)
    click_and_wait(page, main(page).get_by_role("button", name="Enregistrer l'évaluation"))
    assert_accessible(page)
    main(page).get_by_text("Retenir la candidature", exact=True).click()
    page.get_by_label("Message au porteur").fill("Bienvenue dans le programme.")
    click_and_wait(page, main(page).get_by_role("button", name="Enregistrer la décision"))
