"""The partnerships for alternance in a real browser: the public list, an animator entering a year's
results (a mistake, then the fix), a CNML reviewer signing a convention; then a convention signed, its
signed text deposited, its region's results recorded and the whole read on the public page. axe-core on
every page."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pytest
from django.core import mail
from playwright.sync_api import Page, expect

from alternance.demo import CHARTE, load_alternance_demo
from alternance.models import Agreement, AgreementDocument, AgreementStatus, CommitmentResult, LocalDeclination
from cnml.models import Region
from tests.browser.axe import assert_accessible
from tests.browser.helpers import BrowserProblems, login, logout

ANFA = "Convention nationale de partenariat CNML – ANFA"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def alternance_demo(demo_network):
    load_alternance_demo(stdout=io.StringIO())
    return demo_network


def test_public_agreements_results_entry_and_signature(page: Page, problems: BrowserProblems, alternance_demo):
    page.goto("/partenariats/")
    expect(page.get_by_role("link", name=CHARTE)).to_be_visible()
    expect(page.get_by_text("Convention nationale de partenariat CNML – ANFA")).to_have_count(0)
    assert_accessible(page)
    page.get_by_role("link", name=CHARTE).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(CHARTE)
    assert_accessible(page)

    login(page, "animateur@demo.cnml.fr")
    page.goto("/partenariats/suivi/")
    assert_accessible(page)
    page.get_by_role("link", name=CHARTE).click()
    assert_accessible(page)
    page.get_by_role("link", name="Saisir les résultats d'une année").click()
    page.get_by_label("Année", exact=True).fill("2013")
    page.get_by_label("Jeunes des missions locales accédant à l'alternance").fill("-3")
    page.get_by_role("button", name="Enregistrer les résultats").click()
    expect(page.get_by_label("Jeunes des missions locales accédant à l'alternance")).to_have_value("-3")
    assert_accessible(page)
    page.get_by_label("Jeunes des missions locales accédant à l'alternance").fill("1400")
    page.get_by_role("button", name="Enregistrer les résultats").click()
    expect(page.get_by_text("Les résultats de 2013 sont enregistrés.")).to_be_visible()
    assert CommitmentResult.objects.filter(year=2013, achieved=1400).count() == 1
    logout(page)

    convention = Agreement.objects.get(title="Convention nationale de partenariat CNML – ANFA")
    login(page, "relecteur@demo.cnml.fr")
    page.goto(f"/partenariats/suivi/{convention.pk}/")
    assert_accessible(page)
    page.get_by_label("Commentaire").fill("Convention signée avec l'ANFA.")
    page.get_by_role("button", name="Signer").click()
    expect(page.get_by_text("Convention signée avec l'ANFA.")).to_be_visible()
    convention.refresh_from_db()
    assert convention.status == AgreementStatus.SIGNEE
    problems.assert_no_csp_violation()


def test_a_convention_is_signed_documented_followed_and_published(
    page: Page, problems: BrowserProblems, alternance_demo, tmp_path
):
    """Done-when of issue 15: a CNML reviewer signs the ANFA convention and deposits its signed text; the
    animator of the region that declines it records a year's results; everyone reads it with its text."""
    convention = Agreement.objects.get(title=ANFA)
    # Arranged: the convention's declination in region 93 (in the admin otherwise).
    declination = LocalDeclination.objects.create(
        agreement=convention, region=Region.objects.get(code="93"), declined_on=date(2012, 2, 1)
    )
    signed_text = tmp_path / "convention-anfa-signee.pdf"
    signed_text.write_bytes(PDF)

    # Not public while in discussion.
    page.goto("/partenariats/")
    expect(page.get_by_role("link", name=ANFA)).to_have_count(0)

    login(page, "relecteur@demo.cnml.fr")
    page.goto(f"/partenariats/suivi/{convention.pk}/")
    expect(page.get_by_text("En discussion", exact=True).first).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Commentaire").fill("Signée avec l'ANFA au salon des métiers de l'automobile.")
    page.get_by_role("button", name="Signer").click()
    expect(page.get_by_text("L'accord est maintenant « signée ».")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Ajouter un document").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ajouter un document")
    assert_accessible(page)
    # A wrong file first: told in French, what was typed stays.
    not_a_pdf = tmp_path / "convention.pdf"
    not_a_pdf.write_bytes(b"#!/bin/sh\necho pirate\n")
    page.get_by_label("Nature").select_option(label="Texte signé")
    page.get_by_label("Titre").fill("Convention CNML – ANFA signée")
    page.get_by_label("Fichier").set_input_files(str(not_a_pdf))
    page.get_by_role("button", name="Ajouter le document").click()
    expect(page.get_by_text("n'est pas d'un type accepté")).to_be_visible()
    expect(page.get_by_label("Titre")).to_have_value("Convention CNML – ANFA signée")
    assert_accessible(page)
    page.get_by_label("Fichier").set_input_files(str(signed_text))
    page.get_by_role("button", name="Ajouter le document").click()
    expect(page.get_by_text("Le document « Convention CNML – ANFA signée » est ajouté.")).to_be_visible()
    expect(page.get_by_role("link", name="Convention CNML – ANFA signée")).to_be_visible()
    assert_accessible(page)
    logout(page)

    # The animator of region 93 was told, and records 2012 for the region.
    assert AgreementDocument.objects.filter(agreement=convention).count() == 1
    told = [message for message in mail.outbox if ANFA in message.subject]
    assert [message.to for message in told] == [["animateur@demo.cnml.fr"]]
    login(page, "animateur@demo.cnml.fr")
    page.goto("/partenariats/suivi/")
    page.get_by_role("link", name=ANFA).click()
    assert_accessible(page)
    page.get_by_role("link", name="Saisir les résultats d'une année").click()
    assert_accessible(page)
    page.get_by_label("Année", exact=True).fill("2012")
    page.get_by_label("Informations sur les emplois à pourvoir").fill("85")
    page.get_by_label("Ateliers de présentation des métiers").fill("6")
    page.get_by_role("button", name="Enregistrer les résultats").click()
    expect(page.get_by_text("Les résultats de 2012 sont enregistrés.")).to_be_visible()
    totals = page.get_by_role("table", name="Total des déclinaisons de votre région par année")
    expect(totals.get_by_role("row", name="2012")).to_contain_text("85")
    assert_accessible(page)
    assert {(r.commitment.description, r.achieved) for r in declination.results.filter(year=2012)} == {
        ("Informations sur les emplois à pourvoir", 85),
        ("Ateliers de présentation des métiers", 6),
    }
    logout(page)

    # Anyone reads the signed convention and downloads its text.
    page.goto("/partenariats/")
    page.get_by_role("link", name=ANFA).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(ANFA)
    expect(page.get_by_role("rowheader", name="Provence-Alpes-Côte d'Azur")).to_be_visible()
    assert_accessible(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Convention CNML – ANFA signée").click()
    assert download.value.suggested_filename == "convention-anfa-signee.pdf"
    assert Path(download.value.path()).read_bytes() == PDF
    problems.assert_no_csp_violation()
