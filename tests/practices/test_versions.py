"""Snapshots of submitted versions and the differences shown to reviewers."""

from __future__ import annotations

import pytest

from practices.models import Status
from practices.versions import CONTENT_LABELS, compare, diff_html, fiche_content
from tests.practices.factories import PartnerFactory, ThemeFactory, make_fiche


def test_changed_passage_reads_as_one_block():
    html = diff_html(
        "40 jeunes concernés la première année ; des retours positifs.",
        "40 jeunes reçus au point santé ; 25 ont engagé des soins.",
    )

    assert html == (
        "40 jeunes<del> concernés la première année ; des retours positifs.</del>"
        "<ins> reçus au point santé ; 25 ont engagé des soins.</ins>"
    )


def test_additions_and_removals_alone():
    assert diff_html("Une pratique", "Une pratique à Lille") == "Une pratique<ins> à Lille</ins>"
    assert diff_html("Un conseiller à mi-temps.", "") == "<del>Un conseiller à mi-temps.</del>"
    assert diff_html("- un\n- deux", "- un\n- deux\n- trois") == "- un<br>- deux<ins><br>- trois</ins>"


def test_diff_escapes_the_texts():
    html = diff_html("<b>a</b>", "<script>alert(1)</script>")

    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    assert "<b>" not in html


@pytest.mark.django_db
def test_snapshot_holds_every_part_of_the_model_fiche(network):
    fiche = make_fiche(
        Status.SOUMISE, structure=network.ml_a1, themes=[ThemeFactory(slug="sante", name="Santé")], end_date=None
    )
    PartnerFactory(fiche=fiche, kind="opca", name="OPCA du commerce", role="Finance.")

    content = fiche_content(fiche)

    assert set(content) == set(CONTENT_LABELS)
    assert content["themes"] == "Santé"
    assert content["partners"] == "OPCA — OPCA du commerce : Finance."
    assert content["contacts"] == "Camille Martin, Conseillère, camille@ml.fr"
    assert content["dates"] == "01/09/2011"
    assert content["structure"] == str(network.ml_a1)


def test_compare_lists_only_the_changed_parts():
    before = {"title": "Titre", "results": "40 jeunes", "themes": "Santé"}
    after = {"title": "Titre", "results": "52 jeunes", "themes": "Santé\nLogement"}

    changes = compare(before, after)

    assert [change.label for change in changes] == ["Thèmes", "Résultats et évaluation"]
    assert changes[0].html == "Santé<ins><br>Logement</ins>"
