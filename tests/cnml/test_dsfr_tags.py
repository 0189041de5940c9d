"""The DSFR markup written once for every app (cnml/templatetags/cnml_dsfr.py)."""

from __future__ import annotations

import re

from django.template import Context, Template
from django.test import RequestFactory


def render(source: str, **context) -> str:
    return Template("{% load cnml_dsfr %}" + source).render(Context(context))


def test_a_table_gets_the_dsfr_wrappers_with_its_classes_and_id_and_a_scroll_region_named_by_its_caption():
    html = render(
        '{% fr_table "fr-table--no-caption" id=name %}<table><caption>Jalons</caption></table>{% endfr_table %}',
        name="t1",
    )

    table_id = re.search(r'<caption id="(cnml-tableau-[0-9a-f]+)-titre">', html)[1]
    assert html == (
        '<div class="fr-table fr-table--no-caption" id="t1">'
        f'<p class="cnml-table-hint fr-text--sm fr-mb-1w" id="{table_id}-defilement">'
        '<span class="fr-icon-arrow-left-right-line fr-icon--sm" aria-hidden="true"></span> '
        "Faites défiler le tableau horizontalement pour voir toutes ses colonnes.</p>"
        '<div class="fr-table__wrapper"><div class="fr-table__container" role="region" tabindex="0" '
        f'aria-labelledby="{table_id}-titre" aria-describedby="{table_id}-defilement">'
        f'<div class="fr-table__content"><table><caption id="{table_id}-titre">Jalons</caption></table>'
        "</div></div></div></div>"
    )


def test_the_tables_of_a_page_get_ids_of_their_own_even_with_the_same_caption():
    request = RequestFactory().get("/")
    source = "{% fr_table %}<table><caption>Jalons</caption></table>{% endfr_table %}"
    html = Template("{% load cnml_dsfr %}" + source + source).render(Context({"request": request}))

    assert re.findall(r'<caption id="([^"]+)"', html) == ["cnml-tableau-1-titre", "cnml-tableau-2-titre"]


def test_a_table_without_caption_is_a_region_named_tableau():
    html = render("{% fr_table %}<table></table>{% endfr_table %}")

    assert 'role="region" tabindex="0" aria-label="Tableau"' in html


def test_the_table_is_not_escaped_again_but_its_values_are():
    html = render("{% fr_table %}<table><td>{{ value }}</td></table>{% endfr_table %}", value="<b>")

    assert html.startswith('<div class="fr-table"><p')
    assert "<table><td>&lt;b&gt;</td></table>" in html


def test_a_table_head_has_a_column_header_per_label_and_marks_the_columns_of_figures():
    html = render('{% fr_thead "Financeur" label "Statut" numeric="2" numeric_class="num" %}', label="Prévu <€>")

    assert html == (
        '<thead><tr><th scope="col">Financeur</th><th scope="col" class="num">Prévu &lt;€&gt;</th>'
        '<th scope="col">Statut</th></tr></thead>'
    )


def test_a_printed_table_head_may_go_without_scope():
    assert render('{% fr_thead "Région" "Projets" numeric="2" numeric_class="num" scope="" %}') == (
        '<thead><tr><th>Région</th><th class="num">Projets</th></tr></thead>'
    )


def test_a_data_table_wraps_its_rows_in_a_captioned_table_with_its_head():
    html = render(
        '{% fr_data_table "Jalon" "Jours" caption=title classes="fr-table--multiline" numeric="2" numeric_class="num" %}'
        "<tr><td>{{ value }}</td></tr>{% endfr_data_table %}",
        title="Jalons & dates",
        value="<b>",
    )

    assert html.startswith('<div class="fr-table fr-table--multiline"><p class="cnml-table-hint')
    assert re.search(
        r'<table><caption id="cnml-tableau-[0-9a-f]+-titre">Jalons &amp; dates</caption><thead><tr>'
        r'<th scope="col">Jalon</th><th scope="col" class="num">Jours</th></tr></thead>'
        r"<tbody><tr><td>&lt;b&gt;</td></tr></tbody></table></div></div></div></div>$",
        html,
    )


def test_an_empty_label_leaves_its_column_out_of_the_head():
    html = render('{% fr_thead "Dimension" parent.label "Score" numeric="3" numeric_class="num" %}', parent=None)

    assert html == '<thead><tr><th scope="col">Dimension</th><th scope="col" class="num">Score</th></tr></thead>'
