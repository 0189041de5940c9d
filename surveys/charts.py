"""Server-rendered SVG bar charts (pages and PDF reports): geometry computed here, drawn by a template.

A chart only ever receives figures that may be shown: a hidden value is
``None`` and gets no bar, exactly as its table cell shows « masqué ».
"""

from __future__ import annotations

from dataclasses import dataclass, field

from cnml.formatting import format_number, format_percent

LABEL_WIDTH = 230
BAR_AREA = 300
VALUE_WIDTH = 80
ROW_HEIGHT = 22
BAR_HEIGHT = 14


@dataclass
class Bar:
    label: str
    y: int
    x: float = 0
    width: float = 0
    value_text: str = "masqué"
    negative: bool = False
    parent_x: float | None = None
    parent_width: float | None = None
    shown: bool = False


@dataclass
class Chart:
    title: str
    width: int
    height: int
    bars: list[Bar] = field(default_factory=list)
    zero_x: float = LABEL_WIDTH
    label_x: int = LABEL_WIDTH - 6
    value_x: int = LABEL_WIDTH + BAR_AREA + 6
    has_parent: bool = False


def _short(label: str, limit: int = 34) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"


def bar_chart(
    title: str,
    rows: list[tuple[str, float | None, float | None]],
    *,
    low: float = 0,
    high: float = 100,
    percent: bool = True,
    decimals: int = 1,
) -> Chart:
    """Horizontal bars for (label, value, parent value) rows, on the scale [low, high].

    ``low`` below zero draws diverging bars from zero (SERVQUAL gaps).
    """
    chart = Chart(
        title=title,
        width=LABEL_WIDTH + BAR_AREA + VALUE_WIDTH,
        height=ROW_HEIGHT * len(rows) + 8,
        has_parent=any(parent is not None for _, _, parent in rows),
    )
    span = (high - low) or 1

    def position(value: float) -> float:
        value = min(max(value, low), high)
        return LABEL_WIDTH + (value - low) / span * BAR_AREA

    zero = position(0 if low < 0 < high else low)
    chart.zero_x = zero
    for index, (label, value, parent) in enumerate(rows):
        bar = Bar(label=_short(label), y=4 + index * ROW_HEIGHT)
        if value is not None:
            end = position(value)
            bar.x, bar.width = min(zero, end), abs(end - zero)
            bar.negative = value < 0
            bar.shown = True
            bar.value_text = format_percent(value, decimals) if percent else format_number(value, decimals)
        if parent is not None:
            end = position(parent)
            bar.parent_x, bar.parent_width = min(zero, end), abs(end - zero)
        chart.bars.append(bar)
    return chart
