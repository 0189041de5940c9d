"""The pages of bench/dashboard.py: each rendered with Django's test client in the bench's process.

The snapshot is validated first; the national page is read anonymously, a region's by its animator,
a structure's by its director. Server time (p50 / p95 / max), SQL queries, the first render with the
charts' cache empty (median of 5), the page's size.
"""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass, field


@dataclass
class PageFigures:
    label: str
    path: str
    reader: str
    p50_ms: float = 0
    p95_ms: float = 0
    max_ms: float = 0
    cold_ms: float = 0
    queries: int = 0
    cold_queries: int = 0
    size_kb: float = 0
    samples: list[float] = field(default_factory=list, repr=False)


def measure_pages(requests: int) -> list[PageFigures]:
    """Validate the snapshot, then render each page ``requests`` times (after a warm-up)."""
    import django

    django.setup()
    from django.test import Client

    pages = _pages_and_readers()
    for figures, user in pages:
        client = Client()
        if user is not None:
            client.force_login(user)
        _measure_page(client, figures, requests)
    return [figures for figures, _ in pages]


def _pages_and_readers() -> list[tuple[PageFigures, object]]:
    """The validated snapshot, the three pages and their readers (created once)."""
    from cnml.models import Region, Role, Structure, StructureKind, User
    from dashboard.models import Snapshot
    from dashboard.publication import snapshot_validate

    cnml, _ = Structure.objects.get_or_create(
        code="CNML", defaults={"name": "Conseil national des missions locales", "kind": StructureKind.CNML}
    )
    reviewer, _ = User.objects.get_or_create(
        email="relecteur@bench.cnml.fr", defaults={"role": Role.RELECTEUR_CNML, "structure": cnml}
    )
    snapshot = Snapshot.objects.latest_computed()
    if snapshot is None:
        raise SystemExit("Aucun calcul des indicateurs à mesurer.")
    if not snapshot.is_validated:
        snapshot_validate(snapshot_id=snapshot.pk, user=reviewer)
    region = Region.objects.get(code="93")
    arml, _ = Structure.objects.get_or_create(
        code="ARML93",
        defaults={"name": "ARML Provence-Alpes-Côte d'Azur", "kind": StructureKind.ARML, "region": region},
    )
    structure = Structure.objects.filter(region=region, kind=StructureKind.ML).order_by("code").first()
    director, _ = User.objects.get_or_create(
        email="directeur@bench.cnml.fr", defaults={"role": Role.DIRECTEUR, "structure": structure}
    )
    animator, _ = User.objects.get_or_create(
        email="animateur@bench.cnml.fr", defaults={"role": Role.ANIMATEUR_REGIONAL, "structure": arml}
    )
    return [
        (PageFigures("Nationale", "/tableau-de-bord/", "public"), None),
        (PageFigures("Région", f"/tableau-de-bord/regions/{region.code}/", "animateur"), animator),
        (PageFigures("Structure", f"/tableau-de-bord/structures/{structure.code}/", "directeur"), director),
    ]


def _measure_page(client, figures: PageFigures, requests: int) -> None:
    """Warm-up, five renders with the cache empty, then ``requests`` timed renders."""
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(3):  # warm-up: templates compiled, connection open
        response = client.get(figures.path)
        if response.status_code != 200:
            raise SystemExit(f"{figures.path} : statut {response.status_code}")
    # Cold: the page's charts are not in the cache yet (first reader of this snapshot and scope).
    cold = []
    for _ in range(5):
        cache.clear()
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as queries:
            client.get(figures.path)
        cold.append((time.perf_counter() - started) * 1000)
        figures.cold_queries = len(queries.captured_queries)
    figures.cold_ms = statistics.median(cold)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(figures.path)
    figures.queries = len(queries.captured_queries)
    figures.size_kb = len(response.content) / 1024
    for _ in range(requests):
        started = time.perf_counter()
        client.get(figures.path)
        figures.samples.append((time.perf_counter() - started) * 1000)
    figures.p50_ms = statistics.median(figures.samples)
    figures.p95_ms = statistics.quantiles(figures.samples, n=20, method="inclusive")[18]
    figures.max_ms = max(figures.samples)
