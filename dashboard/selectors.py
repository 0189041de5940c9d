"""Reads of the tableau de bord: snapshots, figures, references, ranks and series.

Every function reads one snapshot (see :mod:`dashboard.models.snapshots`):
signed-in readers get the latest computed one, the public the latest validated
one (:func:`snapshot_for_reader`). Each page needs a handful of queries: the
figures of a scope for a period come with their year-before values and their
regional and national references in one query (:func:`indicator_table`).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q

from cnml.models import Region, Structure
from dashboard import indicators as registry
from dashboard.indicators import Indicator, Unit
from dashboard.models.snapshots import PEERS_SCOPE, VALUE_FIELDS, IndicatorValue, ScopeKind, Snapshot, quartile
from dashboard.periods import Period, PeriodError


class ScopeError(ValueError):
    """An unknown scope; the message is French."""


@dataclass(frozen=True)
class Scope:
    """The nation, a region (by INSEE code) or a structure (by code)."""

    kind: str
    code: str = ""
    # For a structure: its region's code, when known (for the regional reference).
    region_code: str | None = field(default=None, compare=False)

    NATIONAL_TEXT = "national"

    @classmethod
    def national(cls) -> Scope:
        return cls(ScopeKind.NATIONAL.value)

    @classmethod
    def for_region(cls, region: Region | str) -> Scope:
        return cls(ScopeKind.REGION.value, region if isinstance(region, str) else region.code)

    @classmethod
    def for_structure(cls, structure: Structure) -> Scope:
        return cls(
            ScopeKind.STRUCTURE.value,
            structure.code,
            region_code=structure.region.code if structure.region_id else "",
        )

    @classmethod
    def parse(cls, text: str) -> Scope:
        """``national``, ``region:93`` or ``structure:ML93001``."""
        text = (text or "").strip()
        if text == cls.NATIONAL_TEXT:
            return cls.national()
        kind, _, code = text.partition(":")
        if kind in (ScopeKind.REGION, ScopeKind.STRUCTURE) and code:
            return cls(kind, code)
        raise ScopeError(
            f"Périmètre inconnu « {text} » : attendu national, region:CODE (par exemple region:93) "
            "ou structure:CODE (par exemple structure:ML93001)."
        )

    @property
    def text(self) -> str:
        return self.NATIONAL_TEXT if self.kind == ScopeKind.NATIONAL else f"{self.kind}:{self.code}"

    @property
    def key(self) -> tuple[str, str]:
        return (self.kind, self.code)


# --- Snapshots -----------------------------------------------------------------------------


def latest_computed_snapshot() -> Snapshot | None:
    return Snapshot.objects.latest_computed()


def latest_validated_snapshot() -> Snapshot | None:
    return Snapshot.objects.latest_validated()


def snapshot_for_reader(user) -> Snapshot | None:
    """Signed-in users see the latest computed figures (provisional or not); the public the validated ones.

    Without validated figures, the public sees the demo's, never validated and shown as such
    (:meth:`~dashboard.models.snapshots.SnapshotQuerySet.latest_public`).
    """
    if user is not None and user.is_authenticated:
        return latest_computed_snapshot()
    return Snapshot.objects.latest_public()


def snapshot_indicators(snapshot: Snapshot) -> list[Indicator]:
    """The indicators ``snapshot`` was computed with, in the contract's order.

    A snapshot keeps them when the registry grows: one computed before an indicator
    existed shows no line for it (never a 0). A snapshot without the list (written by
    hand, not by the recompute) reads as the whole registry.
    """
    codes = set(snapshot.indicators or ())
    if not codes:
        return list(registry.INDICATORS)
    return [indicator for indicator in registry.INDICATORS if indicator.code in codes]


def _table_indicators(snapshot: Snapshot, order: str) -> list[Indicator]:
    """The snapshot's indicators by section (``display``) or in the contract's order."""
    computed = snapshot_indicators(snapshot)
    if order != "display":
        return computed
    return [indicator for indicator in registry.in_display_order() if indicator in computed]


def is_available(snapshot: Snapshot, code: str) -> bool:
    """Whether the snapshot's extract gave the indicator (an optional column it needs was there)."""
    return code not in (snapshot.unavailable or ())


def snapshot_periods(snapshot: Snapshot) -> list[Period]:
    return [Period.parse(code) for code in snapshot.periods]


def default_period(snapshot: Snapshot) -> Period | None:
    periods = snapshot_periods(snapshot)
    return periods[-1] if periods else None


def check_period(snapshot: Snapshot, period: Period | str) -> Period:
    """The period, if the snapshot has it; a French :class:`PeriodError` otherwise."""
    period = Period.parse(period) if isinstance(period, str) else period
    if period.code not in snapshot.periods:
        available = ", ".join(snapshot.periods) or "aucune"
        raise PeriodError(
            f"Période {period.code} absente du calcul n° {snapshot.pk} (périodes disponibles : {available})."
        )
    return period


# --- Figures -------------------------------------------------------------------------------


@dataclass
class Figure:
    """One line of a table: an indicator's value for a scope and period, and its context."""

    indicator: Indicator
    value: float | None
    previous_value: float | None
    numerator: int | None = None
    denominator: int | None = None
    rank: int | None = None
    rank_count: int | None = None
    # Another structure shares the rank: « 2e ex aequo ».
    rank_ex_aequo: bool = False
    region_value: float | None = None
    national_value: float | None = None
    # False: the snapshot's extract could not give it (« non disponible », never 0).
    available: bool = True
    # Structures only: the reference of the structures of similar size (see peer_group()).
    peer_value: float | None = None

    @property
    def code(self) -> str:
        return self.indicator.code

    @property
    def unit(self) -> Unit:
        return self.indicator.unit

    @property
    def evolution(self) -> Decimal | None:
        return registry.evolution(self.value, self.previous_value, self.unit)

    @property
    def direction(self) -> str | None:
        """One of "up", "down" or "flat" (evolution rounded to one decimal), None if unknown."""
        evolution = self.evolution
        if evolution is None:
            return None
        return "up" if evolution > 0 else "down" if evolution < 0 else "flat"

    @property
    def quartile(self) -> int | None:
        return quartile(self.rank, self.rank_count)

    @property
    def small_base(self) -> bool:
        """A rate resting on fewer than :data:`SMALL_DENOMINATOR` young people: shown with a warning."""
        return small_base(self.indicator, self.denominator)

    def published(self, value: float | None) -> int | Decimal | None:
        """A value as published: an integer count, a rate with one decimal."""
        if value is None:
            return None
        if self.unit is Unit.PERCENT:
            return registry.round_rate(value)
        return int(value)


# A rate resting on fewer young people than this is shown with a warning.
SMALL_DENOMINATOR = 20


def small_base(indicator: Indicator, denominator: int | None) -> bool:
    """Whether a rate rests on fewer than :data:`SMALL_DENOMINATOR` young people (but some)."""
    return indicator.is_rate and denominator is not None and 0 < denominator < SMALL_DENOMINATOR


# Structures of similar size (computed by dashboard.recompute.peers): the size is the young people
# accompanied (a contact) over the year before; five bands (quintiles); smaller groups merged.
PEER_SIZE_INDICATOR = "jeunes_accueillis"
PEER_BANDS = 5
PEER_MIN_GROUP = 5


@dataclass
class PeerGroup:
    """The structures of similar size a structure is compared with, for a year (see dashboard.recompute.peers)."""

    code: str
    number: int
    low: int
    high: int
    members: list[str]
    # The period whose young people accompanied give the size (the whole year before), and every band.
    basis: Period
    bands: list[dict]

    @property
    def size_year(self) -> int:
        return self.basis.year

    @property
    def scope(self) -> Scope:
        return Scope(PEERS_SCOPE, self.code)


def peer_group(snapshot: Snapshot, structure_code: str, period: Period) -> PeerGroup | None:
    """The peer group of a structure for the year of ``period``, None when it has none. No query."""
    year = (snapshot.peer_groups or {}).get(str(period.year))
    if not year:
        return None
    for band in year["bands"]:
        if structure_code in band["members"]:
            return PeerGroup(
                code=band["code"],
                number=band["number"],
                low=band["low"],
                high=band["high"],
                members=band["members"],
                basis=Period.parse(year["basis"]),
                bands=year["bands"],
            )
    return None


def reference_scopes(scope: Scope) -> list[Scope]:
    """What a scope is compared with: its region and the nation (a region: the nation)."""
    if scope.kind == ScopeKind.NATIONAL:
        return []
    if scope.kind == ScopeKind.REGION:
        return [Scope.national()]
    region_code = scope.region_code
    if region_code is None:
        region_code = Structure.objects.filter(code=scope.code).values_list("region__code", flat=True).first() or ""
    return ([Scope.for_region(region_code)] if region_code else []) + [Scope.national()]


def indicator_table(
    snapshot: Snapshot,
    scope: Scope,
    period: Period | str,
    *,
    references: bool = True,
    order: str = "display",
) -> list[Figure]:
    """Every indicator for ``scope`` and ``period``, with the same period a year before.

    With ``references``, each figure also carries the regional and national
    values of the period. ``order``: ``"display"`` (by section, as the
    newsletter prints them) or ``"contract"`` (the contract's order, for exports).
    Raises :class:`PeriodError` / :class:`ScopeError` (French) when the snapshot
    has no such period or scope. One query (two for a structure whose region is unknown).
    """
    period = check_period(snapshot, period)
    others = reference_scopes(scope) if references else []
    peers = peer_group(snapshot, scope.code, period) if references and scope.kind == ScopeKind.STRUCTURE else None
    scopes = [scope, *others, *([peers.scope] if peers else [])]
    condition = Q()
    for each in scopes:
        condition |= Q(scope_kind=each.kind, scope_code=each.code)
    rows = IndicatorValue.objects.filter(condition, snapshot=snapshot, period__in=[period.code, period.previous.code])
    by_key: dict[tuple[str, str, str, str], IndicatorValue] = {
        (row.scope_kind, row.scope_code, row.period, row.indicator): row for row in rows.only(*VALUE_FIELDS)
    }
    if not any(key[:3] == (scope.kind, scope.code, period.code) for key in by_key):
        raise ScopeError(f"Périmètre {scope.text} absent du calcul n° {snapshot.pk}.")
    region = next((each for each in others if each.kind == ScopeKind.REGION), None)
    national = Scope.national() if scope.kind != ScopeKind.NATIONAL and references else None
    figures = []
    for indicator in _table_indicators(snapshot, order):
        current = by_key.get((scope.kind, scope.code, period.code, indicator.code))
        previous = by_key.get((scope.kind, scope.code, period.previous.code, indicator.code))
        figure = Figure(
            indicator=indicator,
            value=current.value if current else None,
            previous_value=previous.value if previous else None,
            numerator=current.numerator if current else None,
            denominator=current.denominator if current else None,
            rank=current.rank if current else None,
            rank_count=current.rank_count if current else None,
            rank_ex_aequo=bool(current and current.rank_ex_aequo),
            available=is_available(snapshot, indicator.code),
        )
        if region is not None:
            row = by_key.get((region.kind, region.code, period.code, indicator.code))
            figure.region_value = row.value if row else None
        if national is not None:
            row = by_key.get((national.kind, national.code, period.code, indicator.code))
            figure.national_value = row.value if row else None
        if peers is not None:
            row = by_key.get((PEERS_SCOPE, peers.code, period.code, indicator.code))
            figure.peer_value = row.value if row else None
        figures.append(figure)
    return figures


def series(
    snapshot: Snapshot, scope: Scope, *, codes: list[str] | None = None
) -> dict[str, list[tuple[Period, float | None]]]:
    """indicator code -> [(period, value)] over every period of the snapshot, oldest first. One query."""
    periods = snapshot_periods(snapshot)
    rows = IndicatorValue.objects.filter(snapshot=snapshot, scope_kind=scope.kind, scope_code=scope.code)
    if codes is not None:
        rows = rows.filter(indicator__in=codes)
    values: dict[str, dict[str, float | None]] = defaultdict(dict)
    for indicator, period, value in rows.values_list("indicator", "period", "value"):
        values[indicator][period] = value
    computed = {indicator.code for indicator in snapshot_indicators(snapshot)}
    wanted = (
        codes if codes is not None else [each.code for each in registry.in_display_order() if each.code in computed]
    )
    return {code: [(period, values[code].get(period.code)) for period in periods] for code in wanted}


# --- Export --------------------------------------------------------------------------------

EXPORT_FIELDS = ("code", "label", "value", "previous_value", "evolution", "unit", "available")


def export_rows(snapshot: Snapshot, scope: Scope, period: Period | str) -> list[dict]:
    """The machine interface of the open-data publication (keep it stable; fields are only added at the end).

    One dict per indicator the snapshot was computed with, in the contract's order:
    code, label, value, previous_value, evolution (a number, or None), unit
    (``count`` or ``percent``), available (False: the extract could not give it, e.g.
    ``ani_eligibles`` without the ``niveau_certification`` column; its values are then
    None, never 0). Counts are integers; rates in % with one decimal; the evolution
    of a count in %, of a rate in points, both with one decimal.
    """
    rows = []
    for figure in indicator_table(snapshot, scope, period, references=False, order="contract"):
        value, previous = figure.published(figure.value), figure.published(figure.previous_value)
        evolution = figure.evolution
        rows.append(
            {
                "code": figure.code,
                "label": figure.indicator.label,
                "value": float(value) if isinstance(value, Decimal) else value,
                "previous_value": float(previous) if isinstance(previous, Decimal) else previous,
                "evolution": float(evolution) if evolution is not None else None,
                "unit": figure.unit.value,
                "available": figure.available,
            }
        )
    return rows
