"""Project documents: type checked by content, size limited, stored privately, served after a permission check."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

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
