"""The admin of extract imports: upload page for CNML roles only, read-only records, progress, outcome."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cnml.models import Role
from dashboard import tasks
from dashboard.models import ExtractImport, ImportStatus, YoungPerson
from dashboard.services import extract_import_create
from tests.dashboard.conftest import SAMPLE_COUNTS, contact, run_import, write_extract, young, zip_extract

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_media")]

ADD_URL = "admin:dashboard_extractimport_add"
CNML_ROLES = [Role.ADMINISTRATEUR, Role.RELECTEUR_CNML]
OTHER_ROLES = [Role.CONSEILLER, Role.DIRECTEUR, Role.ANIMATEUR_REGIONAL]


@pytest.fixture
def recomputes(monkeypatch):
    """The recompute tasks enqueued (not run: the recompute has its own tests)."""
    enqueued = []
    monkeypatch.setattr(
        tasks,
        "recompute_after_import",
        lambda extract_import_id: enqueued.append({"extract_import_id": extract_import_id}),
    )
    return enqueued


@pytest.fixture
def sample_zip(sample_extract, tmp_path):
    return zip_extract(sample_extract, tmp_path / "extraction-2011-10.zip")


def upload(client, zip_path, **data):
    payload = {
        "archive": SimpleUploadedFile(zip_path.name, zip_path.read_bytes(), content_type="application/zip"),
        "extracted_on": "2011-10-31",
        "provisional": "on",
        "source_label": "Parcours 3, entrepôt national",
        **data,
    }
    return client.post(reverse(ADD_URL), payload)


@pytest.mark.parametrize("role", CNML_ROLES)
def test_cnml_roles_upload_a_zip_which_is_imported_once_committed(
    role, users, client_for, sample_zip, recomputes, django_capture_on_commit_callbacks, private_media
):
    client = client_for(users[role])
    page = client.get(reverse(ADD_URL))
    assert page.status_code == 200
    assert "Importer une extraction de l&#x27;entrepôt national" in page.content.decode()
    assert 'name="archive"' in page.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, sample_zip)

    extract_import = ExtractImport.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("admin:dashboard_extractimport_change", args=[extract_import.pk])
    assert extract_import.status == ImportStatus.SUCCEEDED, extract_import.errors
    assert extract_import.created_by == users[role]
    assert (extract_import.extracted_on, extract_import.provisional) == (date(2011, 10, 31), True)
    assert extract_import.path == "extraction-2011-10.zip"
    assert extract_import.row_counts == SAMPLE_COUNTS
    assert YoungPerson.objects.count() == SAMPLE_COUNTS["jeunes.csv"]
    # Stored privately, outside the web server's reach.
    assert (private_media / extract_import.archive.name).is_file()
    assert recomputes == [{"extract_import_id": extract_import.pk}]


@pytest.mark.parametrize("role", OTHER_ROLES)
def test_other_roles_cannot_reach_the_upload_page_nor_upload(role, users, client_for, sample_zip):
    client = client_for(users[role])

    page = client.get(reverse(ADD_URL))
    posted = upload(client, sample_zip)

    assert page.status_code == 302 and page.url.startswith(reverse("admin:login"))
    assert posted.status_code == 302 and posted.url.startswith(reverse("admin:login"))
    assert not ExtractImport.objects.exists()


def test_anonymous_visitors_are_sent_to_the_login_page(client, sample_zip):
    response = upload(client, sample_zip)

    assert response.status_code == 302 and response.url.startswith(reverse("admin:login"))
    assert not ExtractImport.objects.exists()


def test_a_file_that_is_not_a_zip_is_refused_by_the_form(users, client_for, tmp_path):
    not_zip = tmp_path / "jeunes.csv"
    not_zip.write_text("id_jeune;code_structure\n")

    response = upload(client_for(users[Role.RELECTEUR_CNML]), not_zip)

    assert response.status_code == 200
    assert "Ce fichier n&#x27;est pas une archive zip" in response.content.decode()
    assert not ExtractImport.objects.exists()


def test_an_invalid_extract_uploaded_shows_its_errors_on_its_page(
    users, client_for, tmp_path, recomputes, django_capture_on_commit_callbacks
):
    directory = write_extract(tmp_path / "bad", jeunes=[young("J1", sexe="X")], contacts=[contact("J2")])
    client = client_for(users[Role.ADMINISTRATEUR])

    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, zip_extract(directory))
    page = client.get(response.url).content.decode()

    extract_import = ExtractImport.objects.get()
    assert extract_import.status == ImportStatus.FAILED
    assert recomputes == []
    assert "2\u00a0erreurs au total." in page
    assert "jeunes.csv, ligne 2, colonne sexe : code inconnu « X » (attendu : F ou H)" in page
    assert "contacts.csv, ligne 2, colonne id_jeune : jeune inconnu « J2 » : absent de jeunes.csv" in page
    assert "Jeune absent de jeunes.csv" in page  # rejected rows by reason


def test_the_page_of_a_successful_import_shows_counts_duration_and_quality_report(users, client_for, sample_extract):
    extract_import = run_import(sample_extract, extracted_on=date(2011, 10, 31))

    page = client_for(users[Role.RELECTEUR_CNML]).get(
        reverse("admin:dashboard_extractimport_change", args=[extract_import.pk])
    )

    html = page.content.decode()
    assert page.status_code == 200
    assert 'data-file="contacts.csv">1\u202f978<' in html
    assert "Réussi" in html and "Aucune erreur." in html
    assert "Contacts datés après la date d&#x27;extraction" in html
    assert "Jeunes de moins de 16 ans à leur premier accueil" in html
    assert "data-import-progress-url" not in html  # finished: no polling
    assert "import-progress.js" in html and "nonce=" in html


def test_a_running_import_page_polls_its_progress(users, client_for, tmp_path):
    extract_import = extract_import_create(path=tmp_path, extracted_on=None)
    ExtractImport.objects.filter(pk=extract_import.pk).update(
        status=ImportStatus.RUNNING, row_counts={"structures.csv": 15, "jeunes.csv": 50_000}, step="Lecture"
    )
    client = client_for(users[Role.RELECTEUR_CNML])
    progress_url = reverse("admin:dashboard_extractimport_progress", args=[extract_import.pk])

    page = client.get(reverse("admin:dashboard_extractimport_change", args=[extract_import.pk])).content.decode()
    progress = client.get(progress_url).json()

    assert f'data-import-progress-url="{progress_url}"' in page
    assert progress == {
        "status": "en_cours",
        "status_label": "En cours",
        "step": "Lecture",
        "finished": False,
        "rows": {
            "structures.csv": "15",
            "jeunes.csv": "50\u202f000",
            "contacts.csv": "–",
            "situations.csv": "–",
            "dispositifs.csv": "–",
        },
    }


@pytest.mark.parametrize("role", OTHER_ROLES)
def test_other_roles_cannot_read_imports_nor_their_progress(role, users, client_for, tmp_path):
    extract_import = extract_import_create(path=tmp_path, extracted_on=None)
    client = client_for(users[role])

    for url in (
        reverse("admin:dashboard_extractimport_changelist"),
        reverse("admin:dashboard_extractimport_change", args=[extract_import.pk]),
        reverse("admin:dashboard_extractimport_progress", args=[extract_import.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("admin:login")), url


def test_import_records_are_read_only(users, client_for, sample_extract):
    extract_import = run_import(sample_extract)
    client = client_for(users[Role.ADMINISTRATEUR])

    changelist = client.get(reverse("admin:dashboard_extractimport_changelist"))
    edit = client.post(
        reverse("admin:dashboard_extractimport_change", args=[extract_import.pk]), {"source_label": "Autre"}
    )
    delete = client.post(reverse("admin:dashboard_extractimport_delete", args=[extract_import.pk]), {"post": "yes"})

    assert changelist.status_code == 200 and str(extract_import) in changelist.content.decode()
    assert edit.status_code == 403
    assert delete.status_code == 403
    extract_import.refresh_from_db()
    assert extract_import.source_label == "Parcours 3, entrepôt national"
