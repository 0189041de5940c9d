"""An agreement's documents: deposited by CNML roles on the follow-up page, type checked by content and size
limited, stored privately under a random name; the signed text and annexes of a signed or renewed agreement
are read by everyone, every document by the agreement's followers; 404 for anyone else."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.urls import reverse

from alternance.models import AgreementDocument, DocumentKind
from cnml import uploads
from cnml.models import Role
from tests.alternance.conftest import PDF, add_url, make_document, move, upload
from tests.alternance.test_pages import ANONYMOUS, NATIONAL, VISITORS, client_of
from tests.pages import page_text

pytestmark = pytest.mark.django_db


def plain(text: str) -> str:
    """No-break spaces as plain ones: the wording is checked, its French typography elsewhere."""
    return text.replace("\u00a0", " ").replace("\u202f", " ")


def download(client, document):
    return client.get(document.get_absolute_url())


def test_a_cnml_reviewer_deposits_the_signed_text_kept_privately_under_a_random_name(
    client_for, users, agreements, private_media, settings
):
    response = upload(client_for(users[Role.RELECTEUR_CNML]), agreements.signed)

    assert response.status_code == 302
    assert response["Location"] == reverse("alternance:follow_up_detail", args=[agreements.signed.pk])
    document = AgreementDocument.objects.get()
    assert (document.agreement, document.kind, document.title) == (
        agreements.signed,
        DocumentKind.TEXTE_SIGNE,
        "Texte signé de la convention",
    )
    assert (document.name, document.size, document.uploaded_by) == (
        "convention-signee.pdf",
        len(PDF),
        users[Role.RELECTEUR_CNML],
    )
    # Outside the public media, under a name neither guessable nor the user's.
    assert document.file.path.startswith(str(private_media))
    assert not document.file.path.startswith(str(settings.MEDIA_ROOT))
    assert "convention-signee" not in document.file.name
    assert document.file.name.startswith(f"alternance/{agreements.signed.pk}/")


@pytest.mark.parametrize("visitor", VISITORS)
def test_only_cnml_roles_reach_the_deposit_form(client_for, users_all, agreements, visitor):
    client = client_of(client_for, users_all, visitor)

    response = client.get(add_url(agreements.signed))
    posted = upload(client, agreements.signed)

    if visitor == ANONYMOUS:
        assert (response.status_code, posted.status_code) == (302, 302)
        assert not AgreementDocument.objects.exists()
    elif visitor in NATIONAL:
        assert response.status_code == 200
        assert posted.status_code == 302 and AgreementDocument.objects.count() == 1
    else:
        # The region's animator follows the agreement but deposits nothing: the form does not exist for them.
        assert (response.status_code, posted.status_code) == (404, 404)
        assert not AgreementDocument.objects.exists()


def test_a_file_whose_content_is_not_accepted_is_refused_in_french_and_the_form_keeps_what_was_typed(
    client_for, users, agreements
):
    response = upload(
        client_for(users[Role.RELECTEUR_CNML]),
        agreements.signed,
        content=b"#!/bin/sh\necho pirate\n",
        name="annexe.pdf",
        kind=DocumentKind.ANNEXE,
        title="Annexe financière 2012",
    )

    assert response.status_code == 200
    text = page_text(response, plain_spaces=True)
    assert plain("Le contenu du fichier « annexe.pdf » n'est pas d'un type accepté") in text
    assert 'value="Annexe financière 2012"' in text
    assert response.context["form"]["kind"].value() == DocumentKind.ANNEXE
    assert not AgreementDocument.objects.exists()


def test_a_file_too_large_is_refused(client_for, users, agreements):
    big = PDF + b"0" * (uploads.MAX_UPLOAD_BYTES + 1)

    response = upload(client_for(users[Role.RELECTEUR_CNML]), agreements.signed, content=big)

    assert response.status_code == 200
    assert plain("dépasse la taille maximale de 10 Mo") in page_text(response, plain_spaces=True)
    assert not AgreementDocument.objects.exists()


def test_a_missing_title_or_file_is_told_and_nothing_is_kept(client_for, users, agreements):
    response = client_for(users[Role.RELECTEUR_CNML]).post(add_url(agreements.signed), {"kind": "texte_signe"})

    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"title", "file"}
    assert not AgreementDocument.objects.exists()


def expected_download(visitor, *, public: bool, followed_by_animator: bool) -> int:
    if public:
        return 200
    if visitor in NATIONAL or (visitor == Role.ANIMATEUR_REGIONAL and followed_by_animator):
        return 200
    return 404


@pytest.mark.parametrize("visitor", VISITORS)
def test_each_role_downloads_what_it_may_read_and_nothing_else(client_for, users_all, agreements, visitor):
    signed_text = make_document(agreements.signed, DocumentKind.TEXTE_SIGNE)
    annex = make_document(agreements.signed, DocumentKind.ANNEXE)
    working = make_document(agreements.signed, DocumentKind.DOCUMENT_DE_TRAVAIL)
    draft_text = make_document(agreements.draft, DocumentKind.TEXTE_SIGNE)  # not signed yet: not public
    other_working = make_document(agreements.other, DocumentKind.DOCUMENT_DE_TRAVAIL)  # region B's agreement
    client = client_of(client_for, users_all, visitor)

    assert download(client, signed_text).status_code == 200
    assert download(client, annex).status_code == 200
    assert download(client, working).status_code == expected_download(visitor, public=False, followed_by_animator=True)
    assert download(client, draft_text).status_code == expected_download(
        visitor, public=False, followed_by_animator=True
    )
    assert download(client, other_working).status_code == expected_download(
        visitor, public=False, followed_by_animator=False
    )


def test_a_document_is_served_as_an_attachment_of_its_sniffed_type_under_its_own_name(client, agreements):
    document = make_document(agreements.signed, DocumentKind.TEXTE_SIGNE)

    response = download(client, document)

    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"] == 'attachment; filename="doc.pdf"'
    assert b"".join(response.streaming_content) == PDF


def test_a_document_is_not_reachable_through_another_agreement(client_for, users, agreements):
    document = make_document(agreements.signed, DocumentKind.TEXTE_SIGNE)
    url = reverse("alternance:document", args=[agreements.other.pk, document.pk])

    assert client_for(users[Role.RELECTEUR_CNML]).get(url).status_code == 404


def test_the_signed_text_leaves_the_public_once_the_agreement_ends(client_for, users, agreements):
    document = make_document(agreements.signed, DocumentKind.TEXTE_SIGNE)
    reviewer = client_for(users[Role.RELECTEUR_CNML])
    move(reviewer, agreements.signed, "terminer", "Convention arrivée à échéance.")

    assert client_for(None).get(document.get_absolute_url()).status_code == 404
    assert client_for(users[Role.ANIMATEUR_REGIONAL]).get(document.get_absolute_url()).status_code == 200


def test_the_public_page_lists_the_signed_text_and_annexes_and_the_follow_up_every_document(
    client, client_for, users, agreements
):
    make_document(agreements.signed, DocumentKind.TEXTE_SIGNE, "Texte de la convention")
    make_document(agreements.signed, DocumentKind.ANNEXE, "Annexe des métiers")
    make_document(agreements.signed, DocumentKind.DOCUMENT_DE_TRAVAIL, "Compte rendu de la négociation")

    public = client.get(reverse("alternance:agreement", args=[agreements.signed.pk])).text
    follow_up = client_for(users[Role.ANIMATEUR_REGIONAL]).get(
        reverse("alternance:follow_up_detail", args=[agreements.signed.pk])
    )

    assert "Texte de la convention" in public and "Annexe des métiers" in public
    assert "Compte rendu de la négociation" not in public
    for title in ("Texte de la convention", "Annexe des métiers", "Compte rendu de la négociation"):
        assert title in follow_up.text
    # The animator reads them; only CNML roles deposit and remove.
    assert add_url(agreements.signed) not in follow_up.text
    assert "Retirer" not in follow_up.text
    national = client_for(users[Role.RELECTEUR_CNML]).get(
        reverse("alternance:follow_up_detail", args=[agreements.signed.pk])
    )
    assert add_url(agreements.signed) in national.text


def test_a_cnml_role_removes_a_document_and_its_file_leaves_the_disk(
    client_for, users, agreements, django_capture_on_commit_callbacks
):
    document = make_document(agreements.signed, DocumentKind.DOCUMENT_DE_TRAVAIL)
    path = document.file.path
    url = reverse("alternance:document_remove", args=[agreements.signed.pk, document.pk])

    assert client_for(users[Role.ANIMATEUR_REGIONAL]).post(url).status_code == 404
    assert client_for(users[Role.RELECTEUR_CNML]).get(url).status_code == 405
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(users[Role.RELECTEUR_CNML]).post(url)

    assert response.status_code == 302
    assert not AgreementDocument.objects.exists()
    assert not Path(path).exists()


@pytest.mark.parametrize("how", ["one", "selection"])
def test_agreements_deleted_in_the_admin_take_their_files_once_the_deletion_commits(
    agreements, django_capture_on_commit_callbacks, how
):
    from django.contrib import admin

    from alternance.models import Agreement

    path = make_document(agreements.signed, DocumentKind.ANNEXE).file.path
    kept = make_document(agreements.draft, DocumentKind.ANNEXE).file.path
    agreement_admin = admin.site._registry[Agreement]

    with django_capture_on_commit_callbacks(execute=True):
        if how == "one":
            agreement_admin.delete_model(None, agreements.signed)
        else:
            agreement_admin.delete_queryset(None, Agreement.objects.filter(pk=agreements.signed.pk))

    assert not Path(path).exists()
    assert Path(kept).exists()


def test_the_follow_up_marks_public_what_everyone_downloads_and_the_rest_reserved(
    client, client_for, users, agreements
):
    signed_text = make_document(agreements.signed, DocumentKind.TEXTE_SIGNE, "Texte de la convention")
    make_document(agreements.signed, DocumentKind.DOCUMENT_DE_TRAVAIL, "Compte rendu")
    make_document(agreements.draft, DocumentKind.ANNEXE, "Annexe du projet")  # the agreement is not signed yet
    reviewer = client_for(users[Role.RELECTEUR_CNML])

    def marks(agreement) -> tuple[int, int]:
        """How many documents the follow-up marks public, and how many reserved."""
        text = page_text(reviewer.get(reverse("alternance:follow_up_detail", args=[agreement.pk])))
        return text.count("Public — déposé"), text.count("Réservé au suivi — déposé")

    assert marks(agreements.signed) == (1, 1)
    assert marks(agreements.draft) == (0, 1)
    assert download(client, signed_text).status_code == 200
    move(reviewer, agreements.signed, "terminer", "Convention arrivée à échéance.")
    assert marks(agreements.signed) == (0, 2)
    assert download(client, signed_text).status_code == 404
