"""What the dashboard pages and their exports show, built on :mod:`dashboard.selectors`.

A page reads one snapshot (:func:`reading`): the public the latest validated
one, signed-in users the latest computed one, flagged when it is not validated
yet. For a scope and a period it shows the indicator table (:func:`scope_table`:
each figure with the same period a year before, its evolution and, for a region
or a structure, the regional and national references and the structure's
position among all structures), the charts over every period of the snapshot
(:func:`scope_charts`), and, for the nation and a region, a table of their
regions or structures (:func:`headline_table`). Each builder costs one query.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.cache import cache
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from cnml.formatting import format_count, format_number, format_percent, format_rank, format_signed
from cnml.models import Structure
from dashboard import indicators as registry
from dashboard import selectors
from dashboard.charts import NOT_AVAILABLE, Chart, Series, indicator_chart
from dashboard.indicators import Indicator, Section
from dashboard.models.snapshots import IndicatorValue, ScopeKind, Snapshot
from dashboard.periods import Period, PeriodError
from dashboard.selectors import SMALL_DENOMINATOR, Figure, PeerGroup, Scope, ScopeError, small_base

PERIOD_PARAMETER = "periode"

# direction -> (arrow, words read by screen readers)
ARROWS = {"up": ("↗", "en hausse"), "down": ("↘", "en baisse"), "flat": ("→", "stable")}


# --- Which figures -------------------------------------------------------------------------


@dataclass
class Reading:
    """The snapshot a reader sees, its periods and the period chosen."""

    snapshot: Snapshot | None
    periods: list[Period] = field(default_factory=list)
    period: Period | None = None
    # A period asked for (in the URL) that the snapshot does not have.
    unknown_period: str = ""

    @property
    def validated(self) -> bool:
        return bool(self.snapshot and self.snapshot.is_validated)

    @property
    def demo(self) -> bool:
        """The demo's invented figures: said plainly on every page, export and PDF."""
        return bool(self.snapshot and self.snapshot.data_demo)

    @property
    def provenance(self) -> str:
        return self.snapshot.provenance if self.snapshot else ""

    @property
    def previous_period(self) -> Period | None:
        return self.period.previous if self.period else None

    @property
    def period_choices(self) -> list[Period]:
        """Most recent first, as a reader looks for it."""
        return list(reversed(self.periods))


def reading(user, requested_period: str | None = None) -> Reading:
    """The figures ``user`` may see (public: validated only) for the period asked for (default: the latest)."""
    snapshot = selectors.snapshot_for_reader(user)
    if snapshot is None:
        return Reading(snapshot=None)
    periods = selectors.snapshot_periods(snapshot)
    result = Reading(snapshot=snapshot, periods=periods, period=periods[-1] if periods else None)
    if requested_period:
        try:
            result.period = selectors.check_period(snapshot, requested_period)
        except PeriodError:
            result.unknown_period = requested_period[:20]
    return result


# --- Formatting ----------------------------------------------------------------------------


def format_value(value: float | int | Decimal | None, indicator: Indicator) -> str:
    """958 450 for a count, 4,7 % for a rate, – when unknown."""
    if value is None:
        return "–"
    return format_percent(value, 1) if indicator.is_rate else format_number(value)


def format_evolution(evolution: Decimal | None, indicator: Indicator) -> str:
    """+4,7 % for a count, +1,4 pt for a rate (a difference in points), – when unknown."""
    return format_signed(evolution, 1, "pt" if indicator.is_rate else "%")


# --- The indicator table -------------------------------------------------------------------


@dataclass
class Row:
    """One line of an indicator table, formatted for the page and the PDF."""

    figure: Figure
    value: str
    previous: str
    evolution: str
    arrow: str
    trend: str
    region: str
    national: str
    position: str
    quartile: str
    # Structures: the reference of the structures of similar size.
    peers: str = ""
    # A rate resting on fewer than 20 young people: said beside it.
    warning: str = ""

    @property
    def indicator(self) -> Indicator:
        return self.figure.indicator

    @property
    def label(self) -> str:
        return self.figure.indicator.label

    @property
    def level(self) -> int:
        return self.figure.indicator.level


def row_of(figure: Figure) -> Row:
    indicator = figure.indicator
    if not figure.available:  # the extract could not give it: « non disponible », never 0
        return _unavailable_row(figure)
    arrow, trend = ARROWS.get(figure.direction or "", ("", ""))
    position = quartile = ""
    if figure.rank and figure.rank_count:
        position = f"{format_rank(figure.rank, ex_aequo=figure.rank_ex_aequo)} sur {format_number(figure.rank_count)}"
        quartile = f"{format_rank(figure.quartile)} quartile"
    return Row(
        figure=figure,
        value=format_value(figure.published(figure.value), indicator),
        previous=format_value(figure.published(figure.previous_value), indicator),
        evolution=format_evolution(figure.evolution, indicator),
        arrow=arrow,
        trend=trend,
        region=format_value(figure.published(figure.region_value), indicator),
        national=format_value(figure.published(figure.national_value), indicator),
        position=position,
        quartile=quartile,
        peers=format_value(figure.published(figure.peer_value), indicator),
        warning=small_base_warning(figure.denominator) if figure.small_base else "",
    )


def _unavailable_row(figure: Figure) -> Row:
    return Row(
        figure=figure,
        value=NOT_AVAILABLE,
        previous=NOT_AVAILABLE,
        evolution=format_evolution(None, figure.indicator),
        arrow="",
        trend="",
        region=NOT_AVAILABLE,
        national=NOT_AVAILABLE,
        position="",
        quartile="",
        peers=NOT_AVAILABLE,
        warning="",
    )


def small_base_warning(denominator: int) -> str:
    """Beside a rate resting on fewer than 20 young people (the table's note says why it matters)."""
    return f"sur {young_people(denominator)} seulement"


def young_people(count: int) -> str:
    return format_count(count, "jeune")


def small_base_note(denominator: int) -> str:
    """The same warning in an export, where no note explains it."""
    return (
        f"taux calculé sur {young_people(denominator)} seulement (moins de {SMALL_DENOMINATOR}) : à lire avec prudence"
    )


@dataclass
class SectionRows:
    section: Section
    rows: list[Row]

    @property
    def title(self) -> str:
        return self.section.value


@dataclass
class ScopeTable:
    scope: Scope
    figures: list[Figure]
    sections: list[SectionRows]
    # Whether the figures carry a regional reference, and a national one.
    has_region: bool
    has_national: bool
    # Structures: the group of structures of similar size they are compared with (None: none).
    peer_group: PeerGroup | None = None

    @property
    def has_position(self) -> bool:
        return self.scope.kind == ScopeKind.STRUCTURE

    @property
    def has_peers(self) -> bool:
        return self.peer_group is not None

    @property
    def has_warnings(self) -> bool:
        return any(figure.small_base for figure in self.figures)

    @property
    def columns(self) -> int:
        return 4 + self.has_region + self.has_national + self.has_peers + self.has_position


def scope_table(snapshot: Snapshot, scope: Scope, period: Period) -> ScopeTable | None:
    """The indicator table of ``scope`` (None when the snapshot has no figures for it). One query."""
    try:
        figures = selectors.indicator_table(snapshot, scope, period)
    except ScopeError:
        return None
    grouped: dict[Section, list[Row]] = {}
    for figure in figures:
        grouped.setdefault(figure.indicator.section, []).append(row_of(figure))
    references = selectors.reference_scopes(scope)
    return ScopeTable(
        scope=scope,
        figures=figures,
        sections=[SectionRows(section, rows) for section, rows in grouped.items()],
        has_region=any(each.kind == ScopeKind.REGION for each in references),
        has_national=any(each.kind == ScopeKind.NATIONAL for each in references),
        peer_group=selectors.peer_group(snapshot, scope.code, period) if scope.kind == ScopeKind.STRUCTURE else None,
    )


# --- Charts --------------------------------------------------------------------------------


@dataclass
class LabelledScope:
    scope: Scope
    label: str


# The nation's label beside a region's or a structure's name.
NATIONAL_LABEL = "France entière"


def structure_scopes(structure: Structure, national_label: str) -> list[LabelledScope]:
    """A structure's scope, then those its figures are compared with: its region's (when it has one), the nation's."""
    scopes = [LabelledScope(Scope.for_structure(structure), structure.name)]
    if structure.region is not None:
        scopes.append(LabelledScope(Scope.for_region(structure.region), structure.region.name))
    scopes.append(LabelledScope(Scope.national(), national_label))
    return scopes


def scope_charts(snapshot: Snapshot, scopes: list[LabelledScope], *, codes: list[str] | None = None) -> list[Chart]:
    """A chart per indicator over every period: the first scope, and the others as references for rates.

    Every indicator the snapshot was computed with, or those of ``codes``. One query for every scope's values.
    """
    periods = selectors.snapshot_periods(snapshot)
    main, references = scopes[0], scopes[1:]
    condition = Q(scope_kind=main.scope.kind, scope_code=main.scope.code)
    rate_codes = [indicator.code for indicator in registry.rates()]
    for each in references:
        condition |= Q(scope_kind=each.scope.kind, scope_code=each.scope.code, indicator__in=rate_codes)
    values: dict[tuple[str, str], dict[str, dict[str, float | None]]] = defaultdict(lambda: defaultdict(dict))
    rows = IndicatorValue.objects.filter(condition, snapshot=snapshot).values_list(
        "scope_kind", "scope_code", "indicator", "period", "value"
    )
    for kind, code, indicator, period, value in rows:
        values[(kind, code)][indicator][period] = value
    period_codes = [period.code for period in periods]
    keyed = [(each.label, values[each.scope.key]) for each in scopes]
    computed = selectors.snapshot_indicators(snapshot)
    charts = []
    for indicator in registry.in_display_order():
        if indicator not in computed or (codes is not None and indicator.code not in codes):
            continue
        series = []
        for label, by_indicator in keyed:
            found = by_indicator.get(indicator.code, {})
            series.append(Series(label, [found.get(code) for code in period_codes]))
        unavailable = not selectors.is_available(snapshot, indicator.code)
        chart_id = f"graphique-{indicator.code}"
        charts.append(indicator_chart(indicator, periods, series, chart_id=chart_id, unavailable=unavailable))
    return charts


# A snapshot never changes once computed, and the charts show every period: the
# charts of a scope are rendered once per snapshot and kept in the cache.
CHARTS_CACHE_SECONDS = 24 * 60 * 60


def charts_cache_key(snapshot: Snapshot, scopes: list[LabelledScope], codes: list[str] | None = None) -> str:
    computed = snapshot.computed_at.isoformat() if snapshot.computed_at else ""
    parts = [str(snapshot.pk), computed, snapshot.provenance]
    parts += [f"{each.scope.kind}:{each.scope.code}:{each.label}" for each in scopes]
    if codes is not None:
        parts.append(",".join(codes))
    return "dashboard:charts:" + hashlib.sha256("|".join(parts).encode()).hexdigest()


def charts_html(reading: Reading, scopes: list[LabelledScope], *, codes: list[str] | None = None) -> SafeString:
    """The rendered charts of the first scope (compared with the others; only ``codes`` if given), cached."""
    key = charts_cache_key(reading.snapshot, scopes, codes)
    html = cache.get(key)
    if html is None:
        charts = scope_charts(reading.snapshot, scopes, codes=codes)
        html = render_to_string("dashboard/includes/charts.html", {"charts": charts, "reading": reading})
        cache.set(key, html, CHARTS_CACHE_SECONDS)
    return mark_safe(html)  # rendered by our template, which escapes every text


# --- Tables of regions and structures ------------------------------------------------------

HEADLINE_COUNT = "jeunes_accueillis"
HEADLINE_RATES = ("taux_emploi_ou_formation", "taux_civis_sorties_positives")


@dataclass
class HeadlineCell:
    indicator: Indicator
    value: float | None
    text: str
    # Counts: the evolution a year before; rates of structures: the position.
    detail: str = ""
    evolution: Decimal | None = None
    arrow: str = ""
    trend: str = ""
    rank: int | None = None
    rank_count: int | None = None
    # Rates: the young people it rests on, and a warning when they are fewer than 20.
    denominator: int | None = None
    warning: str = ""


NO_DATA = "pas de données"


@dataclass
class HeadlineLine:
    code: str
    label: str
    url: str
    cells: list[HeadlineCell]
    # False when the scope has nothing for the period (no value, or only zeros and rates of nobody):
    # its figures read « pas de données », never zeros.
    has_data: bool = True


def has_data(cells: list[HeadlineCell]) -> bool:
    """Some count above zero, or some rate of somebody."""
    return any(cell.denominator if cell.indicator.is_rate else cell.value for cell in cells)


def headline_indicators() -> list[Indicator]:
    return [registry.get(HEADLINE_COUNT), *(registry.get(code) for code in HEADLINE_RATES)]


def headline_table(
    snapshot: Snapshot, kind: str, entries: list[tuple[str, str, str]], period: Period
) -> list[HeadlineLine]:
    """For each (code, label, url) of regions or structures: the headline figures of ``period``. One query."""
    indicators = headline_indicators()
    codes = [code for code, _, _ in entries]
    rows = IndicatorValue.objects.filter(
        snapshot=snapshot,
        scope_kind=kind,
        scope_code__in=codes,
        indicator__in=[indicator.code for indicator in indicators],
        period__in=[period.code, period.previous.code],
    ).values_list("scope_code", "indicator", "period", "value", "rank", "rank_count", "rank_ex_aequo", "denominator")
    found: dict[tuple[str, str, str], tuple] = {
        (code, indicator, period_code): (value, (rank, rank_count, ex_aequo), denominator)
        for code, indicator, period_code, value, rank, rank_count, ex_aequo, denominator in rows
    }
    lines = []
    for code, label, url in entries:
        cells = [_headline_cell(indicator, found, code, period) for indicator in indicators]
        line = HeadlineLine(code, label, url, cells, has_data=has_data(cells))
        if not line.has_data:
            for cell in cells:
                cell.value, cell.text, cell.detail, cell.arrow, cell.trend = None, NO_DATA, "", "", ""
                cell.evolution = cell.rank = cell.rank_count = None
        lines.append(line)
    return lines


def _headline_cell(indicator: Indicator, found: dict, code: str, period: Period) -> HeadlineCell:
    value, (rank, rank_count, ex_aequo), denominator = found.get(
        (code, indicator.code, period.code), (None, (None, None, False), None)
    )
    previous = found.get((code, indicator.code, period.previous.code), (None,))[0]
    figure = Figure(indicator, value, previous, denominator=denominator, rank=rank, rank_count=rank_count)
    cell = HeadlineCell(indicator, value, format_value(figure.published(value), indicator))
    if indicator.is_rate:
        cell.denominator = denominator
        cell.warning = small_base_warning(denominator) if small_base(indicator, denominator) else ""
        if rank and rank_count:
            cell.rank, cell.rank_count = rank, rank_count
            cell.detail = f"{format_rank(rank, ex_aequo=ex_aequo)} sur {format_number(rank_count)}"
    else:
        cell.evolution = figure.evolution
        cell.detail = format_evolution(figure.evolution, indicator)
        cell.arrow, cell.trend = ARROWS.get(figure.direction or "", ("", ""))
    return cell
