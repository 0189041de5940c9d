"""Exports of a campaign's stored results: CSV and XLSX of the aggregates (``cnml.spreadsheets``), PDF reports.

Every export reads the same protected aggregates as the pages
(:func:`surveys.selectors.export_rows`, :func:`surveys.selectors.node_results`).
"""

from __future__ import annotations

import tablib
from django.http import HttpResponse
from django.utils import timezone
from django.utils.text import slugify

from cnml import spreadsheets
from cnml.pdf import render_pdf
from surveys import selectors
from surveys.models import Campaign, ResultNode


def results_dataset(campaign: Campaign, nodes: list[ResultNode]) -> tablib.Dataset:
    dataset = tablib.Dataset(headers=selectors.EXPORT_HEADERS, title="Résultats")
    for row in selectors.export_rows(nodes, spec=campaign.results_spec):
        dataset.append(row)
    return dataset


def filename(campaign: Campaign, suffix: str) -> str:
    return f"enquete-{slugify(campaign.title)[:60]}-{suffix}"


def csv_response(campaign: Campaign, nodes: list[ResultNode]) -> HttpResponse:
    return spreadsheets.csv_response(results_dataset(campaign, nodes), filename=filename(campaign, "resultats.csv"))


def xlsx_response(campaign: Campaign, nodes: list[ResultNode]) -> HttpResponse:
    return spreadsheets.xlsx_response(results_dataset(campaign, nodes), filename=filename(campaign, "resultats.xlsx"))


def report_pdf(campaign: Campaign, node: ResultNode, *, comments: list[dict] | None) -> bytes:
    """The report of a mission locale (with its antennes) or of a region (with its missions locales)."""
    spec = campaign.results_spec
    sections = [selectors.node_results(node, spec=spec)]
    for child in selectors.node_children(node):
        if not child.suppressed:
            sections.append(selectors.node_results(child, spec=spec))
    return render_pdf(
        "surveys/pdf/report.html",
        {
            "title": f"{campaign.title} — {node.label}",
            "campaign": campaign,
            "node": node,
            "main": sections[0],
            "details": sections[1:],
            "comments": comments,
            "generated_at": timezone.localtime(),
        },
    )
