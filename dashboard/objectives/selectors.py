"""Reads of objectives: the objectives a page shows, each with its values of T1 to T4, in one query.

Each objective carries, from the reader's snapshot, the cumulative value of its indicator for its
scope at the end of each quarter of its year (correlated subqueries on ``IndicatorValue``, which the
unique index of a snapshot's values answers directly). The scope filters come from
:mod:`dashboard.permissions`: a page asks for what it shows, within what its reader may read.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import CharField, F, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from cnml.permissions import AnyUser
from dashboard import permissions
from dashboard.models.objectives import Objective
from dashboard.models.snapshots import IndicatorValue, ScopeKind, Snapshot
from dashboard.periods import QUARTERS, Period


@dataclass
class ObjectiveFigures:
    """An objective and the cumulative values of its indicator for its scope, T1 to T4 (None: no figure)."""

    objective: Objective
    values: list[int | None]

    def value_at(self, quarter: int) -> int | None:
        return self.values[quarter - 1]


def _quarter_value(snapshot: Snapshot, year: int, quarter: int) -> Subquery:
    return Subquery(
        IndicatorValue.objects.filter(
            snapshot=snapshot,
            scope_kind=OuterRef("scope_kind"),
            scope_code=OuterRef("objective_scope_code"),
            period=Period(year, quarter).code,
            indicator=OuterRef("indicator"),
        ).values("value")[:1]
    )


def with_values(objectives: QuerySet[Objective], snapshot: Snapshot | None, year: int) -> list[ObjectiveFigures]:
    """``objectives`` of ``year``, each with its values of T1 to T4 in ``snapshot``. One query."""
    queryset = objectives.filter(year=year).select_related("region", "structure", "structure__region")
    if snapshot is not None:
        queryset = queryset.annotate(
            objective_scope_code=Coalesce(F("structure__code"), F("region__code"), Value(""), output_field=CharField()),
            **{f"q{quarter}": _quarter_value(snapshot, year, quarter) for quarter in QUARTERS},
        )
    figures = []
    for objective in queryset.order_by("indicator", "scope_kind", "pk"):
        values = [getattr(objective, f"q{quarter}", None) for quarter in QUARTERS]
        figures.append(ObjectiveFigures(objective, [None if value is None else int(value) for value in values]))
    return figures


# --- What each page asks for ---------------------------------------------------------------------


def for_nation(user: AnyUser) -> QuerySet[Objective]:
    """The national objectives, and the regional ones for whoever reads regions (to rank them)."""
    return permissions.readable_objectives(user).filter(scope_kind__in=[ScopeKind.NATIONAL, ScopeKind.REGION])


def for_region(user: AnyUser, region) -> QuerySet[Objective]:
    """The nation's, the region's, and its structures' objectives (their split)."""
    return permissions.readable_objectives(user).filter(
        Q(scope_kind=ScopeKind.NATIONAL)
        | Q(scope_kind=ScopeKind.REGION, region=region)
        | Q(scope_kind=ScopeKind.STRUCTURE, structure__region=region)
    )


def for_structure(user: AnyUser, structure) -> QuerySet[Objective]:
    """The nation's, the structure's region's (for whoever reads it) and the structure's objectives."""
    condition = Q(scope_kind=ScopeKind.NATIONAL) | Q(scope_kind=ScopeKind.STRUCTURE, structure=structure)
    if structure.region_id:
        condition |= Q(scope_kind=ScopeKind.REGION, region_id=structure.region_id)
    return permissions.readable_objectives(user).filter(condition)


def for_objectives_page(user: AnyUser) -> QuerySet[Objective]:
    """Everything the reader may read; for CNML roles, without the structures (on the regions' pages)."""
    readable = permissions.readable_objectives(user)
    if getattr(user, "is_national", False):
        return readable.exclude(scope_kind=ScopeKind.STRUCTURE)
    return readable


def latest_year(snapshot: Snapshot | None) -> int | None:
    """The year of the snapshot's latest period."""
    if snapshot is None or not snapshot.periods:
        return None
    return max(Period.parse(code) for code in snapshot.periods).year
