"""Project documents: type checked by content, size limited, stored privately under a random name, served after a
permission check under the name they were deposited with."""

from __future__ import annotations

from importlib import import_module
from pathlib import Path

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cnml.models import Role
from mobility.models import ProjectDocument
from tests.mobility.factories import text

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def upload(client, project, content: bytes, name: str = "convention.pdf"):
    return client.post(
        f"/mobilite/projets/{project.pk}/documents/ajouter/",
        {"kind": "convention", "title": "Convention de financement", "file": SimpleUploadedFile(name, content)},
    )


def test_carrier_uploads_a_private_document_served_to_readers_only(
    client_for, users, outsider, member, project, private_media, settings
):
    response = upload(client_for(users[Role.CONSEILLER]), project, PDF)

    document = ProjectDocument.objects.get()
    assert response.status_code == 302
    assert document.uploaded_by == users[Role.CONSEILLER]
    # Stored outside MEDIA_ROOT, in the private folder.
    assert document.file.path.startswith(str(private_media))
    assert not document.file.path.startswith(str(settings.MEDIA_ROOT))

    url = f"/mobilite/projets/{project.pk}/documents/{document.pk}/"
    for reader in (users[Role.RELECTEUR_CNML], users[Role.ANIMATEUR_REGIONAL], outsider):
        served = client_for(reader).get(url)
        assert served.status_code == 200
        assert served["Content-Type"] == "application/pdf"
        assert served["Content-Disposition"].startswith("attachment")
        assert b"".join(served.streaming_content) == PDF
    assert client_for(member).get(url).status_code == 404
    assert client_for(None).get(url).status_code == 302


def test_a_document_is_stored_under_a_random_name_and_downloaded_under_its_own(
    client_for, users, project, private_media
):
    client = client_for(users[Role.CONSEILLER])
    upload(client, project, PDF, name="convention-financement.pdf")

    document = ProjectDocument.objects.get()
    assert document.name == "convention-financement.pdf"
    # Neither guessable nor the user's: a name typed by someone else cannot overwrite nor reveal it.
    assert document.file.name.startswith(f"mobilite/projets/{project.pk}/")
    assert document.file.name.endswith(".pdf")
    assert "convention-financement" not in document.file.name
    served = client.get(document.get_absolute_url())
    assert served["Content-Disposition"] == 'attachment; filename="convention-financement.pdf"'


def test_documents_stored_before_random_names_take_their_name_from_their_stored_path(project):
    migration = import_module("mobility.migrations.0002_projectdocument_name")
    old = ProjectDocument.objects.create(
        project=project, title="Convention", file=f"mobilite/projets/{project.pk}/Convention signée.pdf"
    )
    named = ProjectDocument.objects.create(
        project=project, title="Bilan", file=f"mobilite/projets/{project.pk}/0a1b.pdf", name="bilan.pdf"
    )

    migration.name_from_stored_path(apps, None)

    old.refresh_from_db()
    named.refresh_from_db()
    assert (old.name, named.name) == ("Convention signée.pdf", "bilan.pdf")
    assert old.file.name == f"mobilite/projets/{project.pk}/Convention signée.pdf"  # the file stays where it is


def test_a_file_whose_content_is_not_an_accepted_type_is_refused(client_for, users, project):
    response = upload(client_for(users[Role.CONSEILLER]), project, b"#!/bin/sh\necho pirate\n", name="budget.pdf")

    assert response.status_code == 200
    assert "Le contenu du fichier « budget.pdf » n'est pas d'un type accepté" in text(response)
    assert not ProjectDocument.objects.exists()


def test_a_file_too_large_is_refused(client_for, users, project, monkeypatch):
    from cnml import uploads

    big = PDF + b"0" * (uploads.MAX_UPLOAD_BYTES + 1)

    response = upload(client_for(users[Role.CONSEILLER]), project, big)

    assert "dépasse la taille maximale de 10 Mo" in text(response)
    assert not ProjectDocument.objects.exists()


def test_a_document_of_another_project_is_not_reachable_through_this_one(
    client_for, users, project, call, cat, network
):
    from tests.mobility.factories import CarrierFactory, make_project

    other = make_project(
        call=call, user=users[Role.RELECTEUR_CNML], carrier=CarrierFactory(region=network.region_b), cat=cat
    )
    upload(client_for(users[Role.RELECTEUR_CNML]), other, PDF)
    document = ProjectDocument.objects.get(project=other)

    response = client_for(users[Role.CONSEILLER]).get(f"/mobilite/projets/{project.pk}/documents/{document.pk}/")

    assert response.status_code == 404


@pytest.mark.parametrize("how", ["one", "selection"])
def test_projects_deleted_in_the_admin_take_their_documents_files_once_the_deletion_commits(
    client_for, users, project, call, cat, network, django_capture_on_commit_callbacks, how
):
    from django.contrib import admin

    from mobility.models import Project
    from tests.mobility.factories import CarrierFactory, make_project

    other = make_project(
        call=call, user=users[Role.RELECTEUR_CNML], carrier=CarrierFactory(region=network.region_b), cat=cat
    )
    for each in (project, other):
        upload(client_for(users[Role.RELECTEUR_CNML]), each, PDF)
    path = Path(ProjectDocument.objects.get(project=project).file.path)
    kept = Path(ProjectDocument.objects.get(project=other).file.path)
    project_admin = admin.site._registry[Project]

    with django_capture_on_commit_callbacks(execute=True):
        if how == "one":
            project_admin.delete_model(None, project)
        else:
            project_admin.delete_queryset(None, Project.objects.filter(pk=project.pk))

    assert not Project.objects.filter(pk=project.pk).exists()
    assert not path.exists()
    assert kept.exists()


def test_a_document_deleted_on_its_project_admin_page_takes_its_file(
    django_app, client_for, users, project, django_capture_on_commit_callbacks
):
    upload(client_for(users[Role.RELECTEUR_CNML]), project, PDF)
    path = Path(ProjectDocument.objects.get().file.path)
    django_app.set_user(users[Role.ADMINISTRATEUR])
    form = django_app.get(reverse("admin:mobility_project_change", args=[project.pk])).forms["project_form"]
    form["documents-0-DELETE"] = True

    with django_capture_on_commit_callbacks(execute=True):
        assert form.submit("_save").status_code == 302

    assert not ProjectDocument.objects.exists()
    assert not path.exists()


def test_the_project_admin_shows_documents_by_their_name_and_offers_none_to_add(django_app, client_for, users, project):
    upload(client_for(users[Role.RELECTEUR_CNML]), project, PDF, name="convention-financement.pdf")
    django_app.set_user(users[Role.ADMINISTRATEUR])

    page = django_app.get(reverse("admin:mobility_project_change", args=[project.pk]))

    assert "convention-financement.pdf" in page.text
    # A document is deposited on the project page, where its file is checked: the admin has no row to fill.
    assert page.forms["project_form"]["documents-MAX_NUM_FORMS"].value == "0"
    assert "documents-__prefix__" not in page.text
