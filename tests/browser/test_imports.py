"""An operator imports an extract alone, in a real browser: a refusal first on the page, its errors as CSV,
then a snapshot validated for publication after a confirmation.

The admin's own pages are not checked by axe (see test_practices.py); the import's alert, which
this project draws, is.
"""

from __future__ import annotations

from datetime import date

import pytest
from django.utils import timezone
from django.utils.functional import empty
from playwright.sync_api import Page, expect

from dashboard.models import ExtractImport, ImportStatus, Snapshot, SnapshotStatus
from tests.browser.axe import assert_accessible
from tests.browser.helpers import BrowserProblems, login
from tests.dashboard.conftest import contact, write_extract, young, zip_extract
from tests.dashboard.factories import make_import


@pytest.fixture
def private_media(settings, tmp_path):
    """Uploaded archives go to a temporary private folder."""
    from cnml.uploads import private_storage

    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    private_storage._wrapped = empty
    yield settings.PRIVATE_MEDIA_ROOT
    private_storage._wrapped = empty


def test_a_refused_extract_opens_on_its_reason_and_every_error_downloads_as_csv(
    page: Page, problems: BrowserProblems, demo_network, private_media, tmp_path
):
    people = [young(f"J{index}", sexe="X") for index in range(60)]
    archive = zip_extract(write_extract(tmp_path / "bad", jeunes=people, contacts=[contact("J0")]))
    login(page, "relecteur@demo.cnml.fr")

    page.goto("/admin/dashboard/extractimport/add/")
    page.get_by_label("Archive de l'extraction (.zip)").set_input_files(str(archive))
    page.get_by_label("Date d'extraction").fill("2011-10-31")
    with page.expect_navigation():
        page.get_by_role("button", name="Importer l'extraction").click()

    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Import refusé : les données en place n'ont pas changé")
    expect(alert).to_contain_text("60\u00a0erreurs dans les fichiers de l'extraction.")
    expect(alert).to_contain_text("jeunes.csv, ligne 2, colonne sexe : code inconnu « X »")
    expect(alert).to_contain_text("Corrigez les fichiers, puis déposez de nouveau l'extraction.")
    expect(alert).to_be_focused()
    box = alert.bounding_box()
    assert box is not None and box["y"] + box["height"] < page.viewport_size["height"], "above the fold"
    expect(page.locator(".messagelist .success")).to_have_count(0)  # no green « lancé »
    assert_accessible(page, context=".extract-import-alert")

    with page.expect_download() as download_info:
        alert.get_by_role("link", name="Télécharger les erreurs (CSV)").click()
    download = download_info.value
    download.save_as(tmp_path / "errors.csv")
    lines = (tmp_path / "errors.csv").read_text(encoding="utf-8").splitlines()

    extract_import = ExtractImport.objects.get()
    assert download.suggested_filename == f"import-{extract_import.pk}-erreurs.csv"
    assert lines[0] == "\ufefffichier;ligne;colonne;valeur;motif"
    assert len(lines) == 1 + 60
    assert lines[60] == "jeunes.csv;61;sexe;X;code inconnu « X » (attendu : F ou H)"
    problems.assert_no_csp_violation()  # the admin has no favicon: its 404 is not ours
    assert not problems.page_errors


def test_a_reviewer_validates_the_snapshot_of_an_import_after_a_confirmation(
    page: Page, problems: BrowserProblems, demo_network
):
    extract_import = make_import(status=ImportStatus.SUCCEEDED, extracted_on=date(2011, 10, 31), provisional=False)
    snapshot = Snapshot.objects.create(
        status=SnapshotStatus.COMPUTED,
        computed_at=timezone.now(),
        extracted_on=date(2011, 10, 31),
        extract_import=extract_import,
        periods=["2011-T1", "2011-T2", "2011-T3"],
    )
    login(page, "admin@demo.cnml.fr")

    page.goto(f"/admin/dashboard/extractimport/{extract_import.pk}/change/")
    status = page.get_by_role("status")
    expect(status).to_contain_text("Import réussi")
    expect(status).to_contain_text("Vérifiez-les, puis validez le calcul pour les publier.")
    assert_accessible(page, context=".extract-import-alert")
    with page.expect_navigation():
        status.get_by_role("link", name="Valider pour publication").click()

    content = page.locator("#content-main")
    expect(content.get_by_role("heading", name="Ce qui devient public")).to_be_visible()
    expect(content).to_contain_text("pages publiques du tableau de bord")
    expect(content).to_contain_text("Aucun chiffre n'est publié aujourd'hui : ce seront les premiers.")
    snapshot.refresh_from_db()
    assert snapshot.status == SnapshotStatus.COMPUTED
    with page.expect_navigation():
        content.get_by_role("button", name="Valider et publier ces chiffres").click()

    expect(page.locator(".messagelist")).to_contain_text("validé : ses chiffres sont maintenant publics.")
    snapshot.refresh_from_db()
    assert snapshot.status == SnapshotStatus.VALIDATED

    page.goto(f"/admin/dashboard/extractimport/{extract_import.pk}/change/")
    expect(page.get_by_role("status")).to_contain_text("est validé : ses chiffres sont publics.")
    problems.assert_no_csp_violation()  # the admin has no favicon: its 404 is not ours
    assert not problems.page_errors


def test_a_running_import_page_follows_it_and_opens_on_its_end_without_a_reload_by_hand(
    page: Page, problems: BrowserProblems, demo_network
):
    extract_import = make_import(status=ImportStatus.RUNNING, step="Lecture de contacts.csv", started_at=timezone.now())
    login(page, "relecteur@demo.cnml.fr")

    page.goto(f"/admin/dashboard/extractimport/{extract_import.pk}/change/")
    expect(page.get_by_role("status").first).to_contain_text("Import en cours")
    expect(page.locator("[data-step]")).to_have_text("Lecture de contacts.csv")  # polled by the static script

    # The worker refuses the extract: the page reloads by itself and opens on the reason.
    ExtractImport.objects.filter(pk=extract_import.pk).update(
        status=ImportStatus.FAILED,
        step="Refusé",
        finished_at=timezone.now(),
        error_count=1,
        error_details=[["jeunes.csv", 2, "sexe", "X", "code inconnu « X » (attendu : F ou H)"]],
    )
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Import refusé", timeout=15_000)
    expect(alert).to_contain_text("Corrigez les fichiers, puis déposez de nouveau l'extraction.")
    expect(alert).to_be_focused()
    problems.assert_no_csp_violation()
    assert not problems.page_errors
