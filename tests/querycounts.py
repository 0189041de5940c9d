"""Query-count guards of the pages (tests/<app>/test_query_counts.py).

Each page is fetched at a realistic size (tens of rows) inside ``django_assert_max_num_queries``:
a page whose queries grow with its rows (an N+1) goes far past its ceiling and the failure lists
the queries. :func:`repeated_queries` groups the captured SQL by shape (values masked), which is
how the N+1s are found: ``print(repeated_queries(context.captured_queries))``.

The ceilings are the counts measured on SQLite and PostgreSQL once the N+1s were fixed: raise one
only knowingly, for a query that does not depend on the number of rows.
"""

from __future__ import annotations

import re
from collections import Counter

import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType

_LITERALS = re.compile(r"'(?:[^']|'')*'|\b\d+(?:\.\d+)?\b|%s")
_IN_LISTS = re.compile(r"IN \((?:\?|%s|, )+\)")


def query_shape(sql: str) -> str:
    """The SQL with its values masked: two queries of one shape differ only by their parameters."""
    return _IN_LISTS.sub("IN (…)", _LITERALS.sub("?", sql))


def repeated_queries(captured: list[dict]) -> list[tuple[int, str]]:
    """(count, shape) of the query shapes run more than once, most repeated first."""
    counts = Counter(query_shape(query["sql"]) for query in captured)
    return [(count, shape) for shape, count in counts.most_common() if count > 1]


ANONYMOUS = "anonyme"


@pytest.fixture
def bounded_page(client_for, django_assert_max_num_queries):
    """``bounded_page(users, visitor, url, ceiling, shown)``: the page fetched as ``visitor`` (a role
    of ``users``, or ``ANONYMOUS``) in at most ``ceiling`` queries, answering 200 (or one of
    ``statuses``) and showing ``shown``, the text that proves its rows are there."""

    def fetch(users, visitor, url, ceiling, shown, statuses=(200,)):
        client = client_for(None if visitor == ANONYMOUS else users[visitor])
        # Django's content type cache is the process's, filled by the first page that reads it (a
        # history, an admin link): its one query depends on which tests ran before, not on this page.
        ContentType.objects.get_for_models(*apps.get_models())
        with django_assert_max_num_queries(ceiling):
            response = client.get(url)
        assert response.status_code in statuses
        assert shown in response.content.decode()

    return fetch
