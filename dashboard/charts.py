"""Server-rendered SVG charts of the dashboards, in the DSFR's data-visualisation style.

Geometry is computed here; ``dashboard/includes/chart.html`` draws it, for the
pages and for the PDF alike (no JavaScript, no CDN). Each chart carries its text
alternative: a title, a description, and the table of the figures it draws
(:attr:`Chart.table`), which the pages show next to it.

- A **count** (cumulative from January) is drawn as bars, one per period,
  grouped by year: T1 to T4 of a year grow, then a new year starts again.
- A **rate** is drawn as lines, one per scope (the structure, its region, the
  nation), each with its own colour, dash pattern and marker shape, so that no
  information relies on colour alone.

Colours are the DSFR's (bleu France, vert menthe, violet glycine), each with a
contrast of at least 3:1 against white (WCAG 1.4.11).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from cnml.formatting import format_number, format_percent
from cnml.templatetags.cnml_dsfr import table_markup
from dashboard.indicators import Indicator
from dashboard.periods import Period

# DSFR colours: blue-france-sun-113, green-menthe-main-548, purple-glycine-main-494.
COLOURS = ("#000091", "#009081", "#a558a0")
DASHES = ("", "6 3", "2 3")
MARKERS = ("circle", "square", "diamond")
TEXT_COLOUR = "#3a3a3a"  # grey-200-850
GRID_COLOUR = "#dddddd"  # grey-925
BAND_COLOUR = "#f6f6f6"  # grey-975

WIDTH = 640
HEIGHT = 250
LEFT = 64
RIGHT = 12
TOP = 14
BOTTOM = 46
TICKS = 4


@dataclass
class Bar:
    x: float
    y: float
    width: float
    height: float


MARKER_SIZE = 7


@dataclass
class Point:
    x: float
    y: float


@dataclass
class Line:
    label: str
    colour: str
    dash: str
    marker: str
    # One SVG path per run of known values (a missing value breaks the line).
    paths: list[str] = field(default_factory=list)
    points: list[Point] = field(default_factory=list)


@dataclass
class Tick:
    y: float
    label: str


@dataclass
class XLabel:
    x: float
    label: str


@dataclass
class Band:
    x: float
    width: float


@dataclass
class Table:
    caption: str
    headers: list[str]
    # (period label, formatted values)
    rows: list[tuple[str, list[str]]]


@dataclass
class Chart:
    id: str
    heading: str
    title: str
    description: str
    kind: str  # "bars" or "lines"
    table: Table
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    top: int = TOP
    right_x: int = WIDTH - RIGHT
    base_y: float = HEIGHT - BOTTOM
    bars: list[Bar] = field(default_factory=list)
    bar_colour: str = COLOURS[0]
    # What the bars show, when the legend names them beside the lines (the objectives' charts).
    bar_label: str = ""
    lines: list[Line] = field(default_factory=list)
    ticks: list[Tick] = field(default_factory=list)
    quarter_labels: list[XLabel] = field(default_factory=list)
    year_labels: list[XLabel] = field(default_factory=list)
    bands: list[Band] = field(default_factory=list)
    quarter_y: float = HEIGHT - BOTTOM + 16
    year_y: float = HEIGHT - BOTTOM + 34
    text_colour: str = TEXT_COLOUR
    grid_colour: str = GRID_COLOUR
    band_colour: str = BAND_COLOUR
    empty: bool = False
    unavailable: bool = False

    @property
    def band_height(self) -> float:
        return self.base_y - self.top

    @property
    def tick_label_x(self) -> int:
        return self.left - 8

    @property
    def legend(self) -> list[Line]:
        # One line needs no legend, unless it is told apart from labelled bars.
        return self.lines if len(self.lines) > 1 or self.bar_label else []

    @cached_property
    def svg(self) -> SafeString:
        """The chart as inline SVG (built here rather than in a template: a page draws 18 of them)."""
        return mark_safe(_svg(self))

    @cached_property
    def legend_html(self) -> SafeString:
        return mark_safe(_legend(self)) if self.legend else mark_safe("")

    @cached_property
    def table_html(self) -> SafeString:
        """The text alternative: a DSFR table of the values the chart draws."""
        return mark_safe(_table(self.table))


@dataclass
class Series:
    """A scope's values of one indicator over the periods (None where unknown)."""

    label: str
    values: list[float | None]


def nice_step(span: float, *, integer: bool) -> float:
    """A round step (1, 2, 2.5 or 5 × 10^n) cutting ``span`` into about :data:`TICKS` parts."""
    raw = span / TICKS if span > 0 else 1
    exponent = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 2.5, 5, 10):
        step = factor * exponent
        if step >= raw:
            break
    if integer:
        step = max(1, math.ceil(step))
    return step


def _round(value: float) -> float:
    return round(value, 1)


def _format(value: float | None, *, rate: bool) -> str:
    if value is None:
        return "–"
    return format_percent(value, 1) if rate else format_number(value)


def _tick_label(value: float, *, rate: bool) -> str:
    decimals = 0 if float(value).is_integer() else 1
    return format_percent(value, decimals) if rate else format_number(value, decimals)


# An indicator the snapshot's extract could not give (an optional column missing): never a 0.
NOT_AVAILABLE = "non disponible"


def indicator_chart(
    indicator: Indicator, periods: list[Period], series: list[Series], *, chart_id: str, unavailable: bool = False
) -> Chart:
    """The chart of one indicator over ``periods``: bars for a count, lines for a rate.

    ``series``: the scope first, then its references (region, nation) — drawn
    only for rates, whose values are comparable across scopes. ``unavailable``:
    the extract could not give the indicator; nothing is drawn and the text
    alternative says « non disponible ».
    """
    rate = indicator.is_rate
    drawn = series if rate else series[:1]
    scope_label = drawn[0].label
    chart = Chart(
        id=chart_id,
        heading=indicator.label,
        title=f"{indicator.label} — {scope_label}",
        description=_description(indicator, periods, drawn),
        kind="lines" if rate else "bars",
        table=_figures_table(indicator, periods, drawn, unavailable=unavailable),
    )
    if unavailable:
        chart.unavailable = True
        chart.description = (
            f"{indicator.label} pour {scope_label} : {NOT_AVAILABLE} (l'extraction ne donne pas "
            "le niveau de certification des jeunes)."
        )
    known = [value for each in drawn for value in each.values if value is not None]
    if not periods or not known or unavailable:
        chart.empty = True
        return chart
    centres, slot = _lay_out_periods(chart, periods)
    y_of = _vertical_scale(chart, max(known), rate=rate)
    if rate:
        chart.lines = [_line(index, each, periods, centres, y_of) for index, each in enumerate(drawn)]
    else:
        chart.bars = _bars(drawn[0].values, centres, slot, y_of, base_y=chart.base_y)
    return chart


def _description(indicator: Indicator, periods: list[Period], drawn: list[Series]) -> str:
    """What the chart draws, in a sentence (its ``<desc>``)."""
    scope_label = drawn[0].label
    first, last = (periods[0].label, periods[-1].label) if periods else ("", "")
    if not indicator.is_rate:
        return (
            f"Barres : {indicator.label.lower()} pour {scope_label}, cumulé depuis janvier, "
            f"de {first} à {last}. Les valeurs sont dans le tableau qui suit."
        )
    compared = ", ".join(each.label for each in drawn[1:])
    return (
        f"Courbes : {indicator.label.lower()} de {scope_label}"
        + (f", comparé à {compared}" if compared else "")
        + f", de {first} à {last}. Les valeurs sont dans le tableau qui suit."
    )


def _figures_table(
    indicator: Indicator, periods: list[Period], drawn: list[Series], *, unavailable: bool = False
) -> Table:
    """The text alternative: the values drawn, one row per period."""

    def text(value: float | None) -> str:
        return NOT_AVAILABLE if unavailable else _format(value, rate=indicator.is_rate)

    return Table(
        caption=f"{indicator.label} : {drawn[0].label}, par période",
        headers=["Période", *(each.label for each in drawn)],
        rows=[(period.label, [text(each.values[index]) for each in drawn]) for index, period in enumerate(periods)],
    )


def _lay_out_periods(chart: Chart, periods: list[Period]) -> tuple[list[float], float]:
    """Horizontal layout: one slot per period, half a slot between years; returns the centres and the slot.

    Sets the quarter and year labels, and a band behind every other year.
    """
    years = sorted({period.year for period in periods})
    gaps = len(years) - 1
    plot_width = chart.right_x - chart.left
    slot = plot_width / (len(periods) + 0.5 * gaps)
    centres: list[float] = []
    position = chart.left
    for index, period in enumerate(periods):
        if index and period.year != periods[index - 1].year:
            position += 0.5 * slot
        centres.append(position + slot / 2)
        position += slot
    for year in years:
        indices = [index for index, period in enumerate(periods) if period.year == year]
        start = centres[indices[0]] - slot / 2
        end = centres[indices[-1]] + slot / 2
        chart.year_labels.append(XLabel(_round((start + end) / 2), str(year)))
        if (year - years[0]) % 2 == 1:
            chart.bands.append(Band(_round(start - 0.25 * slot), _round(end - start + 0.5 * slot)))
    chart.quarter_labels = [
        XLabel(_round(centre), f"T{period.quarter}") for centre, period in zip(centres, periods, strict=True)
    ]
    return centres, slot


def _vertical_scale(chart: Chart, top: float, *, rate: bool) -> Callable[[float], float]:
    """Vertical scale from 0 to a round maximum: sets the ticks, returns the y of a value."""
    step = nice_step(top, integer=not rate)
    maximum = step * max(1, math.ceil(top / step)) if top > 0 else step * TICKS
    plot_height = chart.base_y - TOP

    def y_of(value: float) -> float:
        return _round(chart.base_y - value / maximum * plot_height)

    count = round(maximum / step)
    chart.ticks = [Tick(y_of(step * index), _tick_label(step * index, rate=rate)) for index in range(count + 1)]
    return y_of


def _bars(
    values: list[float | None], centres: list[float], slot: float, y_of: Callable[[float], float], *, base_y: float
) -> list[Bar]:
    width = slot * 0.6
    bars = []
    for centre, value in zip(centres, values, strict=True):
        if value is None:
            continue
        y = y_of(value)
        bars.append(Bar(_round(centre - width / 2), y, _round(width), _round(base_y - y)))
    return bars


def _line(
    index: int, each: Series, periods: list[Period], centres: list[float], y_of: Callable[[float], float]
) -> Line:
    """The ``index``-th scope's line: its colour, dash and marker, its paths and points."""
    line = Line(
        label=each.label,
        colour=COLOURS[index % len(COLOURS)],
        dash=DASHES[index % len(DASHES)],
        marker=MARKERS[index % len(MARKERS)],
    )
    run: list[Point] = []
    run_year = None
    for centre, period, value in zip(centres, periods, each.values, strict=True):
        # A missing value breaks the line, and so does a new year (the periods restart in January).
        if value is None or period.year != run_year:
            if run:
                line.paths.append(_path(run))
            run = []
        if value is None:
            continue
        point = Point(_round(centre), y_of(value))
        run.append(point)
        run_year = period.year
        line.points.append(point)
    if run:
        line.paths.append(_path(run))
    return line


def _path(points: list[Point]) -> str:
    return "M " + " L ".join(f"{point.x} {point.y}" for point in points)


# --- Markup --------------------------------------------------------------------------------
# Texts (titles, labels) come through ``escape``; figures and coordinates are
# formatted here (digits, spaces, commas, signs, "%"), never localised.


def _marker(line: Line, x: float, y: float, *, size: float = MARKER_SIZE) -> str:
    colour = line.colour
    if line.marker == "square":
        half = size / 2
        return (
            f'<rect x="{round(x - half, 1)}" y="{round(y - half, 1)}" width="{size}" height="{size}" fill="{colour}"/>'
        )
    if line.marker == "diamond":
        half = size / 2 + 0.5
        points = f"M {x} {round(y - half, 1)} L {round(x + half, 1)} {y} L {x} {round(y + half, 1)} L {round(x - half, 1)} {y} Z"
        return f'<path d="{points}" fill="{colour}"/>'
    return f'<circle cx="{x}" cy="{y}" r="{size / 2 + 0.5}" fill="{colour}"/>'


def _dash(line: Line) -> str:
    return f' stroke-dasharray="{line.dash}"' if line.dash else ""


def _svg(chart: Chart) -> str:
    text = f'fill="{chart.text_colour}"'
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {chart.width} {chart.height}" '
        f'width="{chart.width}" height="{chart.height}" role="img" '
        f'aria-labelledby="{chart.id}-titre {chart.id}-description" focusable="false">',
        f'<title id="{chart.id}-titre">{escape(chart.title)}</title>',
        f'<desc id="{chart.id}-description">{escape(chart.description)}</desc>',
    ]
    for band in chart.bands:
        parts.append(
            f'<rect x="{band.x}" y="{chart.top}" width="{band.width}" height="{chart.band_height}" '
            f'fill="{chart.band_colour}"/>'
        )
    for tick in chart.ticks:
        parts.append(
            f'<line x1="{chart.left}" x2="{chart.right_x}" y1="{tick.y}" y2="{tick.y}" '
            f'stroke="{chart.grid_colour}" stroke-width="1"/>'
            f'<text x="{chart.tick_label_x}" y="{tick.y}" dy="4" text-anchor="end" font-size="12" {text}>'
            f"{tick.label}</text>"
        )
    for bar in chart.bars:
        parts.append(
            f'<rect x="{bar.x}" y="{bar.y}" width="{bar.width}" height="{bar.height}" fill="{chart.bar_colour}"/>'
        )
    for line in chart.lines:
        for path in line.paths:
            parts.append(f'<path d="{path}" fill="none" stroke="{line.colour}" stroke-width="2"{_dash(line)}/>')
        parts.extend(_marker(line, point.x, point.y) for point in line.points)
    parts.append(
        f'<line x1="{chart.left}" x2="{chart.right_x}" y1="{chart.base_y}" y2="{chart.base_y}" '
        f'stroke="{chart.text_colour}" stroke-width="1"/>'
    )
    for label in chart.quarter_labels:
        parts.append(
            f'<text x="{label.x}" y="{chart.quarter_y}" text-anchor="middle" font-size="11" {text}>{label.label}</text>'
        )
    for label in chart.year_labels:
        parts.append(
            f'<text x="{label.x}" y="{chart.year_y}" text-anchor="middle" font-size="12" font-weight="bold" {text}>'
            f"{label.label}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)


def _swatch(shape: str) -> str:
    """A legend's sample of what the chart draws, 32 × 12."""
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 12" width="32" height="12" '
        f'aria-hidden="true" focusable="false">{shape}</svg>'
    )


def _legend(chart: Chart) -> str:
    items = []
    if chart.bar_label:
        bar = f'<rect x="10" y="0" width="12" height="12" fill="{chart.bar_colour}"/>'
        items.append(f"<li>{_swatch(bar)} {escape(chart.bar_label)}</li>")
    for line in chart.legend:
        marker = "" if line.marker == "none" else _marker(line, 16, 6)
        stroke = f'<line x1="0" x2="32" y1="6" y2="6" stroke="{line.colour}" stroke-width="2"{_dash(line)}/>'
        items.append(f"<li>{_swatch(stroke + marker)} {escape(line.label)}</li>")
    kind = " dashboard-objective-legend" if chart.bar_label else ""
    return f'<ul class="dashboard-legend{kind}">{"".join(items)}</ul>'


def _table(table: Table) -> str:
    figure = ' class="dashboard-figure"'
    headers = "".join(
        f'<th scope="col"{"" if index == 0 else figure}>{escape(header)}</th>'
        for index, header in enumerate(table.headers)
    )
    rows = "".join(
        f'<tr><th scope="row">{escape(label[:1].upper() + label[1:])}</th>'
        + "".join(f'<td class="dashboard-figure">{value}</td>' for value in values)
        + "</tr>"
        for label, values in table.rows
    )
    return table_markup(
        None,
        f"<table><caption>{escape(table.caption)}</caption><thead><tr>{headers}</tr></thead><tbody>{rows}</tbody></table>",
        classes="fr-table--sm fr-mb-0",
    )
