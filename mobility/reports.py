"""The annual report of a call, in the spirit of the newsletter's « Les projets de plateforme soutenus en 2011 ».

One context feeds the HTML page and the PDF (``cnml.pdf``); the XLSX (``cnml.spreadsheets``) carries the
same figures as numbers. Both cover the projects the reader may see: the whole call for
the CNML, their region for an animator, their own projects for a carrier.
"""

from __future__ import annotations

from decimal import Decimal

import tablib
from django.db.models import Prefetch, Sum
from django.utils.text import capfirst

from mobility import permissions, selectors
from mobility.map import region_map
from mobility.models import (
    COUNT_FIELDS,
    MISSION_LOCALE_NETWORK_KINDS,
    ActivityReport,
    Call,
    ReportStatus,
)


def _projects(user, call: Call):
    approved = ActivityReport.objects.filter(status=ReportStatus.APPROUVE)
    return (
        permissions.visible_projects(user)
        .filter(call=call)
        .select_related("carrier", "region", "fare_support")
        .prefetch_related("partners", "services_to_launch", Prefetch("reports", queryset=approved, to_attr="approved"))
        .annotate(planned=Sum("budget_lines__planned_amount"), actual=Sum("budget_lines__actual_amount"))
        .order_by("region__name", "carrier__name")
    )


def annual_report_heading(call: Call) -> str:
    """The report's heading, the newsletter's « Les projets de plateforme soutenus en 2011 » for a platforms' call."""
    if call.is_mobility:
        return f"Les projets de plateforme soutenus en {call.year}"
    return f"Les projets soutenus par l'{call.label}"


def annual_report_context(user, call: Call) -> dict:
    projects = list(_projects(user, call))
    for project in projects:
        project.people = sum(report.people_total for report in project.approved)
        project.licences = sum(report.licences_obtained for report in project.approved)
    reports = selectors.approved_reports(user, call=call)
    counts: dict[str, int] = {}
    for project in projects:
        counts[project.region.code] = counts.get(project.region.code, 0) + 1
    fare = [p for p in projects if getattr(p, "fare_support", None) and p.fare_support.formation_action]
    return {
        "call": call,
        "heading": annual_report_heading(call),
        "projects": projects,
        "scope_label": "l'ensemble des projets de l'appel"
        if permissions.is_cnml(user)
        else "les projets de l'appel que vous suivez",
        "project_count": len(projects),
        "formation_action_count": len(fare),
        "macif_count": len([p for p in fare if p.fare_support.funded_by_macif]),
        "mission_locale_count": len([p for p in projects if p.carrier.kind in MISSION_LOCALE_NETWORK_KINDS]),
        "totals": selectors.indicator_totals(reports),
        "by_region": selectors.rollup_by_region(permissions.visible_projects(user).filter(call=call)),
        "by_year": selectors.yearly_rollup(reports),
        "budget_planned": sum((p.planned or Decimal(0) for p in projects), Decimal(0)),
        "budget_actual": sum((p.actual or Decimal(0) for p in projects), Decimal(0)),
        "map": region_map(counts),
        "envelope": selectors.call_envelope(call),
    }


def _indicator_headers() -> list[str]:
    return [capfirst(selectors.indicator_label(name)) for name in COUNT_FIELDS]


PROJECT_HEADERS = [
    "Porteur",
    "Type de porteur",
    "Région",
    "Missions locales partenaires",
    "Étape",
    "Formation-action FARE",
    "Financée par la Fondation MACIF",
    "Services à lancer",
    "Budget prévu (€)",
    "Budget réalisé (€)",
    "Personnes accompagnées (bilans approuvés)",
    "Permis obtenus",
]


# Another theme than mobility: no FARE support nor activity report (their indicators are the platforms').
SHORT_PROJECT_HEADERS = ["Porteur", "Type de porteur", "Région", "Étape", "Budget prévu (€)", "Budget réalisé (€)"]


def annual_report_book(user, call: Call) -> tablib.Databook:
    """The report's sheets, written as XLSX by ``cnml.spreadsheets`` (carriers' names are typed by applicants).

    A call of another theme than mobility has its projects and their budget, by region: the activity
    reports' sheets (indicators by region and year, services rendered) are the platforms' only."""
    context = annual_report_context(user, call)
    book = tablib.Databook()
    if not call.is_mobility:
        book.add_sheet(_short_projects_sheet(context["projects"]))
        book.add_sheet(_short_regions_sheet(context))
        return book
    book.add_sheet(_projects_sheet(context["projects"]))
    book.add_sheet(_regions_sheet(context))
    book.add_sheet(_years_sheet(context["by_year"]))
    book.add_sheet(_deliveries_sheet(context["totals"]))
    return book


def _short_projects_sheet(projects) -> tablib.Dataset:
    sheet = tablib.Dataset(headers=SHORT_PROJECT_HEADERS, title="Projets")
    for project in projects:
        sheet.append(
            [
                project.carrier.name,
                project.carrier.get_kind_display(),
                project.region.name,
                project.get_stage_display(),
                project.planned or Decimal(0),
                project.actual or Decimal(0),
            ]
        )
    return sheet


def _short_regions_sheet(context: dict) -> tablib.Dataset:
    sheet = tablib.Dataset(headers=["Région", "Projets"], title="Régions")
    for rollup in context["by_region"]:
        sheet.append([rollup.region.name, rollup.projects])
    sheet.append(["Total", context["project_count"]])
    return sheet


def _projects_sheet(projects) -> tablib.Dataset:
    sheet = tablib.Dataset(headers=PROJECT_HEADERS, title="Projets")
    for project in projects:
        support = getattr(project, "fare_support", None)
        sheet.append(
            [
                project.carrier.name,
                project.carrier.get_kind_display(),
                project.region.name,
                ", ".join(partner.name for partner in project.partners.all()) or "–",
                project.get_stage_display(),
                "oui" if support and support.formation_action else "non",
                "oui" if support and support.funded_by_macif else "non",
                ", ".join(service.name for service in project.services_to_launch.all()),
                project.planned or Decimal(0),
                project.actual or Decimal(0),
                project.people,
                project.licences,
            ]
        )
    return sheet


def _regions_sheet(context: dict) -> tablib.Dataset:
    """One row per region, then the total of the call."""
    sheet = tablib.Dataset(
        headers=[
            "Région",
            "Projets",
            "Bilans approuvés",
            *_indicator_headers(),
            "Coût total (€)",
            "Coût par personne (€)",
        ],
        title="Régions",
    )
    rows = [(rollup.region.name, rollup.projects, rollup.totals) for rollup in context["by_region"]]
    rows.append(("Total", context["project_count"], context["totals"]))
    for name, project_count, totals in rows:
        sheet.append(
            [
                name,
                project_count,
                totals.reports,
                *[getattr(totals, field) for field in COUNT_FIELDS],
                totals.total_cost,
                _rounded(totals.cost_per_person),
            ]
        )
    return sheet


def _years_sheet(by_year) -> tablib.Dataset:
    sheet = tablib.Dataset(headers=["Année d'activité", "Bilans approuvés", *_indicator_headers()], title="Années")
    for year, totals in by_year:
        sheet.append([year, totals.reports, *[getattr(totals, name) for name in COUNT_FIELDS]])
    return sheet


def _deliveries_sheet(totals) -> tablib.Dataset:
    sheet = tablib.Dataset(headers=["Service", "Quantité", "Unité"], title="Services rendus")
    for service, quantity in totals.services:
        sheet.append([service.name, quantity, service.unit])
    return sheet


def _rounded(value: Decimal | None) -> Decimal | None:
    return value.quantize(Decimal("0.01")) if value is not None else None
