"""French full-text search of the catalogue, accent- and case-insensitive.

- On PostgreSQL: ``to_tsvector('french', unaccent(…))`` against
  ``websearch_to_tsquery('french', unaccent(query))``, so "Partenariats renforcés",
  "partenariat renforce" and "PARTENARIAT RENFORCÉ" meet through the French stemmer;
  results are ranked (title first). The ``unaccent`` extension is created by the
  app's migration (``0001_squashed``).
- Elsewhere (SQLite in development and tests): each word of the query, stripped of
  accents, lower-cased and of a plural ending, must start a word of the fiche's
  :attr:`~practices.models.Fiche.search_text` (the same normalisation, stored at
  each save by :func:`fiche_search_text`).
"""

from __future__ import annotations

import re
import unicodedata

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import F, Func, QuerySet, Value

from practices.content import LONG_TEXTS
from practices.richtext import plain_text

CONFIG = "french"
# Words too common to narrow a search (the PostgreSQL French configuration drops them too).
STOP_WORDS = frozenset(
    [
        "a",
        "au",
        "aux",
        "avec",
        "ce",
        "ces",
        "d",
        "dans",
        "de",
        "des",
        "du",
        "elle",
        "en",
        "et",
        "eux",
        "il",
        "je",
        "l",
        "la",
        "le",
        "les",
        "leur",
        "lui",
        "ma",
        "mais",
        "me",
        "meme",
        "mes",
        "moi",
        "mon",
        "ne",
        "nos",
        "notre",
        "nous",
        "on",
        "ou",
        "par",
        "pas",
        "pour",
        "qu",
        "que",
        "qui",
        "s",
        "sa",
        "se",
        "ses",
        "son",
        "sur",
        "ta",
        "te",
        "tes",
        "toi",
        "ton",
        "tu",
        "un",
        "une",
        "vos",
        "votre",
        "vous",
        "y",
        "c",
        "j",
        "m",
        "n",
        "t",
        "est",
        "sont",
    ]
)
LIGATURES = {"œ": "oe", "Œ": "OE", "æ": "ae", "Æ": "AE", "ß": "ss"}


def normalize(text: str) -> str:
    """Lower-cased, without accents or ligatures, punctuation turned into spaces."""
    for ligature, letters in LIGATURES.items():
        text = text.replace(ligature, letters)
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(re.sub(r"[^\w]+", " ", stripped.lower()).split())


def singular(word: str) -> str:
    """A light French plural stripping: "outils" → "outil", "régionaux" → "regiona", "jeux" → "jeu"."""
    if len(word) > 4 and word.endswith("aux"):
        return word[:-2]
    if len(word) > 3 and word[-1] in "sx" and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def query_words(query: str) -> list[str]:
    """The words of a query that narrow it, normalised and without plural ending."""
    words = [word for word in normalize(query).split() if word not in STOP_WORDS]
    return [singular(word) for word in words if word]


def fiche_search_text(fiche) -> str:
    """The normalised text stored on a fiche: every text a visitor may search for."""
    parts = [
        fiche.title,
        fiche.carrier_label,
        fiche.region.name if fiche.region_id else "",
    ]
    if fiche.pk:
        parts += [theme.name for theme in fiche.themes.all()]
        parts += [structure.name for structure in fiche.other_structures.all()]
        for partner in fiche.partners.all():
            parts += [partner.get_kind_display(), partner.name, partner.role]
    parts += [plain_text(getattr(fiche, name)) for name in LONG_TEXTS]
    # Padded with spaces: a word of the query must start a word of the text.
    return f" {normalize(' '.join(part for part in parts if part))} "


def uses_postgresql() -> bool:
    return connection.vendor == "postgresql"


class Unaccent(Func):
    function = "unaccent"
    arity = 1


def search(queryset: QuerySet, query: str) -> QuerySet:
    """Fiches of ``queryset`` matching ``query`` (most relevant first on PostgreSQL)."""
    words = query_words(query)
    if not words:
        return queryset
    if uses_postgresql():
        vector = SearchVector(Unaccent(F("title")), weight="A", config=CONFIG) + SearchVector(
            "search_text", weight="B", config=CONFIG
        )
        search_query = SearchQuery(Unaccent(Value(query)), config=CONFIG, search_type="websearch")
        return (
            queryset.annotate(search=vector, rank=SearchRank(vector, search_query))
            .filter(search=search_query)
            .order_by("-rank", "-published_at", "-pk")
        )
    for word in words:
        queryset = queryset.filter(search_text__contains=f" {word}")
    return queryset
