"""What the ANI pages show: the ANI section of a scope's indicator table, and its charts.

The figures are the tableau de bord's own (:func:`dashboard.pages.scope_table`), restricted to
the ANI section of the registry: eligible young people newly welcomed, entries, young people
followed, exits and the positive-exit rate, each with the same period a year before. A
snapshot computed before the ANI indicators existed has none of them (:func:`ani_table` is
then None and the page says so); one whose extract lacked ``niveau_certification`` shows
``ani_eligibles`` as « non disponible ».
"""

from __future__ import annotations

from dataclasses import replace

from dashboard import indicators as registry
from dashboard import pages, selectors
from dashboard.indicators import Section
from dashboard.models.snapshots import Snapshot
from dashboard.periods import Period
from dashboard.selectors import Scope

ANI_CODES: tuple[str, ...] = tuple(
    indicator.code for indicator in registry.in_display_order() if indicator.section == Section.ANI
)


def has_ani(snapshot: Snapshot | None) -> bool:
    """Whether the snapshot was computed with the ANI indicators (one computed before has none)."""
    if snapshot is None:
        return False
    return any(indicator.section == Section.ANI for indicator in selectors.snapshot_indicators(snapshot))


def ani_table(snapshot: Snapshot, scope: Scope, period: Period) -> pages.ScopeTable | None:
    """The ANI section of ``scope``'s table for ``period``; None without figures or ANI indicators. One query."""
    if not has_ani(snapshot):
        return None
    table = pages.scope_table(snapshot, scope, period)
    if table is None:
        return None
    return replace(
        table,
        figures=[figure for figure in table.figures if figure.indicator.section == Section.ANI],
        sections=[group for group in table.sections if group.section == Section.ANI],
    )
