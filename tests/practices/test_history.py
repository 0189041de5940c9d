"""A fiche's history, on its page and in the admin, is the shared one (cnml/includes/history.html)."""

from __future__ import annotations

import pytest

from cnml.workflows import history
from practices import services
from practices.models import Status
from tests.practices.factories import make_fiche

pytestmark = pytest.mark.django_db


def test_the_fiche_page_shows_its_moves_with_the_shared_history(actors, network, client_for):
    fiche = make_fiche(Status.EN_RELECTURE, structure=network.ml_a1, author=actors["conseiller"])
    services.fiche_request_changes(fiche=fiche, actor=actors["animateur"], comment="Précisez le budget.")
    [entry] = history(fiche)

    content = client_for(actors["conseiller"]).get(fiche.get_absolute_url()).content.decode()

    assert '<ol class="cnml-history">' in content
    assert f"<strong>{entry.when}</strong>" in content
    assert "En relecture →" in content and "<strong>À compléter</strong>, par " in content
    assert '<blockquote class="cnml-history__comment">Précisez le budget.</blockquote>' in content


def test_a_draft_page_says_the_fiche_was_not_submitted_yet(actors, network, client_for):
    fiche = make_fiche(structure=network.ml_a1, author=actors["conseiller"])

    content = client_for(actors["conseiller"]).get(fiche.get_absolute_url()).content.decode()

    assert "<h2>Historique</h2>" in content
    assert "a pas encore été soumise." in content  # the include's "empty" sentence (apostrophe escaped)


def test_the_admin_change_page_shows_the_same_history(actors, network, client_for):
    fiche = make_fiche(Status.EN_RELECTURE, structure=network.ml_a1, author=actors["conseiller"])
    services.fiche_request_changes(fiche=fiche, actor=actors["relecteur"], comment="Précisez.")

    content = client_for(actors["relecteur"]).get(f"/admin/practices/fiche/{fiche.pk}/change/").content.decode()

    assert '<ol class="cnml-history">' in content
    assert '<blockquote class="cnml-history__comment">Précisez.</blockquote>' in content
