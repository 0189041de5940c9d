"""The ANI pages: the nation (public, like the national table), a region, a structure, and their exports.

Who reads which page is the tableau de bord's rule (:mod:`dashboard.permissions`, 404 out of
scope); which figures, :func:`dashboard.pages.reading` (the public the validated ones only).
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from cnml.models import Region, Structure
from dashboard import exports, pages, permissions
from dashboard.ani.pages import ANI_CODES, ani_table, has_ani
from dashboard.contexts import scope_context
from dashboard.pages import NATIONAL_LABEL, PERIOD_PARAMETER, LabelledScope
from dashboard.selectors import Scope

ANI_TITLE = "Accompagnement ANI des jeunes « décrocheurs »"


def _context(request: HttpRequest, scopes: list[LabelledScope], url: str, breadcrumb: list, **extra) -> dict:
    """The ANI table and charts of the first scope, compared with the others (and the page's ``extra``)."""
    reading = pages.reading(request.user, request.GET.get(PERIOD_PARAMETER))
    context = scope_context(reading, scopes, url, table=ani_table)
    context.update(
        extra,
        chart_codes=list(ANI_CODES),
        title=f"{ANI_TITLE} — {scopes[0].label}",
        breadcrumb=breadcrumb,
        has_ani=has_ani(reading.snapshot),
    )
    return context


def _breadcrumb(*dashboards: tuple[str, str]) -> list:
    """Tableau de bord, the dashboard the ANI page belongs to (none for the nation's), the ANI page."""
    return [("Tableau de bord", reverse("dashboard:home")), *dashboards, ("ANI « décrocheurs »", None)]


def _page(request: HttpRequest, context: dict) -> HttpResponse:
    if context["table"] is not None:
        context["charts_html"] = pages.charts_html(context["reading"], context["chart_scopes"], codes=ANI_CODES)
    return render(request, "dashboard/ani.html", context)


def _export(request: HttpRequest, fmt: str, context: dict, slug: str) -> HttpResponse:
    return exports.respond(request, fmt, context, slug=f"ani-{slug}")


# --- The nation ----------------------------------------------------------------------------


def _national_context(request: HttpRequest) -> dict:
    return _context(
        request,
        [LabelledScope(Scope.national(), NATIONAL_LABEL)],
        reverse("dashboard:ani_national"),
        _breadcrumb(),
        own_structure=permissions.own_structure(request.user),
        own_region=permissions.own_region(request.user),
    )


@require_GET
def ani_national(request: HttpRequest) -> HttpResponse:
    """The nation's ANI figures, public (the validated ones; the latest for signed-in users)."""
    return _page(request, _national_context(request))


@require_GET
def ani_national_export(request: HttpRequest, fmt: str) -> HttpResponse:
    return _export(request, fmt, _national_context(request), "france")


# --- A region ------------------------------------------------------------------------------


def _region_context(request: HttpRequest, region: Region) -> dict:
    return _context(
        request,
        [LabelledScope(Scope.for_region(region), region.name), LabelledScope(Scope.national(), NATIONAL_LABEL)],
        reverse("dashboard:ani_region", args=[region.code]),
        _breadcrumb((region.name, reverse("dashboard:region", args=[region.code]))),
        region=region,
    )


@login_required
@require_GET
def ani_region(request: HttpRequest, code: str) -> HttpResponse:
    """A region's ANI figures against the nation's (who reads the region's dashboard)."""
    return _page(request, _region_context(request, permissions.get_region_for(request.user, code)))


@login_required
@require_GET
def ani_region_export(request: HttpRequest, code: str, fmt: str) -> HttpResponse:
    found = permissions.get_region_for(request.user, code)
    return _export(request, fmt, _region_context(request, found), f"region-{found.code}")


# --- A structure ---------------------------------------------------------------------------


def _structure_context(request: HttpRequest, structure: Structure) -> dict:
    return _context(
        request,
        pages.structure_scopes(structure, NATIONAL_LABEL),
        reverse("dashboard:ani_structure", args=[structure.code]),
        _breadcrumb((structure.name, reverse("dashboard:structure", args=[structure.code]))),
        structure=structure,
        region=structure.region,
    )


@login_required
@require_GET
def ani_structure(request: HttpRequest, code: str) -> HttpResponse:
    """A structure's ANI figures against its region's and the nation's (who reads its dashboard)."""
    return _page(request, _structure_context(request, permissions.get_structure_for(request.user, code)))


@login_required
@require_GET
def ani_structure_export(request: HttpRequest, code: str, fmt: str) -> HttpResponse:
    found = permissions.get_structure_for(request.user, code)
    return _export(request, fmt, _structure_context(request, found), found.code)
