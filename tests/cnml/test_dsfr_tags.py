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
