"""Shared reads over any model's queryset."""

from __future__ import annotations

from typing import Any, TypeVar

from django.db.models import Model, QuerySet

M = TypeVar("M", bound=Model)


def filter_given(queryset: QuerySet[M], **lookups: Any) -> QuerySet[M]:
    """``queryset`` narrowed by each lookup whose value is given: a blank list filter means « all ».

    One ``filter()`` per lookup, in order, as a chain of ``if value: queryset = queryset.filter(...)``
    would do (on a multi-valued relation, each lookup may match another related row).
    """
    for lookup, value in lookups.items():
        if value:
            queryset = queryset.filter(**{lookup: value})
    return queryset
