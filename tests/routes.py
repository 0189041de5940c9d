"""Every pattern of the URL conf, walked once for the tests that check every address of a kind:
the exports (tests/test_every_export.py), the PDFs and QR codes (tests/test_every_printed_address.py),
the account pages (tests/cnml/test_structure_membership.py), the dashboard's pages
(tests/dashboard/test_demo_banner_everywhere.py), the addresses outside the admin
(tests/practices/test_committees.py), the crawl (tests/browser/crawl_plan.py).
"""

from __future__ import annotations

from typing import NamedTuple

from django.urls import URLPattern, URLResolver, get_resolver


class Route(NamedTuple):
    name: str | None  # "namespace:name"; None for an unnamed pattern
    route: str  # the full route, includes' prefixes joined


def url_patterns() -> list[Route]:
    """Every pattern of the URL conf, includes walked (the admin's too), with its namespaced name and full route."""
    found: list[Route] = []

    def walk(resolver: URLResolver, prefix: str, namespace: str) -> None:
        for entry in resolver.url_patterns:
            route = prefix + str(entry.pattern)
            if isinstance(entry, URLResolver):
                walk(entry, route, ":".join(part for part in (namespace, entry.namespace) if part))
            elif isinstance(entry, URLPattern):
                found.append(Route(f"{namespace}:{entry.name}" if namespace and entry.name else entry.name, route))

    walk(get_resolver(), "", "")
    return found
