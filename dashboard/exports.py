"""Exports of the dashboard tables: CSV and XLSX (``cnml.spreadsheets``), and a printable PDF in the newsletter's layout.

Every export holds exactly what its page shows, for the same reader (the public
the validated figures only) and the same period, with the provenance of the
figures on every row (CSV, XLSX) or under every table and chart (PDF).
"""

from __future__ import annotations

from decimal import Decimal

import tablib
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone

from cnml import spreadsheets
from cnml.pdf import render_pdf
from dashboard import pages
from dashboard.pages import HeadlineLine, Reading, ScopeTable

XLSX_TYPE = spreadsheets.XLSX_CONTENT_TYPE
UNITS = {"count": "nombre de jeunes", "percent": "%"}
FORMATS = ("csv", "xlsx", "pdf")
EXPORT_LABELS = {"csv": "Tableur CSV", "xlsx": "Classeur Excel (XLSX)", "pdf": "Version imprimable (PDF)"}


class FormatConverter:
    """``<export_format:fmt>`` in the URL conf: an address with another format does not resolve (404)."""

    regex = "|".join(FORMATS)

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


def export_links(url: str, reading: Reading) -> list[tuple[str, str, str]]:
    """(format, label, url) of each export of the page at ``url``, for the period shown."""
    query = f"?{pages.PERIOD_PARAMETER}={reading.period.code}" if reading.period else ""
    return [(fmt, EXPORT_LABELS[fmt], f"{url}export.{fmt}{query}") for fmt in FORMATS]


def source_text(reading: Reading) -> str:
    """The provenance line, and the CNML's status when the figures are not validated yet.

    The demo's provenance says « données de démonstration » itself (never validated, never provisional).
    """
    if reading.validated or reading.demo:
        return reading.provenance
    return f"{reading.provenance} — chiffres provisoires, non validés par le CNML"


def _number(value):
    """Counts as integers, rates and evolutions as floats with one decimal, None as an empty cell."""
    if value is None:
        return None
    if isinstance(value, Decimal):
        return float(value)
    return value


def _cell(figure, value):
    """A figure's value as a number, or « non disponible » when the extract could not give it (never 0)."""
    if not figure.available:
        return pages.NOT_AVAILABLE
    return _number(figure.published(value))


def indicator_dataset(reading: Reading, table: ScopeTable, scope_label: str) -> tablib.Dataset:
    """One row per indicator, in the page's order, with its references and position."""
    period = reading.period
    headers = [
        "Périmètre",
        "Rubrique",
        "Code",
        "Indicateur",
        "Unité",
        "Période",
        "Valeur",
        "Période de comparaison",
        "Valeur un an avant",
        "Évolution (en %, en points pour un taux)",
    ]
    if table.has_region:
        headers.append("Référence régionale")
    if table.has_national:
        headers.append("Référence nationale")
    if table.has_peers:
        headers.append(f"Référence des structures de taille comparable (groupe {table.peer_group.number})")
    if table.has_position:
        headers += ["Rang parmi les structures", "Structures classées", "Quartile"]
    if table.has_warnings:
        headers.append("Remarque")
    headers.append("Source")
    dataset = tablib.Dataset(headers=headers, title="Indicateurs")
    source = source_text(reading)
    for figure in table.figures:
        indicator = figure.indicator
        row = [
            scope_label,
            indicator.section.value,
            indicator.code,
            indicator.label,
            UNITS[indicator.unit.value],
            f"{period.code} ({period.label})",
            _cell(figure, figure.value),
            f"{period.previous.code} ({period.previous.label})",
            _cell(figure, figure.previous_value),
            _number(figure.evolution),
        ]
        if table.has_region:
            row.append(_cell(figure, figure.region_value))
        if table.has_national:
            row.append(_cell(figure, figure.national_value))
        if table.has_peers:
            row.append(_cell(figure, figure.peer_value))
        if table.has_position:
            row += [figure.rank, figure.rank_count, figure.quartile]
        if table.has_warnings:
            row.append(pages.small_base_note(figure.denominator) if figure.small_base else "")
        row.append(source)
        dataset.append(row)
    return dataset


def headline_dataset(reading: Reading, lines: list[HeadlineLine], headline, *, title: str) -> tablib.Dataset:
    """The table of regions or structures: code, name, and each headline figure."""
    headers = ["Code", "Nom"]
    for indicator in headline:
        unit = " (%)" if indicator.is_rate else ""
        headers.append(f"{indicator.label}{unit}")
        if indicator.is_rate:
            headers += [f"{indicator.label} : rang", f"{indicator.label} : structures classées"]
        else:
            headers.append(f"{indicator.label} : évolution sur un an (%)")
    remarks = any(not line.has_data or any(cell.warning for cell in line.cells) for line in lines)
    headers += ["Période", *(["Remarque"] if remarks else []), "Source"]
    dataset = tablib.Dataset(headers=headers, title=title[:31])
    period = reading.period
    source = source_text(reading)
    for line in lines:
        row = [line.code, line.label]
        for cell in line.cells:
            if cell.indicator.is_rate:
                value = cell.value if cell.value is None else round(cell.value, 1)
                row += [value, cell.rank, cell.rank_count]
            else:
                row += [_number(cell.value if cell.value is None else int(cell.value)), _number(cell.evolution)]
        row.append(f"{period.code} ({period.label})")
        if remarks:
            row.append(_remark(line))
        row.append(source)
        dataset.append(row)
    return dataset


def _remark(line: HeadlineLine) -> str:
    """« pas de données », or the warnings of rates resting on few young people."""
    if not line.has_data:
        return pages.NO_DATA
    notes = [
        f"{cell.indicator.label} : {pages.small_base_note(cell.denominator)}" for cell in line.cells if cell.warning
    ]
    return " ; ".join(notes)


# --- Objectives (a dashboard.objectives.pages.ObjectivesSection) ------------------------------------

OBJECTIVE_HEADERS = [
    "Code de l'indicateur",
    "Indicateur",
    "Année",
    "Périmètre",
    "Code du périmètre",
    "Objectif",
    "Source de l'objectif",
    "Période",
    "Mois écoulés",
    "Valeur cumulée",
    "Part de l'objectif atteinte (%)",
    "Projection au 31 décembre",
    "Reste à atteindre",
    "Écart projeté à l'objectif",
    "Rang (part atteinte)",
    "Ex aequo",
    "Méthode de projection",
    "Source des chiffres",
]


def _objective_row(line, section, ranked: bool, source: str) -> list:
    """One objective (a :class:`dashboard.objectives.pages.ObjectiveLine`) at ``section``'s period."""
    objective, progress = line.objective, line.progress
    period = section.period
    return [
        objective.indicator,
        line.label,
        objective.year,
        line.scope_label,
        objective.scope_code,
        progress.target,
        objective.source,
        f"{period.code} ({period.label})",
        progress.months,
        progress.value,
        _number(progress.share),
        progress.projection,
        progress.remaining,
        progress.projected_gap,
        line.rank if ranked else None,
        ("oui" if line.ex_aequo else "non") if ranked and line.rank is not None else None,
        "valeur × 12 / mois écoulés",
        source,
    ]


def objectives_dataset(section, *, source: str) -> tablib.Dataset:
    """One row per objective, as the page shows them: the scope's own and its references, then those ranked."""
    dataset = tablib.Dataset(headers=OBJECTIVE_HEADERS, title="Objectifs")
    for group in section.groups:
        for line in group.lines:
            dataset.append(_objective_row(line, section, False, source))
        for line in group.ranked:
            dataset.append(_objective_row(line, section, True, source))
    return dataset


def _datasets(context: dict) -> list[tablib.Dataset]:
    reading: Reading = context["reading"]
    datasets = []
    if context.get("table") is not None:
        datasets.append(indicator_dataset(reading, context["table"], context["scope_label"]))
    if context.get("lines"):
        title = context.get("lines_title", "Structures")
        datasets.append(headline_dataset(reading, context["lines"], context["headline"], title=title))
    if context.get("objectives") is not None:
        datasets.append(objectives_dataset(context["objectives"], source=source_text(reading)))
    return datasets


def respond(request: HttpRequest, fmt: str, context: dict, *, slug: str) -> HttpResponse:
    """The export of a page's tables as ``fmt`` (csv, xlsx or pdf); 404 when there is nothing to export."""
    reading: Reading = context["reading"]
    datasets = _datasets(context) if reading.snapshot is not None and reading.period is not None else []
    if not datasets or reading.unknown_period:
        raise Http404("Aucun chiffre à exporter pour cette période.")
    name = f"tableau-de-bord-{slug}-{reading.period.code}"
    if fmt == "csv":
        # A CSV holds one table: the one asked for (?tableau=structures on a region), else the first.
        wanted = 1 if request.GET.get("tableau") in ("structures", "regions") and len(datasets) > 1 else 0
        suffix = "-structures" if wanted else ""
        if request.GET.get("tableau") == "objectifs" and context.get("objectives") is not None:
            wanted, suffix = len(datasets) - 1, "-objectifs"
        return spreadsheets.csv_response(datasets[wanted], filename=f"{name}{suffix}.csv")
    if fmt == "xlsx":
        return spreadsheets.xlsx_response(tablib.Databook(datasets), filename=f"{name}.xlsx")
    charts = (
        pages.scope_charts(reading.snapshot, context["chart_scopes"], codes=context.get("chart_codes"))
        if context.get("table")
        else []
    )
    pdf = render_pdf(
        "dashboard/pdf/dashboard.html",
        {**context, "charts": charts, "generated_at": timezone.localtime(), "source": source_text(reading)},
        request=request,
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{name}.pdf"'
    return response
