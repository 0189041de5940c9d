"""The map of France by region, drawn from the local SVG ``static/mobility/regions-2011.svg``.

The SVG holds one simplified shape per 2011 region (``data-code`` = INSEE code), with
where to put its label. Pages and PDFs draw it inline, each region filled by how many
projects it has: no tiles, nothing fetched from outside. The map is an image for sighted
users only: every page showing it gives the same figures in a table.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from functools import cache
from pathlib import Path

SVG_PATH = Path(__file__).resolve().parent / "static" / "mobility" / "regions-2011.svg"
SVG_NS = "{http://www.w3.org/2000/svg}"

# Fill by number of projects: DSFR "bleu France" shades, from none to many.
SHADES = [
    (0, "#f6f6f6", "aucun projet"),
    (1, "#cacafb", "1 projet"),
    (2, "#8585f6", "2 projets"),
    (3, "#000091", "3 projets ou plus"),
]


@dataclass(frozen=True)
class Shape:
    code: str
    name: str
    d: str
    label_x: int
    label_y: int
    inset: bool


@dataclass(frozen=True)
class Inset:
    x: int
    y: int
    width: int
    height: int


@dataclass(frozen=True)
class MapRegion:
    shape: Shape
    count: int
    fill: str
    text_fill: str
    url: str | None


@cache
def _load() -> tuple[str, list[Shape], list[Inset]]:
    root = ET.parse(SVG_PATH).getroot()
    shapes = [
        Shape(
            code=element.get("data-code"),
            name=element.get("data-name"),
            d=element.get("d"),
            label_x=int(element.get("data-label-x")),
            label_y=int(element.get("data-label-y")),
            inset=element.get("data-inset") == "true",
        )
        for element in root.iter(f"{SVG_NS}path")
    ]
    insets = [
        Inset(int(rect.get("x")), int(rect.get("y")), int(rect.get("width")), int(rect.get("height")))
        for rect in root.iter(f"{SVG_NS}rect")
    ]
    return root.get("viewBox"), shapes, insets


def shade(count: int) -> tuple[str, str]:
    """Fill of a region with ``count`` projects, and the colour its label needs to stay readable."""
    fill = SHADES[0][1]
    for minimum, colour, _ in SHADES:
        if count >= minimum:
            fill = colour
    return fill, "#ffffff" if count >= SHADES[-1][0] else "#161616"


def region_map(counts: dict[str, int], *, url_for=None) -> dict:
    """What the map template needs: the view box, one entry per region, the legend.

    ``counts``: number of projects by INSEE region code; ``url_for(code)``: the link of a
    region (the list filtered on it), or None.
    """
    view_box, shapes, insets = _load()
    regions = []
    for shape in shapes:
        count = counts.get(shape.code, 0)
        fill, text_fill = shade(count)
        regions.append(
            MapRegion(
                shape=shape, count=count, fill=fill, text_fill=text_fill, url=url_for(shape.code) if url_for else None
            )
        )
    return {
        "view_box": view_box,
        "regions": regions,
        "insets": insets,
        "legend": [{"fill": colour, "label": label} for _, colour, label in SHADES],
    }
