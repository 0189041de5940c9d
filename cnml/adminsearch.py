"""The admin's search, as people type: without accents nor capitals, « cote d azur » finds « Côte d'Azur ».

One mechanism for every model admin with ``search_fields`` (``tests/cnml/test_admin_search.py`` fails on
one without it): :class:`FrenchSearchMixin` reads each text field through ``unaccent`` and compares
without case, the searched words unaccented the same way.

- on PostgreSQL, ``unaccent`` is the extension's function (created by ``cnml`` migration 0009);
- on SQLite, the same name is a Python function registered on each new connection.
"""

from __future__ import annotations

import unicodedata

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.backends.signals import connection_created
from django.db.models import Transform
from django.dispatch import receiver

# Letters that PostgreSQL's unaccent rules spell out but Unicode does not decompose.
_LIGATURES = str.maketrans({"œ": "oe", "Œ": "OE", "æ": "ae", "Æ": "AE", "ß": "ss", "’": "'"})


def unaccent(text: str | None) -> str | None:
    """« Œuvre d’École » -> « OEuvre d'Ecole »: the letters without their accents, as PostgreSQL's unaccent."""
    if text is None:
        return None
    decomposed = unicodedata.normalize("NFKD", text.translate(_LIGATURES))
    return "".join(char for char in decomposed if not unicodedata.combining(char))


class Unaccent(Transform):
    """``name__unaccent__icontains``: the field's text without accents, on PostgreSQL and on SQLite."""

    lookup_name = "unaccent"
    function = "UNACCENT"


models.CharField.register_lookup(Unaccent)
models.TextField.register_lookup(Unaccent)


@receiver(connection_created, dispatch_uid="cnml.adminsearch.sqlite_unaccent")
def _register_sqlite_unaccent(sender, connection, **kwargs) -> None:
    if connection.vendor == "sqlite":
        connection.connection.create_function("UNACCENT", 1, unaccent, deterministic=True)


PREFIX_LOOKUPS = {"^": "istartswith", "=": "iexact", "": "icontains"}


def accent_free_lookup(model: type[models.Model], search_field: str) -> str:
    """« structure__name » -> « structure__name__unaccent__icontains » for a text field; others unchanged."""
    if search_field.startswith("@"):
        return search_field  # PostgreSQL full-text search: left to Django
    prefix = search_field[0] if search_field[:1] in ("^", "=") else ""
    path = search_field.removeprefix(prefix)
    field = None
    for part in path.split("__"):
        try:
            field = model._meta.get_field(model._meta.pk.name if part == "pk" else part)
        except FieldDoesNotExist:  # a lookup already written by hand: left as it is
            return search_field
        model = field.related_model or model
    if not isinstance(field, (models.CharField, models.TextField)):
        return search_field
    return f"{path}__unaccent__{PREFIX_LOOKUPS[prefix]}"


class FrenchSearchMixin:
    """Searches every ``search_fields`` text without accents nor case (the words typed unaccented too)."""

    def get_search_fields(self, request):
        return [accent_free_lookup(self.model, field) for field in super().get_search_fields(request)]

    def get_search_results(self, request, queryset, search_term):
        return super().get_search_results(request, queryset, unaccent(search_term))


def with_french_search(admin_class: type) -> type:
    """``admin_class`` (a library's) searching the French way: for re-registering it."""
    return type(admin_class.__name__, (FrenchSearchMixin, admin_class), {"__module__": __name__})
