"""The checks of the import's data-quality report that need the computed figures."""

from __future__ import annotations

import logging

from dashboard import indicators as registry
from dashboard import services
from dashboard.models.snapshots import ScopeKind
from dashboard.periods import Period
from dashboard.recompute.values import VALUE, Row

logger = logging.getLogger(__name__)

# Moves are only reported from this many young people (or this denominator) up: below, noise.
QUALITY_MIN_BASE = 20
# A move is reported when the figure changes by more than this (in %) from the quarter before.
QUALITY_MOVE_PERCENT = 50
# Rows of each list of the quality report, largest moves first: what a reader goes through.
QUALITY_MAX_ROWS = 500


def _scope_label(kind: str, code: str) -> str:
    if kind == ScopeKind.NATIONAL:
        return "France entière"
    return f"Région {code}" if kind == ScopeKind.REGION else code


def quality_checks(periods: list[Period], rows: list[Row]) -> dict[str, list[dict]]:
    """The checks of the import's data-quality report that need the figures.

    - sub-lines larger than their parent line (any scope, any period);
    - indicators moving more than :data:`QUALITY_MOVE_PERCENT` % from the quarter before, for the latest
      period: a rate against the previous period's rate (cumulative rates are
      comparable); a count by its quarterly flow (young people counted for the
      first time of the year in the quarter: T(q) - T(q-1)) against the flow of
      the quarter before, from T3 on (T1 holds the whole start of the year, so
      the first flow to compare is T2's).
      Only from a base of :data:`QUALITY_MIN_BASE` up, at most
      :data:`QUALITY_MAX_ROWS` rows, largest first.
    """
    values = {(row[0], row[1], row[2], row[3]): row[VALUE] for row in rows}
    sub_lines = []
    for indicator in registry.INDICATORS:
        if indicator.parent is None:
            continue
        parent = registry.get(indicator.parent)
        for (kind, code, period, indicator_code), value in values.items():
            if indicator_code != indicator.code:
                continue
            parent_value = values.get((kind, code, period, parent.code))
            if value is not None and parent_value is not None and value > parent_value:
                sub_lines.append(
                    {
                        "Périmètre": _scope_label(kind, code),
                        "Période": period,
                        "Indicateur": indicator.label,
                        "Valeur": value,
                        "Ligne principale": parent.label,
                        "Valeur de la ligne principale": parent_value,
                    }
                )
    return {"sub_lines": sub_lines[:QUALITY_MAX_ROWS], "moves": _large_moves(periods, values)}


def _large_moves(periods: list[Period], values: dict[tuple[str, str, str, str], float | None]) -> list[dict]:
    latest = periods[-1]
    codes = {period.code for period in periods}
    before = Period(latest.year - 1, 4) if latest.quarter == 1 else Period(latest.year, latest.quarter - 1)
    scopes = sorted({(kind, code) for kind, code, _, _ in values})
    found: list[tuple[float, dict]] = []
    for indicator in registry.INDICATORS:
        for kind, code in scopes:

            def value(period: Period, indicator_code: str = indicator.code, kind: str = kind, code: str = code):
                return values.get((kind, code, period.code, indicator_code))

            if indicator.is_rate:
                if before.code not in codes:
                    continue
                current, previous = value(latest), value(before)
                base = value(before, indicator.computation.denominator) or 0
            else:
                if latest.quarter < 3:
                    continue  # a T2 flow would be compared with T1, which holds the whole start of the year
                cumulative = [value(Period(latest.year, quarter)) or 0 for quarter in range(1, latest.quarter + 1)]
                current, previous = cumulative[-1] - cumulative[-2], cumulative[-2] - cumulative[-3]
                base = previous
            if current is None or not previous or base < QUALITY_MIN_BASE:
                continue
            change = (current - previous) / previous * 100
            if abs(change) <= QUALITY_MOVE_PERCENT:
                continue
            found.append(
                (
                    abs(change),
                    {
                        "Périmètre": _scope_label(kind, code),
                        "Période": latest.code,
                        "Indicateur": indicator.label + ("" if indicator.is_rate else " (flux du trimestre)"),
                        "Trimestre précédent": round(previous, 1),
                        "Ce trimestre": round(current, 1),
                        "Variation": f"{change:+.1f} %".replace(".", ","),
                    },
                )
            )
    found.sort(key=lambda pair: -pair[0])
    return [row for _, row in found[:QUALITY_MAX_ROWS]]


def _report_quality(extract_import_id: int, periods: list[Period], rows: list[Row]) -> None:
    """Write the checks into the import's data-quality report; never fails the recompute."""
    try:
        checks = quality_checks(periods, rows)
        services.extract_import_add_quality_section(
            extract_import_id=extract_import_id,
            key=services.QUALITY_SUB_LINES,
            label="Sous-lignes supérieures à leur ligne principale",
            rows=checks["sub_lines"],
        )
        services.extract_import_add_quality_section(
            extract_import_id=extract_import_id,
            key=services.QUALITY_LARGE_MOVES,
            label="Indicateurs variant de plus de 50 % par rapport au trimestre précédent",
            rows=checks["moves"],
        )
    except Exception:
        logger.exception("Data-quality checks of import %s failed", extract_import_id)
