"""Attachments: type checked by content, 10 MB at most, stored privately, served only to those allowed."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from practices.models import MAX_ATTACHMENTS, Attachment, Fiche, Status
from tests.practices.factories import make_fiche
from tests.practices.helpers import PDF_BYTES, PNG_BYTES, fiche_form_data

pytestmark = pytest.mark.django_db


def upload(name: str, content: bytes, content_type: str = "application/pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def post_with_files(client, fiche, *files):
    data = fiche_form_data(fiche)
    data["new_attachments"] = list(files)
    return client.post(f"/bonnes-pratiques/fiche/{fiche.pk}/modifier/", data)


@pytest.fixture
def draft(actors, network):
    return make_fiche(structure=network.ml_a1, author=actors["conseiller"])


def test_valid_files_are_stored_outside_the_public_media(actors, draft, client_for, private_media):
    response = post_with_files(
        client_for(actors["conseiller"]),
        draft,
        upload("programme des sessions.pdf", PDF_BYTES),
        upload("affiche.png", PNG_BYTES, "image/png"),
    )

    assert response.status_code == 302
    attachments = list(draft.attachments.order_by("name"))
    assert [(a.name, a.size, a.uploaded_by) for a in attachments] == [
        ("affiche.png", len(PNG_BYTES), actors["conseiller"]),
        ("programme des sessions.pdf", len(PDF_BYTES), actors["conseiller"]),
    ]
    for attachment in attachments:
        stored = Path(private_media) / attachment.file.name
        assert stored.read_bytes() in (PDF_BYTES, PNG_BYTES)
        assert attachment.file.name.startswith(f"practices/{draft.pk}/")
        assert "programme" not in attachment.file.name  # random stored names
        assert not str(stored).startswith(str(settings.MEDIA_ROOT))


def test_other_content_renamed_pdf_is_refused(actors, draft, client_for):
    html = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"

    response = post_with_files(client_for(actors["conseiller"]), draft, upload("rapport.pdf", html))

    content = response.content.decode()
    assert response.status_code == 400
    assert "Le contenu du fichier « rapport.pdf » n&#x27;est pas d&#x27;un type accepté" in content
    assert not Attachment.objects.exists()


def test_executable_renamed_docx_is_refused(actors, draft, client_for):
    response = post_with_files(
        client_for(actors["conseiller"]), draft, upload("cv.docx", b"MZ\x90\x00" + b"\x00" * 100)
    )

    assert response.status_code == 400
    assert not Attachment.objects.exists()


def test_file_over_ten_megabytes_is_refused(actors, draft, client_for):
    big = PDF_BYTES + b"0" * (10 * 1024 * 1024)

    response = post_with_files(client_for(actors["conseiller"]), draft, upload("gros.pdf", big))

    assert response.status_code == 400
    assert "dépasse la taille maximale de 10 Mo" in response.content.decode()
    assert not Attachment.objects.exists()


def test_one_bad_file_refuses_the_whole_save_and_asks_to_choose_again(actors, draft, client_for):
    response = post_with_files(
        client_for(actors["conseiller"]), draft, upload("bon.pdf", PDF_BYTES), upload("faux.pdf", b"pas un pdf")
    )

    content = response.content.decode()
    assert response.status_code == 400
    assert "Choisissez-les à nouveau" in content
    assert not Attachment.objects.exists()


def test_number_of_attachments_is_limited(actors, draft, client_for):
    files = [upload(f"piece-{number}.pdf", PDF_BYTES) for number in range(MAX_ATTACHMENTS + 1)]

    response = post_with_files(client_for(actors["conseiller"]), draft, *files)

    assert response.status_code == 400
    assert f"Une fiche compte au plus {MAX_ATTACHMENTS} pièces jointes." in response.content.decode()


def test_attachment_can_be_removed_and_its_file_deleted(
    actors, draft, client_for, private_media, django_capture_on_commit_callbacks
):
    client = client_for(actors["conseiller"])
    post_with_files(client, draft, upload("programme.pdf", PDF_BYTES))
    attachment = draft.attachments.get()
    stored = Path(private_media) / attachment.file.name
    data = fiche_form_data(Fiche.objects.get(pk=draft.pk), remove_attachments=[str(attachment.pk)])

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/bonnes-pratiques/fiche/{draft.pk}/modifier/", data)

    assert response.status_code == 302
    assert not draft.attachments.exists()
    assert not stored.exists()


@pytest.mark.parametrize("how", ["one", "selection"])
def test_fiches_deleted_in_the_admin_take_their_files_once_the_deletion_commits(
    actors, draft, client_for, private_media, django_capture_on_commit_callbacks, how
):
    from django.contrib import admin

    post_with_files(client_for(actors["conseiller"]), draft, upload("programme.pdf", PDF_BYTES))
    stored = Path(private_media) / draft.attachments.get().file.name
    assert stored.exists()
    fiche_admin = admin.site._registry[Fiche]

    with django_capture_on_commit_callbacks(execute=True):
        if how == "one":
            fiche_admin.delete_model(None, draft)
        else:
            fiche_admin.delete_queryset(None, Fiche.objects.filter(pk=draft.pk))

    assert not Fiche.objects.filter(pk=draft.pk).exists()
    assert not stored.exists()


def test_attachment_of_a_draft_is_served_only_to_its_structure(actors, draft, client_for):
    post_with_files(client_for(actors["conseiller"]), draft, upload("programme.pdf", PDF_BYTES))
    url = draft.attachments.get().get_absolute_url()

    for name in ("conseiller", "directeur"):
        response = client_for(actors[name]).get(url)
        assert response.status_code == 200, name
        assert b"".join(response.streaming_content) == PDF_BYTES
        assert response["Content-Type"] == "application/pdf"
        assert 'filename="programme.pdf"' in response["Content-Disposition"]
    for name in ("colleague_a2", "outsider", "animateur", "relecteur", "anonyme"):
        user = None if name == "anonyme" else actors[name]
        assert client_for(user).get(url).status_code == 404, name


def test_attachment_of_a_published_fiche_is_public(actors, network, client_for):
    fiche = make_fiche(structure=network.ml_a1, author=actors["conseiller"])
    post_with_files(client_for(actors["conseiller"]), fiche, upload("programme.pdf", PDF_BYTES))
    Fiche.objects.filter(pk=fiche.pk).update(status=Status.PUBLIEE)
    attachment = fiche.attachments.get()

    page = client_for(None).get(f"/bonnes-pratiques/fiche/{fiche.pk}/").content.decode()
    response = client_for(None).get(attachment.get_absolute_url())

    assert attachment.get_absolute_url() in page
    assert response.status_code == 200


def test_attachment_url_of_another_fiche_is_not_found(actors, network, client_for):
    fiche = make_fiche(structure=network.ml_a1, author=actors["conseiller"])
    public = make_fiche(Status.PUBLIEE, structure=network.ml_a1)
    post_with_files(client_for(actors["conseiller"]), fiche, upload("programme.pdf", PDF_BYTES))
    attachment = fiche.attachments.get()

    response = client_for(None).get(f"/bonnes-pratiques/fiche/{public.pk}/pieces-jointes/{attachment.pk}/")

    assert response.status_code == 404
