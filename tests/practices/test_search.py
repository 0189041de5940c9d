"""French search of the catalogue: accents and case ignored, plurals met, only published fiches.

Runs on SQLite (the fallback) and on PostgreSQL (full-text search, French stemming, unaccent):
DATABASE_URL=postgres://postgres@127.0.0.1:5432/cnml_prac pytest tests/practices/test_search.py
"""

from __future__ import annotations

import pytest
from django.db import connection

from practices.models import Status
from practices.search import normalize, query_words, singular
from practices.selectors import CatalogueFilters, catalogue
from practices.services import fiche_refresh_search_text
from tests.factories import StructureFactory
from tests.practices.factories import PartnerFactory, ThemeFactory, make_fiche

pytestmark = pytest.mark.django_db


@pytest.fixture
def fiches(db):
    structure = StructureFactory(name="Mission locale de Lille")
    example = make_fiche(
        Status.PUBLIEE,
        structure=structure,
        title="Les outils partagés de la cotraitance et du partenariat renforcé",
        themes=[ThemeFactory(slug="cotraitance", name="Cotraitance")],
        description="Des sessions de formation des conseillers aux applications de Pôle emploi.",
    )
    other = make_fiche(
        Status.PUBLIEE,
        structure=structure,
        title="Un forum de l'alternance",
        themes=[ThemeFactory(slug="alternance", name="Alternance")],
        context="Les entreprises du bassin cherchent des apprentis.",
        objectives="Rapprocher jeunes et employeurs.",
        description="Un forum annuel.",
    )
    draft = make_fiche(
        Status.BROUILLON,
        structure=structure,
        title="Brouillon sur la cotraitance",
        themes=[ThemeFactory(slug="cotraitance", name="Cotraitance")],
    )
    reviewed = make_fiche(Status.EN_RELECTURE, structure=structure, title="La cotraitance en relecture")
    return {"example": example, "other": other, "draft": draft, "reviewed": reviewed}


def found(query: str, **filters) -> list[str]:
    return [fiche.title for fiche in catalogue(CatalogueFilters(query=query, **filters))]


EXAMPLE = "Les outils partagés de la cotraitance et du partenariat renforcé"


@pytest.mark.parametrize(
    "query",
    [
        "cotraitance",
        "COTRAITANCE",
        "Cotraitance",
        "partenariat renforce",
        "PARTENARIAT RENFORCÉ",
        "partenariats renforcés",  # plurals
        "outil partagé",  # singular of "outils partagés"
        "cotraitances",
        "formations des conseillers",
        "pole emploi",
    ],
)
def test_search_finds_the_example_whatever_accents_case_and_number(fiches, query):
    assert found(query) == [EXAMPLE]


def test_search_returns_only_published_fiches(fiches):
    titles = found("cotraitance")

    assert "Brouillon sur la cotraitance" not in titles
    assert "La cotraitance en relecture" not in titles


def test_every_word_must_match(fiches):
    assert found("cotraitance alternance") == []
    assert found("forum alternance") == ["Un forum de l'alternance"]


def test_search_without_match_finds_nothing(fiches):
    assert found("logement") == []


def test_search_combines_with_filters(fiches):
    alternance = ThemeFactory(slug="alternance", name="Alternance")
    PartnerFactory(fiche=fiches["other"], kind="opca", name="OPCA du commerce")
    fiche_refresh_search_text(fiche=fiches["other"])  # as saving the fiche's form does

    assert found("forum", theme=alternance) == ["Un forum de l'alternance"]
    assert found("cotraitance", theme=alternance) == []
    assert found("", partner="opca") == ["Un forum de l'alternance"]
    assert found("opca") == ["Un forum de l'alternance"]


def test_empty_or_stop_word_query_lists_every_published_fiche(fiches):
    assert sorted(found("")) == sorted([EXAMPLE, "Un forum de l'alternance"])
    assert sorted(found("de la")) == sorted([EXAMPLE, "Un forum de l'alternance"])


def test_normalisation_helpers():
    assert normalize("Pôle EMPLOI, œuvre : « Renforcé »") == "pole emploi oeuvre renforce"
    assert singular("outils") == "outil"
    assert singular("regionaux") == "regiona"
    assert singular("mois") == "mois"
    assert query_words("Les partenariats RENFORCÉS de la région") == ["partenariat", "renforce", "region"]


@pytest.mark.postgresql
def test_postgresql_search_stems_french_words(fiches):
    if connection.vendor != "postgresql":
        pytest.skip("La racinisation française est celle de PostgreSQL.")
    # "renforcement" and "renforcé" share the French stem "renforc"; the fallback would not see it.
    assert found("renforcement du partenariat") == [EXAMPLE]


@pytest.mark.postgresql
def test_postgresql_ranks_title_matches_first(fiches):
    if connection.vendor != "postgresql":
        pytest.skip("Le classement par pertinence est celui de PostgreSQL.")
    make_fiche(
        Status.PUBLIEE,
        structure=fiches["example"].structure,
        title="Un atelier CV",
        description="Rien à voir, sinon une mention de la cotraitance.",
    )
    assert found("cotraitance")[0] == EXAMPLE
