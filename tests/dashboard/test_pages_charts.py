"""The dashboards' SVG charts: geometry, DSFR colours, text alternative."""

from __future__ import annotations

import re

import pytest

from dashboard import indicators as registry
from dashboard.charts import COLOURS, Series, indicator_chart, nice_step
from dashboard.periods import Period

PERIODS = [Period(year, quarter) for year in (2010, 2011) for quarter in (1, 2, 3, 4)]


def contrast_with_white(colour: str) -> float:
    def channel(value: int) -> float:
        value /= 255
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

    red, green, blue = (int(colour[index : index + 2], 16) for index in (1, 3, 5))
    luminance = 0.2126 * channel(red) + 0.7152 * channel(green) + 0.0722 * channel(blue)
    return 1.05 / (luminance + 0.05)


@pytest.mark.parametrize(
    ("span", "integer", "step"),
    [(958450, True, 250000), (100, True, 25), (3, True, 1), (0, True, 1), (62.5, False, 20), (7.2, False, 2)],
)
def test_nice_step_cuts_the_scale_in_round_steps(span, integer, step):
    assert nice_step(span, integer=integer) == step


def test_every_series_colour_contrasts_with_white_as_wcag_asks_of_graphics():
    assert all(contrast_with_white(colour) >= 3 for colour in COLOURS)


def test_a_count_is_drawn_as_one_bar_per_known_period_proportional_to_its_value():
    values = [10, 20, 30, 40, 15, None, 45, 80]
    chart = indicator_chart(
        registry.get("jeunes_accueillis"), PERIODS, [Series("Mission locale", values)], chart_id="graphique-test"
    )

    assert chart.kind == "bars"
    assert len(chart.bars) == 7
    heights = [bar.height for bar in chart.bars]
    assert heights[-1] == max(heights)
    assert heights[0] * 8 == pytest.approx(heights[-1], abs=0.5)
    assert [tick.label for tick in chart.ticks] == ["0", "20", "40", "60", "80"]
    assert [label.label for label in chart.year_labels] == ["2010", "2011"]
    assert [label.label for label in chart.quarter_labels] == ["T1", "T2", "T3", "T4"] * 2
    # The text alternative lists every period, a missing value as a dash.
    assert chart.table.headers == ["Période", "Mission locale"]
    assert chart.table.rows[5] == ("janvier-juin 2011", ["–"])
    assert chart.table.rows[7] == ("janvier-décembre 2011", ["80"])


def test_a_rate_is_drawn_as_lines_for_the_scope_and_its_references_broken_at_each_new_year():
    scope = Series("Mission locale", [10.0, 12.5, 20.0, None, 15.0, 16.0, 17.0, 18.0])
    region = Series("Région", [11.0] * 8)
    nation = Series("France entière", [12.0] * 8)
    chart = indicator_chart(
        registry.get("taux_emploi_ou_formation"), PERIODS, [scope, region, nation], chart_id="graphique-taux"
    )

    assert chart.kind == "lines"
    assert [line.label for line in chart.lines] == ["Mission locale", "Région", "France entière"]
    assert len({line.colour for line in chart.lines}) == 3
    assert len({line.dash for line in chart.lines}) == 3
    assert len({line.marker for line in chart.lines}) == 3
    assert len(chart.lines[0].paths) == 2  # 2010 up to the missing T4, then 2011
    assert len(chart.lines[0].points) == 7
    assert len(chart.lines[1].paths) == 2  # one per year
    assert chart.table.rows[0] == ("janvier-mars 2010", ["10,0\u00a0%", "11,0\u00a0%", "12,0\u00a0%"])
    assert [tick.label for tick in chart.ticks][-1] == "20\u00a0%"


def test_the_svg_is_an_image_named_by_its_title_and_description_without_script():
    chart = indicator_chart(
        registry.get("jeunes_accueillis"),
        PERIODS,
        [Series("Mission locale <Sud> & Co", [1, 2, 3, 4, 5, 6, 7, 8])],
        chart_id="graphique-jeunes",
    )
    svg = str(chart.svg)

    assert svg.startswith('<svg xmlns="http://www.w3.org/2000/svg"')
    assert 'role="img"' in svg
    assert 'aria-labelledby="graphique-jeunes-titre graphique-jeunes-description"' in svg
    assert '<title id="graphique-jeunes-titre">Jeunes accueillis — Mission locale &lt;Sud&gt; &amp; Co</title>' in svg
    assert "de janvier-mars 2010 à janvier-décembre 2011" in svg
    assert "<script" not in svg and "style=" not in svg
    assert len(re.findall(r'<rect [^>]*fill="#000091"', svg)) == 8
    assert "&lt;Sud&gt;" in str(chart.table_html)


def test_a_chart_without_any_value_is_empty():
    chart = indicator_chart(
        registry.get("taux_civis_emploi_durable"), PERIODS, [Series("Mission locale", [None] * 8)], chart_id="vide"
    )

    assert chart.empty
    assert chart.lines == [] and chart.bars == []
