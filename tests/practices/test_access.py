"""A fiche and its attachments by id: one access helper each, 404 outside what the user may reach."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from django.http import Http404

from practices import permissions
from practices.models import Attachment, Status
from tests.practices.factories import make_fiche
from tests.practices.helpers import PDF_BYTES

pytestmark = pytest.mark.django_db


def test_a_fiche_is_found_for_whoever_may_see_it_and_is_a_404_for_the_others(actors, network):
    draft = make_fiche(structure=network.ml_a1, author=actors["conseiller"])

    assert permissions.get_fiche_for(actors["directeur"], draft.pk) == draft
    for name in ("outsider", "colleague_a2", "relecteur", "anonyme"):
        with pytest.raises(Http404):
            permissions.get_fiche_for(actors[name], draft.pk)
    with pytest.raises(Http404):
        permissions.get_fiche_for(actors["directeur"], draft.pk + 1000)
    with pytest.raises(Http404):
        permissions.get_fiche_for(actors["directeur"], "abc")


def test_followed_and_authored_fiches_are_narrower_scopes(actors, network):
    published = make_fiche(Status.PUBLIEE, structure=network.ml_a1, author=actors["conseiller"])

    assert permissions.get_fiche_for(actors["outsider"], published.pk) == published  # the catalogue
    with pytest.raises(Http404):
        permissions.get_fiche_for(actors["outsider"], published.pk, among=permissions.followed_fiches)
    assert permissions.get_fiche_for(actors["animateur"], published.pk, among=permissions.followed_fiches)
    with pytest.raises(Http404):
        permissions.get_fiche_for(actors["animateur"], published.pk, among=permissions.authored_fiches)
    assert permissions.get_fiche_for(actors["directeur"], published.pk, among=permissions.authored_fiches)


def test_an_attachment_is_found_only_through_a_fiche_the_user_may_read(actors, network):
    draft = make_fiche(structure=network.ml_a1, author=actors["conseiller"])
    other = make_fiche(structure=network.ml_b1)
    attachment = Attachment.objects.create(fiche=draft, file=ContentFile(PDF_BYTES, name="a.pdf"), name="a.pdf")

    assert permissions.get_attachment_for(actors["conseiller"], draft.pk, attachment.pk) == attachment
    with pytest.raises(Http404):
        permissions.get_attachment_for(actors["outsider"], draft.pk, attachment.pk)
    with pytest.raises(Http404):
        permissions.get_attachment_for(actors["conseiller"], other.pk, attachment.pk)  # not this fiche's
