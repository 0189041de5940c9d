"""The DSFR markup written once for every app (cnml/templatetags/cnml_dsfr.py)."""

from __future__ import annotations

from django.template import Context, Template


def render(source: str, **context) -> str:
    return Template("{% load cnml_dsfr %}" + source).render(Context(context))


def test_a_table_gets_the_four_dsfr_wrappers_with_its_classes_and_id():
    html = render('{% fr_table "fr-table--no-caption" id=name %}<table></table>{% endfr_table %}', name="t1")

    assert html == (
        '<div class="fr-table fr-table--no-caption" id="t1"><div class="fr-table__wrapper">'
        '<div class="fr-table__container"><div class="fr-table__content"><table></table></div></div></div></div>'
    )


def test_the_table_is_not_escaped_again_but_its_values_are():
    html = render("{% fr_table %}<table><td>{{ value }}</td></table>{% endfr_table %}", value="<b>")

    assert html.startswith('<div class="fr-table"><div')
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

    assert html == (
        '<div class="fr-table fr-table--multiline"><div class="fr-table__wrapper"><div class="fr-table__container">'
        '<div class="fr-table__content"><table><caption>Jalons &amp; dates</caption><thead><tr>'
        '<th scope="col">Jalon</th><th scope="col" class="num">Jours</th></tr></thead>'
        "<tbody><tr><td>&lt;b&gt;</td></tr></tbody></table></div></div></div></div>"
    )


def test_an_empty_label_leaves_its_column_out_of_the_head():
    html = render('{% fr_thead "Dimension" parent.label "Score" numeric="3" numeric_class="num" %}', parent=None)

    assert html == '<thead><tr><th scope="col">Dimension</th><th scope="col" class="num">Score</th></tr></thead>'
