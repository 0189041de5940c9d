"""Long texts: light formatting (paragraphs, lists, links), sanitised; no HTML ever reaches a page."""

from __future__ import annotations

import pytest

from practices.models import LONG_TEXTS, Fiche, Status
from practices.richtext import clean_rich_text, plain_text, render_rich_text
from tests.practices.factories import PartnerFactory, make_fiche

SCRIPT = "<script>alert('xss')</script>"
IMG = '<img src="x" onerror="alert(1)">'


def test_paragraphs_line_breaks_and_lists():
    html = render_rich_text("Premier paragraphe\nsur deux lignes.\n\n- un\n- deux\n\n1. premier\n2) second")

    assert html == (
        "<p>Premier paragraphe<br>sur deux lignes.</p>"
        "<ul><li>un</li><li>deux</li></ul>"
        "<ol><li>premier</li><li>second</li></ol>"
    )


def test_links_are_made_from_addresses_and_light_syntax():
    html = render_rich_text("Voir www.cnml.fr, [le site](https://cnml.fr/a?b=1&c=2) ou ecrire@cnml.fr.")

    assert '<a href="https://www.cnml.fr" rel="noopener noreferrer nofollow">www.cnml.fr</a>' in html
    assert '<a href="https://cnml.fr/a?b=1&amp;c=2" rel="noopener noreferrer nofollow">le site</a>' in html
    assert '<a href="mailto:ecrire@cnml.fr" rel="noopener noreferrer nofollow">ecrire@cnml.fr</a>' in html


def test_javascript_links_are_not_made():
    html = render_rich_text("[clic](javascript:alert(1)) et javascript:alert(2)")

    assert "<a" not in html
    assert "href" not in html


def test_html_typed_by_authors_is_removed_on_input():
    cleaned = clean_rich_text(f"Avant {SCRIPT} <b>gras</b> {IMG} <a href='javascript:x'>lien</a> a < b & c")

    assert cleaned == "Avant  gras  lien a < b & c"
    assert "<" not in cleaned.replace("a < b", "")


def test_html_left_in_a_stored_text_is_escaped_on_output():
    html = render_rich_text("&lt;script&gt;alert(1)&lt;/script&gt; <b>x</b>")

    assert "<script" not in html
    assert "<b>" not in html


def test_only_allowed_tags_can_come_out():
    import re

    html = render_rich_text(f"- {SCRIPT}\n- {IMG} https://exemple.fr\n\n[a](https://x.fr) **gras** <em>i</em>")

    assert set(re.findall(r"<\s*([a-z0-9]+)", html)) <= {"p", "ul", "ol", "li", "br", "a"}


def test_plain_text_keeps_link_targets_readable():
    assert plain_text("Voir [le site](https://cnml.fr).") == "Voir le site (https://cnml.fr)."


@pytest.mark.django_db
def test_a_script_in_any_field_never_reaches_a_page(actors, network, client_for):
    """Everything an author types is rendered escaped or sanitised, on every page showing the fiche."""
    fiche = make_fiche(Status.PUBLIEE, structure=network.ml_a1, author=actors["conseiller"], title=f"Titre {SCRIPT}")
    # Stored as typed, to prove the output side alone is safe (the form also strips tags on input).
    Fiche.objects.filter(pk=fiche.pk).update(**dict.fromkeys(LONG_TEXTS, f"Texte {SCRIPT} {IMG}"))
    PartnerFactory(fiche=fiche, name=f"Partenaire {SCRIPT}", role=f"Rôle {IMG}")
    fiche.contacts.update(name=f"Contact {SCRIPT}")

    pages = {
        None: [
            "/bonnes-pratiques/",
            f"/bonnes-pratiques/fiche/{fiche.pk}/",
            f"/bonnes-pratiques/fiche/{fiche.pk}/imprimer/",
        ],
        actors["conseiller"]: ["/bonnes-pratiques/mes-fiches/", f"/bonnes-pratiques/fiche/{fiche.pk}/"],
        actors["relecteur"]: [
            f"/admin/practices/fiche/{fiche.pk}/change/",
            "/admin/practices/fiche/",
            "/bonnes-pratiques/relecture/?toutes=1",
        ],
    }
    for user, paths in pages.items():
        client = client_for(user)
        for path in paths:
            response = client.get(path)
            content = response.content.decode()
            assert response.status_code == 200, path
            assert "<script>alert" not in content, path
            assert '<img src="x"' not in content, path
            assert 'onerror="alert' not in content, path
    detail = client_for(None).get(f"/bonnes-pratiques/fiche/{fiche.pk}/").content.decode()
    assert "Titre &lt;script&gt;alert(&#x27;xss&#x27;)&lt;/script&gt;" in detail  # shown, as text
    assert "<p>Texte</p>" in detail  # the long texts lost the markup, kept the words


@pytest.mark.django_db
def test_form_strips_html_before_storing(actors, network, client_for):
    client = client_for(actors["conseiller"])
    data = {
        "title": f"Une fiche {SCRIPT}",
        "structure": network.ml_a1.pk,
        "context": f"Le contexte {SCRIPT}<b>gras</b>\n\n- un point",
        "action": "save",
        "partenaires-TOTAL_FORMS": "0",
        "partenaires-INITIAL_FORMS": "0",
        "contacts-TOTAL_FORMS": "0",
        "contacts-INITIAL_FORMS": "0",
    }

    response = client.post("/bonnes-pratiques/mes-fiches/nouvelle/", data)

    assert response.status_code == 302
    fiche = Fiche.objects.get()
    assert fiche.title == "Une fiche"
    assert fiche.context == "Le contexte gras\n\n- un point"
