"""What the pages show of objectives: a table per indicator, the ranking of regions or structures, a chart.

For the period a page shows (``2011-T3``: January to September 2011), each objective of that year
reads its indicator's cumulative value at that quarter, the share of the target reached, the
projection at 31 December (:mod:`dashboard.objectives.progress`) and the gaps. The objectives of
the scopes below the page's (regions under the nation, structures under a region) are ranked by
share reached; equal shares, as printed (one decimal), share a rank « ex aequo ». Their targets
are added up and compared with the objective above them: a difference is said, never refused.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from cnml.formatting import competition_ranks, format_number, format_percent, format_rank
from dashboard import indicators as registry
from dashboard.charts import COLOURS, Chart, Line, Table, _bars, _lay_out_periods, _vertical_scale
from dashboard.models.snapshots import ScopeKind
from dashboard.objectives import selectors
from dashboard.objectives.progress import PROJECTION_METHOD, Progress
from dashboard.objectives.selectors import ObjectiveFigures
from dashboard.periods import QUARTERS, Period

# Most specific first: the page's own scope leads its references.
SCOPE_ORDER = {ScopeKind.STRUCTURE: 0, ScopeKind.REGION: 1, ScopeKind.NATIONAL: 2}
PARENT_KIND = {ScopeKind.REGION: ScopeKind.NATIONAL, ScopeKind.STRUCTURE: ScopeKind.REGION}
RANKED_TITLES = {ScopeKind.REGION: "Les régions", ScopeKind.STRUCTURE: "Les structures de la région"}
BAR_COLOUR = COLOURS[0]
TARGET_COLOUR = "#ce0500"  # DSFR red-marianne-main-472: 4.7:1 against white


def signed(value: int | None) -> str:
    """−2 000, +1 500, 0 (a gap in young people)."""
    if value is None:
        return "–"
    return ("+" if value > 0 else "") + format_number(value)


def indicator_label(code: str) -> str:
    """« Jeunes en alternance »: the registry's label, a sub-line's (« en alternance ») with its subject."""
    indicator = registry.REGISTRY.get(code)
    if indicator is None:
        return code
    return f"Jeunes {indicator.label}" if indicator.label[:1].islower() else indicator.label


@dataclass
class ObjectiveLine:
    """One objective at the page's quarter, formatted for the page, the exports and the PDF."""

    figures: ObjectiveFigures
    progress: Progress
    rank: int | None = None
    ex_aequo: bool = False

    @property
    def objective(self):
        return self.figures.objective

    @property
    def scope_label(self) -> str:
        return self.objective.scope_label

    @property
    def label(self) -> str:
        return indicator_label(self.objective.indicator)

    @property
    def target_text(self) -> str:
        return format_number(self.progress.target)

    @property
    def value_text(self) -> str:
        return format_number(self.progress.value) if self.progress.known else "pas de données"

    @property
    def share_text(self) -> str:
        return format_percent(self.progress.share, 1)

    @property
    def projection_text(self) -> str:
        return format_number(self.progress.projection)

    @property
    def remaining_text(self) -> str:
        if not self.progress.known:
            return "–"
        return "objectif atteint" if self.progress.remaining == 0 else format_number(self.progress.remaining)

    @property
    def gap_text(self) -> str:
        return signed(self.progress.projected_gap)

    @property
    def rank_text(self) -> str:
        if self.rank is None:
            return "non classée"
        return format_rank(self.rank, ex_aequo=self.ex_aequo)


@dataclass
class ObjectiveGroup:
    """The objectives of one indicator: the page's scope and its references, then the scopes below, ranked."""

    code: str
    label: str
    lines: list[ObjectiveLine]
    ranked: list[ObjectiveLine] = field(default_factory=list)
    ranked_title: str = ""
    sum_note: str = ""
    charts: list[Chart] = field(default_factory=list)

    @property
    def tables(self) -> list[tuple[list[ObjectiveLine], bool]]:
        """(lines, ranked): the page's scope and its references, then the scopes below, ranked."""
        return [(self.lines, False), (self.ranked, True)]


@dataclass
class ObjectivesSection:
    year: int
    period: Period
    groups: list[ObjectiveGroup]
    method: str = PROJECTION_METHOD

    @property
    def all_lines(self) -> list[ObjectiveLine]:
        return [line for group in self.groups for line in (*group.lines, *group.ranked)]

    @property
    def months(self) -> int:
        return 3 * self.period.quarter


def rank_lines(lines: list[ObjectiveLine]) -> list[ObjectiveLine]:
    """By share reached, highest first; equal printed shares share a rank (ex aequo); no figure: unranked, last."""
    known = sorted((line for line in lines if line.progress.share is not None), key=lambda line: -line.progress.share)
    for line, (rank, ex_aequo) in zip(known, competition_ranks([line.progress.share for line in known]), strict=True):
        line.rank, line.ex_aequo = rank, ex_aequo
    unknown = sorted((line for line in lines if line.progress.share is None), key=lambda line: line.scope_label)
    return known + unknown


def sum_note(parent: ObjectiveLine | None, children: list[ObjectiveLine], child_kind: str) -> str:
    """Whether the targets below add up to the one above (said, never refused)."""
    if parent is None or not children:
        return ""
    total = sum(line.progress.target for line in children)
    what = "des régions" if child_kind == ScopeKind.REGION else "des structures"
    above = "l'objectif national" if child_kind == ScopeKind.REGION else "l'objectif de la région"
    text = f"Les objectifs {what} totalisent {format_number(total)} jeunes pour {above} de {parent.target_text}"
    difference = total - parent.progress.target
    if difference == 0:
        return f"{text} : ils l'égalent."
    more_or_less = "de plus" if difference > 0 else "de moins"
    return f"{text} : {format_number(abs(difference))} {more_or_less}, ils ne lui correspondent pas."


def objective_chart(line: ObjectiveLine, year: int, *, chart_id: str) -> Chart:
    """Bars of the cumulative value at each quarter of the year, and the target as a dashed line."""
    periods = [Period(year, quarter) for quarter in QUARTERS]
    values = line.figures.values
    target = line.progress.target
    caption = f"{line.label} : {line.scope_label}, objectif {year} de {format_number(target)} jeunes, par trimestre"
    chart = Chart(
        id=chart_id,
        heading=f"{line.label} — {line.scope_label}",
        title=f"{line.label} — {line.scope_label} : objectif {year}",
        description=(
            f"Barres : valeur cumulée depuis janvier, à la fin de chaque trimestre de {year} ; ligne en tirets : "
            f"l'objectif de {format_number(target)} jeunes. Les valeurs sont dans le tableau qui suit."
        ),
        kind="bars",
        table=Table(
            caption=caption,
            headers=["Période", "Valeur", "Part atteinte"],
            rows=[(period.label, _table_row(value, target)) for period, value in zip(periods, values, strict=True)],
        ),
    )
    centres, slot = _lay_out_periods(chart, periods)
    known = [value for value in values if value is not None]
    y_of = _vertical_scale(chart, max([target, *known]), rate=False)
    chart.bars = _bars(list(values), centres, slot, y_of, base_y=chart.base_y)
    y = y_of(target)
    chart.bar_label = "Valeur cumulée depuis janvier"
    chart.lines = [Line(f"Objectif : {format_number(target)}", TARGET_COLOUR, "6 3", "none", paths=[_flat(chart, y)])]
    return chart


def _flat(chart: Chart, y: float) -> str:
    return f"M {chart.left} {y} L {chart.right_x} {y}"


def _table_row(value: int | None, target: int) -> list[str]:
    if value is None:
        return ["–", "–"]
    share = (Decimal(value) * 100 / Decimal(target)) if target else None
    return [format_number(value), format_percent(share, 1)]


def _chart_id(line: ObjectiveLine) -> str:
    objective = line.objective
    code = "".join(char if char.isalnum() else "-" for char in objective.scope_code or "france")
    return f"objectif-{objective.indicator}-{objective.scope_kind}-{code}".replace("_", "-")


def build_section(figures: list[ObjectiveFigures], period: Period, *, child_kind: str | None) -> ObjectivesSection:
    """The objectives of ``period``'s year at ``period``; those of ``child_kind`` scopes ranked below the others."""
    by_code: dict[str, list[ObjectiveLine]] = {}
    for each in figures:
        progress = Progress(each.objective.target, each.value_at(period.quarter), period.quarter)
        by_code.setdefault(each.objective.indicator, []).append(ObjectiveLine(each, progress))
    groups = []
    for code in sorted(by_code, key=_display_position):
        lines = by_code[code]
        own = sorted((line for line in lines if line.objective.scope_kind != child_kind), key=_scope_position)
        below = [line for line in lines if line.objective.scope_kind == child_kind]
        parent = next((line for line in own if line.objective.scope_kind == PARENT_KIND.get(child_kind)), None)
        groups.append(
            ObjectiveGroup(
                code=code,
                label=indicator_label(code),
                lines=own,
                ranked=rank_lines(below),
                ranked_title=RANKED_TITLES.get(child_kind, ""),
                sum_note=sum_note(parent, below, child_kind) if child_kind else "",
                charts=[objective_chart(line, period.year, chart_id=_chart_id(line)) for line in own],
            )
        )
    return ObjectivesSection(year=period.year, period=period, groups=groups)


def _scope_position(line: ObjectiveLine) -> tuple[int, str]:
    return SCOPE_ORDER.get(line.objective.scope_kind, 3), line.scope_label


def _display_position(code: str) -> tuple[int, str]:
    indicator = registry.REGISTRY.get(code)
    return (indicator.order if indicator is not None else 10_000), code


def section_for(reading, objectives, *, child_kind: str | None) -> ObjectivesSection | None:
    """The objectives section of a page reading ``reading`` (None: no figures, or no objective that year). One query."""
    if reading.snapshot is None or reading.period is None:
        return None
    figures = selectors.with_values(objectives, reading.snapshot, reading.period.year)
    if not figures:
        return None
    return build_section(figures, reading.period, child_kind=child_kind)
