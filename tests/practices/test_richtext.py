"""Long texts: light formatting (paragraphs, lists, links), sanitised; no HTML ever reaches a page."""

from __future__ import annotations

import random
import re
from html.parser import HTMLParser

import pytest

from practices.models import LONG_TEXTS, Fiche, Status
from practices.resources import FicheResource
from practices.richtext import clean_rich_text, plain_text, render_rich_text
from practices.search import fiche_search_text
from practices.versions import compare, fiche_content
from tests.practices.factories import PartnerFactory, make_fiche
from tests.practices.helpers import fiche_form_data

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


def test_html_typed_by_authors_is_stored_as_typed_and_shown_as_text():
    typed = f"Avant {SCRIPT} <b>gras</b> {IMG} <a href='javascript:x'>lien</a> a < b & c"

    html = render_rich_text(typed)

    assert clean_rich_text(typed) == typed
    assert html == (
        "<p>Avant &lt;script&gt;alert('xss')&lt;/script&gt; &lt;b&gt;gras&lt;/b&gt; "
        '&lt;img src="x" onerror="alert(1)"&gt; &lt;a href=\'javascript:x\'&gt;lien&lt;/a&gt; a &lt; b &amp; c</p>'
    )


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
            assert not re.search(r"<[a-z][^<>]*\bonerror=", content), path  # as text only, escaped
    detail = client_for(None).get(f"/bonnes-pratiques/fiche/{fiche.pk}/").content.decode()
    assert "Titre &lt;script&gt;alert(&#x27;xss&#x27;)&lt;/script&gt;" in detail  # shown, as text
    assert "<p>Texte &lt;script&gt;alert('xss')&lt;/script&gt; &lt;img src=" in detail  # shown, as text


@pytest.mark.django_db
def test_form_stores_html_as_typed(actors, network, client_for):
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
    assert fiche.title == f"Une fiche {SCRIPT}"
    assert fiche.context == f"Le contexte {SCRIPT}<b>gras</b>\n\n- un point"


# --- Nothing typed vanishes ------------------------------------------------------------------


class _TextContent(HTMLParser):
    """The text a reader sees in an HTML fragment, a space at each line break or block."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs) -> None:
        if tag in ("br", "p", "li", "ul", "ol"):
            self.parts.append(" ")

    def handle_endtag(self, tag) -> None:
        if tag in ("p", "li", "ul", "ol"):
            self.parts.append(" ")

    def handle_data(self, data) -> None:
        self.parts.append(data)


def text_content(fragment: str) -> str:
    parser = _TextContent()
    parser.feed(fragment)
    parser.close()
    return " ".join("".join(parser.parts).split())


def squeeze(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize(
    "typed",
    ["Écrire à <jean.dupont@ml.fr> pour tout", "16<x<25 ans", "a<b et c>d"],
)
def test_text_that_looks_like_a_tag_is_kept_and_shown_as_typed(typed):
    assert clean_rich_text(typed) == typed
    assert text_content(render_rich_text(typed)) == typed
    assert plain_text(typed) == typed


def test_an_address_between_angle_brackets_becomes_a_link_and_keeps_its_brackets():
    html = render_rich_text("Écrire à <jean.dupont@ml.fr> pour tout")

    assert html == (
        "<p>Écrire à &lt;"
        '<a href="mailto:jean.dupont@ml.fr" rel="noopener noreferrer nofollow">jean.dupont@ml.fr</a>'
        "&gt; pour tout</p>"
    )


def test_a_numbered_list_keeps_its_first_number():
    html = render_rich_text("3. troisième étape\n4. quatrième étape")

    assert html == '<ol start="3"><li>troisième étape</li><li>quatrième étape</li></ol>'


# Pieces an author may type that look like HTML, entities, links or light syntax.
TRICKY = [
    "<",
    ">",
    "&",
    '"',
    "'",
    "<<",
    ">>",
    "<>",
    "< >",
    "<3",
    "x>y",
    "a<b",
    "16<x<25",
    "<b>gras</b>",
    "</p>",
    "<p>",
    "<br>",
    "<li>",
    "<script>alert('x')</script>",
    "<style>p { color: red }</style>",
    '<img src="x" onerror="alert(1)">',
    '<a href="javascript:alert(1)">clic</a>',
    '<a href="https://cnml.fr">site</a>',
    "<!-- commentaire -->",
    "<!DOCTYPE html>",
    "<![CDATA[donnée]]>",
    "<?php echo 1; ?>",
    "</textarea>",
    "<jean.dupont@ml.fr>",
    "<https://cnml.fr/a?b=1&c=2>",
    "www.cnml.fr",
    "ecrire@cnml.fr",
    "https://exemple.fr/page",
    "&lt;b&gt;",
    "&amp;",
    "&#60;",
    "&nbsp;",
    "&copy",
    "**gras**",
    "_souligné_",
    "[crochets]",
    "(parenthèses)",
    "« guillemets »",
    "l'apostrophe",
    "\\",
    "`code`",
    "{{ variable }}",
    "{% tag %}",
    "%s",
]
WORDS = ["jeunes", "mission", "locale", "été", "Pôle", "emploi", "25", "ans", "œuvre", "ça", "CNML", "2011"]


def tricky_texts(count: int = 400, seed: int = 2011) -> list[str]:
    """Texts mixing words and tricky pieces, on one or several lines and paragraphs."""
    generator = random.Random(seed)
    texts = list(TRICKY)
    for _ in range(count):
        pieces = [generator.choice(TRICKY + WORDS) for _ in range(generator.randint(1, 12))]
        separators = [generator.choice([" ", " ", " ", "", "\n", "\n\n", "\t"]) for _ in pieces]
        texts.append("".join(piece + separator for piece, separator in zip(pieces, separators, strict=True)))
    return texts


def without_light_syntax(text: str) -> str:
    """What a reader should see of a text: all of it, but the list markers and the link targets of [texte](…)."""
    lines = [re.sub(r"^\s*(?:[-*•]|\d{1,3}[.)])\s+", "", line) for line in text.split("\n")]
    return re.sub(r"\[([^\]\n]{1,300})\]\((?:https?://|mailto:)[^\s)]{1,2000}\)", r"\1", "\n".join(lines))


def test_every_word_typed_is_in_the_rendered_text():
    failures = []
    for typed in tricky_texts():
        html = render_rich_text(typed)
        expected = squeeze(without_light_syntax(typed))
        shown = text_content(html)
        if shown != expected or re.findall(r"\w+", shown) != re.findall(r"\w+", expected):
            failures.append((typed, shown))
        if not set(re.findall(r"<\s*([a-zA-Z0-9]+)", html)) <= {"p", "ul", "ol", "li", "br", "a"}:
            failures.append((typed, html))
        if re.search(r'<a [^>]*href="(?!https?://|mailto:)', html):
            failures.append((typed, html))

    assert not failures, f"{len(failures)} texts lose what was typed, e.g. {failures[:3]}"


@pytest.mark.django_db
def test_an_author_saves_texts_with_angle_brackets_and_every_page_shows_them(actors, network, client_for):
    texts = {
        "title": "Les 16<x<25 ans & leurs <familles>",
        "context": "Écrire à <jean.dupont@ml.fr> pour tout",
        "objectives": "- 16<x<25 ans\n- a<b et c>d",
        "description": "a<b et c>d\n\n<b>gras</b> & <script>alert(1)</script> &lt;i&gt;",
    }
    client = client_for(actors["conseiller"])

    response = client.post(
        "/bonnes-pratiques/mes-fiches/nouvelle/", fiche_form_data(structure=network.ml_a1, action="preview", **texts)
    )

    fiche = Fiche.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/bonnes-pratiques/fiche/{fiche.pk}/"
    assert {name: getattr(fiche, name) for name in texts} == texts
    for path in (f"/bonnes-pratiques/fiche/{fiche.pk}/", f"/bonnes-pratiques/fiche/{fiche.pk}/imprimer/"):
        page = client.get(path).content.decode()
        shown = text_content(page)
        for typed in [texts["title"], texts["context"], "16<x<25 ans a<b et c>d", *texts["description"].split("\n\n")]:
            assert typed in shown, (path, typed)
        assert '<a href="mailto:jean.dupont@ml.fr" rel="noopener noreferrer nofollow">' in page, path
        assert "<script>alert" not in page, path
        assert "<b>gras" not in page, path
    # Opened again, the form holds the texts as typed; saved again, nothing changes.
    form_page = client.get(f"/bonnes-pratiques/fiche/{fiche.pk}/modifier/").content.decode()
    assert "Écrire à &lt;jean.dupont@ml.fr&gt; pour tout</textarea>" in form_page
    fiche.refresh_from_db()
    client.post(f"/bonnes-pratiques/fiche/{fiche.pk}/modifier/", fiche_form_data(fiche, action="save"))
    fiche.refresh_from_db()
    assert fiche.revision == 2
    assert {name: getattr(fiche, name) for name in texts} == texts


@pytest.mark.django_db
def test_versions_search_and_census_export_keep_text_that_looks_like_a_tag(network):
    fiche = make_fiche(
        Status.PUBLIEE,
        structure=network.ml_a1,
        title="Les 16<x<25 ans",
        objectives="a<b et c>d",
        results="Écrire à <jean.dupont@ml.fr> pour tout",
    )

    content = fiche_content(fiche)
    changes = {change.key: change.html for change in compare({**content, "objectives": "a et"}, content)}
    exported = FicheResource().export(queryset=Fiche.objects.filter(pk=fiche.pk)).dict[0]

    assert (content["objectives"], content["results"]) == ("a<b et c>d", "Écrire à <jean.dupont@ml.fr> pour tout")
    assert changes == {"objectives": "<del>a et</del><ins>a&lt;b et c&gt;d</ins>"}
    assert " 16 x 25 ans " in fiche_search_text(fiche)
    assert " a b et c d " in fiche_search_text(fiche)
    assert (exported["titre"], exported["objectifs"], exported["resultats"]) == (
        "Les 16<x<25 ans",
        "a<b et c>d",
        "Écrire à <jean.dupont@ml.fr> pour tout",
    )
