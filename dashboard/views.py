"""Pages of the tableau de bord: the national table (public), each region and each structure.

Who reads what is decided in :mod:`dashboard.permissions` (404 outside the
scope); which figures in :func:`dashboard.pages.reading` (the public the
validated snapshot only, signed-in users the latest one, flagged when
provisional). Each table is exported as CSV, XLSX and a printable PDF
(:mod:`dashboard.exports`).
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from cnml.models import Region, Structure
from dashboard import exports, pages, peers, permissions
from dashboard.contexts import scope_context
from dashboard.models.snapshots import ScopeKind
from dashboard.objectives import selectors as objective_selectors
from dashboard.objectives.pages import section_for
from dashboard.pages import NATIONAL_LABEL, PERIOD_PARAMETER, LabelledScope, Reading
from dashboard.selectors import Scope


def _reading(request: HttpRequest) -> Reading:
    return pages.reading(request.user, request.GET.get(PERIOD_PARAMETER))


def _with_charts(context: dict) -> dict:
    """The page's charts, rendered (or from the cache)."""
    if context.get("table") is not None:
        context["charts_html"] = pages.charts_html(context["reading"], context["chart_scopes"])
    return context


def _with_objectives(context: dict, section) -> None:
    """The page's objectives (:mod:`dashboard.objectives`), and the CSV of their table among the exports."""
    context["objectives"] = section
    if section is not None and context.get("exports"):
        _add_table_csv(context, "Les objectifs (CSV)", "objectifs")


def _add_table_csv(context: dict, label: str, table: str) -> None:
    """Another table of the page as CSV, listed after the page's own CSV (the first export)."""
    csv_url = context["exports"][0][2]
    context["exports"].insert(1, ("csv", label, f"{csv_url}&tableau={table}"))


# --- National ------------------------------------------------------------------------------


def _national_context(request: HttpRequest) -> dict:
    reading = _reading(request)
    context = scope_context(reading, [LabelledScope(Scope.national(), NATIONAL_LABEL)], reverse("dashboard:home"))
    user = request.user
    context.update(
        title="Tableau de bord national",
        breadcrumb=[("Tableau de bord", None)],
        own_structure=permissions.own_structure(user),
        own_region=permissions.own_region(user),
        sees_regions=getattr(user, "is_national", False) and user.is_active,
    )
    _with_objectives(context, section_for(reading, objective_selectors.for_nation(user), child_kind=ScopeKind.REGION))
    return context


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """The national table, public: the validated figures (the latest ones for signed-in users)."""
    return render(request, "dashboard/national.html", _with_charts(_national_context(request)))


@require_GET
def national_export(request: HttpRequest, fmt: str) -> HttpResponse:
    context = _national_context(request)
    return exports.respond(request, fmt, context, slug="france")


# --- Regions -------------------------------------------------------------------------------


@login_required
@require_GET
def regions(request: HttpRequest) -> HttpResponse:
    """The regions a user may read, with their headline figures."""
    readable = permissions.get_regions_for(request.user)
    context = _regions_context(request, readable)
    return render(request, "dashboard/regions.html", context)


def _regions_context(request: HttpRequest, readable: list[Region]) -> dict:
    reading = _reading(request)
    context = {
        "reading": reading,
        "title": "Tableau de bord des régions",
        "breadcrumb": [("Tableau de bord", reverse("dashboard:home")), ("Régions", None)],
        "scope_label": "Régions",
        "lines": [],
        "lines_title": "Régions",
        "headline": pages.headline_indicators(),
    }
    if reading.snapshot is not None and reading.period is not None:
        entries = [(region.code, region.name, reverse("dashboard:region", args=[region.code])) for region in readable]
        context["lines"] = pages.headline_table(reading.snapshot, ScopeKind.REGION, entries, reading.period)
        context["exports"] = exports.export_links(reverse("dashboard:regions"), reading)
    return context


@login_required
@require_GET
def regions_export(request: HttpRequest, fmt: str) -> HttpResponse:
    readable = permissions.get_regions_for(request.user)
    return exports.respond(request, fmt, _regions_context(request, readable), slug="regions")


def _region_context(request: HttpRequest, region: Region) -> dict:
    reading = _reading(request)
    scope = Scope.for_region(region)
    url = reverse("dashboard:region", args=[region.code])
    context = scope_context(
        reading,
        [LabelledScope(scope, region.name), LabelledScope(Scope.national(), NATIONAL_LABEL)],
        url,
    )
    structures = list(
        permissions.dashboard_structures(request.user).filter(region=region).only("code", "name").order_by("name")
    )
    context.update(
        title=f"Tableau de bord — {region.name}",
        breadcrumb=[
            ("Tableau de bord", reverse("dashboard:home")),
            *([("Régions", reverse("dashboard:regions"))] if request.user.is_national else []),
            (region.name, None),
        ],
        region=region,
        headline=pages.headline_indicators(),
        lines=[],
        lines_title="Structures",
    )
    if reading.snapshot is not None and reading.period is not None:
        entries = [
            (structure.code, structure.name, reverse("dashboard:structure", args=[structure.code]))
            for structure in structures
        ]
        context["lines"] = pages.headline_table(reading.snapshot, ScopeKind.STRUCTURE, entries, reading.period)
        if context.get("exports") and context["lines"]:
            _add_table_csv(context, "Les structures de la région (CSV)", "structures")
    objectives = objective_selectors.for_region(request.user, region)
    _with_objectives(context, section_for(reading, objectives, child_kind=ScopeKind.STRUCTURE))
    context["may_split"] = permissions.may_split_region(request.user, region)
    return context


@login_required
@require_GET
def region(request: HttpRequest, code: str) -> HttpResponse:
    """A region's figures against the nation's, and its structures (animators of the region, CNML roles)."""
    found = permissions.get_region_for(request.user, code)
    return render(request, "dashboard/region.html", _with_charts(_region_context(request, found)))


@login_required
@require_GET
def region_export(request: HttpRequest, code: str, fmt: str) -> HttpResponse:
    found = permissions.get_region_for(request.user, code)
    return exports.respond(request, fmt, _region_context(request, found), slug=f"region-{found.code}")


# --- Structures ----------------------------------------------------------------------------


def _structure_context(request: HttpRequest, structure: Structure) -> dict:
    reading = _reading(request)
    region = structure.region
    url = reverse("dashboard:structure", args=[structure.code])
    context = scope_context(reading, pages.structure_scopes(structure, NATIONAL_LABEL), url)
    region_readable = permissions.can_read_region(request.user, region)
    breadcrumb = [("Tableau de bord", reverse("dashboard:home"))]
    if region_readable:
        breadcrumb.append((region.name, reverse("dashboard:region", args=[region.code])))
    breadcrumb.append((structure.name, None))
    context.update(
        title=f"Tableau de bord — {structure.name}",
        breadcrumb=breadcrumb,
        structure=structure,
        region=region,
        region_readable=region_readable,
        peers=peers.peers_context(context["table"].peer_group if context["table"] else None),
    )
    objectives = objective_selectors.for_structure(request.user, structure)
    _with_objectives(context, section_for(reading, objectives, child_kind=None))
    return context


@login_required
@require_GET
def structure(request: HttpRequest, code: str) -> HttpResponse:
    """A structure's figures against its region's and the nation's, and its position among all structures."""
    found = permissions.get_structure_for(request.user, code)
    return render(request, "dashboard/structure.html", _with_charts(_structure_context(request, found)))


@login_required
@require_GET
def structure_export(request: HttpRequest, code: str, fmt: str) -> HttpResponse:
    found = permissions.get_structure_for(request.user, code)
    return exports.respond(request, fmt, _structure_context(request, found), slug=found.code)
