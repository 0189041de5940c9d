"""The snapshot's values: structures' counts, their sums by region and nation, the rates, stored in bulk.

Each young person belongs to exactly one structure, so a region's and the nation's
counts are exact sums of their structures' counts; rates are recomputed from the
summed numerators and denominators, and ranked among the structures.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.db import connection
from django.db.models import Q

from cnml.formatting import competition_ranks
from cnml.models import Structure, StructureKind
from dashboard import indicators as registry
from dashboard.indicators import Ratio
from dashboard.models.snapshots import VALUE_FIELDS, IndicatorValue, ScopeKind
from dashboard.periods import Period
from dashboard.recompute.queries import Counts


@dataclass
class Scopes:
    """Structures computed (id -> code, id -> region code) and regions (codes)."""

    structure_code: dict[int, str]
    structure_region: dict[int, str]

    @property
    def regions(self) -> list[str]:
        return sorted(set(self.structure_region.values()))


def _scopes(counts: Counts) -> Scopes:
    """Every ML and PAIO (with zeros when they have no data) and any structure young people belong to."""
    with_data = {structure_id for by_key in counts.values() for structure_id, _ in by_key}
    structures = Structure.objects.filter(
        Q(kind__in=[StructureKind.ML, StructureKind.PAIO], active=True) | Q(pk__in=with_data)
    ).values_list("pk", "code", "region__code")
    return Scopes(
        structure_code={pk: code for pk, code, _ in structures},
        structure_region={pk: region or "" for pk, _, region in structures},
    )


# One stored value: scope kind, scope code, period, indicator, value, numerator, denominator, rank, rank count,
# ex aequo.
Row = list


def build_values(
    periods: list[Period], counts: Counts, scopes: Scopes, *, skip: list[str] | tuple[str, ...] = ()
) -> list[Row]:
    """Every value of the snapshot: structures' counts, their sums by region and nation, then rates.

    Indicators in ``skip`` (not available from the extract) get no value at all, never a 0.
    """
    # (scope kind, scope code) -> (indicator, period code) -> count
    table: dict[tuple[str, str], dict[tuple[str, str], int]] = defaultdict(lambda: defaultdict(int))
    national = table[(ScopeKind.NATIONAL.value, "")]
    for indicator in registry.counts():
        if indicator.code in skip:
            continue
        by_key = counts[indicator.code]
        for structure_id, code in scopes.structure_code.items():
            figures = table[(ScopeKind.STRUCTURE.value, code)]
            region_code = scopes.structure_region[structure_id]
            region = table[(ScopeKind.REGION.value, region_code)] if region_code else None
            for period in periods:
                cumulative = by_key.get((structure_id, period.year))
                value = cumulative[period.quarter - 1] if cumulative else 0
                key = (indicator.code, period.code)
                figures[key] = value
                if region is not None:
                    region[key] += value
                national[key] += value
    rows: list[Row] = [
        [kind, code, period_code, indicator_code, value, None, None, None, None, False]
        for (kind, code), figures in table.items()
        for (indicator_code, period_code), value in figures.items()
    ]
    for indicator in registry.rates():
        if indicator.code in skip:
            continue
        ratio: Ratio = indicator.computation
        ranked: dict[str, list[Row]] = defaultdict(list)
        for (kind, code), figures in table.items():
            for period in periods:
                numerator = figures[(ratio.numerator, period.code)]
                denominator = figures[(ratio.denominator, period.code)]
                value = registry.rate(numerator, denominator)
                row = [kind, code, period.code, indicator.code, value, numerator, denominator, None, None, False]
                rows.append(row)
                if kind == ScopeKind.STRUCTURE and value is not None:
                    ranked[period.code].append(row)
        for same_period in ranked.values():
            _rank(same_period, best_first=indicator.up_is_good is not False)
    return rows


VALUE, RANK, RANK_COUNT, EX_AEQUO = 4, 7, 8, 9


def _rank(rows: list[Row], *, best_first: bool) -> None:
    """Competition ranking (1, 2, 2, 4): rank 1 is the best value; equal values share it, ex aequo."""
    ranks = competition_ranks([row[VALUE] for row in rows], best_first=best_first)
    for row, (rank, ex_aequo) in zip(rows, ranks, strict=True):
        row[RANK], row[RANK_COUNT], row[EX_AEQUO] = rank, len(rows), ex_aequo


COLUMNS = VALUE_FIELDS
# Rows per executemany() on SQLite (development and tests; PostgreSQL takes one COPY): bounds the
# parameters held at once. Not a speed setting: at national scale the values are stored by COPY
# in 0,72 s (bench/dashboard.py, 27/11/2026, phase « store » in docs/performance.md).
SQLITE_INSERT_BATCH = 10_000


def _store_values(snapshot_id: int, rows: list[Row]) -> None:
    """Insert the values in bulk: COPY on PostgreSQL, a batched INSERT elsewhere."""
    table = connection.ops.quote_name(IndicatorValue._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(IndicatorValue._meta.get_field(name).column) for name in COLUMNS)
    snapshot_column = connection.ops.quote_name(IndicatorValue._meta.get_field("snapshot").column)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({snapshot_column}, {columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row((snapshot_id, *row))
            # Fresh statistics for the new snapshot's values: without them the planner takes the
            # pages' reads for one row and filters the whole snapshot (170 ms instead of 0,5 ms).
            cursor.execute(f"ANALYZE {table}")
            return
        placeholders = ", ".join(["%s"] * (len(COLUMNS) + 1))
        sql = f"INSERT INTO {table} ({snapshot_column}, {columns}) VALUES ({placeholders})"
        for start in range(0, len(rows), SQLITE_INSERT_BATCH):
            cursor.executemany(sql, [(snapshot_id, *row) for row in rows[start : start + SQLITE_INSERT_BATCH]])
