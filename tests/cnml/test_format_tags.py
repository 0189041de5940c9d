"""The French formatting filters of the pages (cnml/templatetags/cnml_format.py)."""

from __future__ import annotations

from django.template import Context, Template

from tests.factories import RegionFactory


def render(source: str, **context) -> str:
    return Template("{% load cnml_format %}" + source).render(Context(context))


def test_a_list_reads_as_french_names_separated_by_commas_and_escaped(db):
    regions = [RegionFactory(name="Bretagne"), RegionFactory(name="<Corse>")]

    assert render('{{ regions|fr_list:"aucune" }}', regions=regions) == "Bretagne, &lt;Corse&gt;"


def test_an_empty_list_reads_as_its_fallback_and_plain_texts_as_themselves():
    assert render('{{ items|fr_list:"à préciser" }}', items=[]) == "à préciser"
    assert render("{{ items|fr_list }}", items=["A", "B"]) == "A, B"
