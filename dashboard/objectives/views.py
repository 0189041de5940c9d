"""The objectives page (everyone: the national objectives; more with a wider scope), its exports, and the split.

Who reads which objectives and who sets them: :mod:`dashboard.permissions` (404 out of scope).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from cnml.models import Role
from cnml.permissions import AnyUser, get_in_scope_or_404
from dashboard import exports, pages, permissions
from dashboard import selectors as dashboard_selectors
from dashboard.models.objectives import Objective
from dashboard.models.snapshots import ScopeKind
from dashboard.objectives import selectors, services
from dashboard.objectives.forms import SplitForm, field_name
from dashboard.objectives.pages import indicator_label, section_for
from dashboard.pages import PERIOD_PARAMETER


def page_child_kind(user: AnyUser) -> str | None:
    """Which scopes the objectives page ranks: the regions for CNML roles, an animator's structures."""
    if getattr(user, "is_authenticated", False) and user.is_active and user.is_national:
        return ScopeKind.REGION
    if permissions.own_region(user) is not None:
        return ScopeKind.STRUCTURE
    return None


def _context(request: HttpRequest) -> dict:
    reading = pages.reading(request.user, request.GET.get(PERIOD_PARAMETER))
    user = request.user
    section = section_for(reading, selectors.for_objectives_page(user), child_kind=page_child_kind(user))
    context = {
        "reading": reading,
        "objectives": section,
        "title": "Objectifs nationaux et régionaux",
        "scope_label": "Objectifs",
        "breadcrumb": [("Tableau de bord", reverse("dashboard:home")), ("Objectifs", None)],
        "split_region": permissions.own_region(user) if user.is_authenticated else None,
        "objectives_page": True,
    }
    if section is not None:
        context["exports"] = exports.export_links(reverse("dashboard:objectives"), reading)
    return context


@require_GET
def objectives(request: HttpRequest) -> HttpResponse:
    """Each objective of the year shown: value, share reached, projection at 31 December, gaps, ranking, charts."""
    return render(request, "dashboard/objectives.html", _context(request))


@require_GET
def objectives_export(request: HttpRequest, fmt: str) -> HttpResponse:
    return exports.respond(request, fmt, _context(request), slug="objectifs")


# --- The split of a region's objective among its structures -----------------------------------------


def _split_context(request: HttpRequest, region, chosen: Objective | None, form: SplitForm | None) -> dict:
    regional = list(Objective.objects.filter(scope_kind=ScopeKind.REGION, region=region).order_by("-year", "indicator"))
    for each in [*regional, *([chosen] if chosen else [])]:
        each.indicator_label = indicator_label(each.indicator)
    breadcrumb = [("Tableau de bord", reverse("dashboard:home"))]
    if permissions.can_read_region(request.user, region):
        breadcrumb.append((region.name, reverse("dashboard:region", args=[region.code])))
    breadcrumb.append(("Répartition des objectifs", None))
    return {
        "title": f"Répartir les objectifs de la région — {region.name}",
        "breadcrumb": breadcrumb,
        "region": region,
        "regional": regional,
        "chosen": chosen,
        "form": form,
        # No figures here, but the demo's dashboard says what it is on every page.
        "reading": pages.Reading(snapshot=dashboard_selectors.snapshot_for_reader(request.user)),
    }


def _chosen_objective(request: HttpRequest, region) -> Objective | None:
    """The regional objective to split (``?objectif=`` or the form's), else the latest; 404 if not the region's."""
    scope = Objective.objects.filter(scope_kind=ScopeKind.REGION, region=region).select_related("region")
    wanted = request.POST.get("objectif") or request.GET.get("objectif")
    if wanted:
        return get_in_scope_or_404(scope, pk=wanted)
    return scope.order_by("-year", "indicator").first()


@login_required
@require_http_methods(["GET", "POST"])
def objectives_split(request: HttpRequest, code: str) -> HttpResponse:
    """An animator (or a CNML role) splits a regional objective among the region's structures."""
    region = permissions.get_split_region_for(request.user, code)
    chosen = _chosen_objective(request, region)
    if chosen is None:
        return render(request, "dashboard/objectives_split.html", _split_context(request, region, None, None))
    structures = permissions.dashboard_structures(request.user).filter(region=region).order_by("name")
    current = dict(
        Objective.objects.filter(
            scope_kind=ScopeKind.STRUCTURE, indicator=chosen.indicator, year=chosen.year, structure__region=region
        ).values_list("structure_id", "target")
    )
    form = SplitForm(request.POST or None, structures=structures, current=current)
    if request.method == "POST" and form.is_valid():
        services.objectives_split(
            user=request.user,
            region=region,
            indicator=chosen.indicator,
            year=chosen.year,
            targets=form.targets(),
            source=form.cleaned_data["source"],
        )
        messages.success(request, "La répartition de l'objectif est enregistrée.")
        url = reverse("dashboard:objectives_split", args=[region.code])
        return redirect(f"{url}?objectif={chosen.pk}")
    context = _split_context(request, region, chosen, form)
    context["field_names"] = [field_name(structure) for structure in form.structures]
    context["is_animator"] = request.user.role == Role.ANIMATEUR_REGIONAL
    return render(request, "dashboard/objectives_split.html", context)
