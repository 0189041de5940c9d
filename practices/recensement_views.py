"""Pages of the recensements: their list, a recensement's page (instructions, fiche template, progress per
region and per committee, who has not answered, the user's own fiches), closing it, and its summary (XLSX,
PDF). Thin views: rules in
:mod:`practices.permissions`, reads in :mod:`practices.recensement_selectors`, moves in
:mod:`practices.services`. Recensements are launched in the admin by CNML roles.
"""

from __future__ import annotations

import tablib
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from cnml import spreadsheets
from cnml.formatting import format_date
from cnml.links import absolute_url
from cnml.pdf import pdf_response
from cnml.workflows import attempt_move, history
from practices import permissions, recensement_selectors, services
from practices.models import Fiche

LIST_TITLE = "Recensements de bonnes pratiques"
SUMMARY_HEADERS = ["Région", "Porteur", "Type de porteur", "Titre", "Thèmes", "Publiée le", "Adresse"]


def _crumbs(*extra) -> list:
    return [("Bonnes pratiques", reverse("practices:home")), (LIST_TITLE, reverse("practices:recensements")), *extra]


@login_required
@require_GET
def recensement_list(request: HttpRequest) -> HttpResponse:
    recensements = permissions.readable_recensements(request.user).prefetch_related("regions", "committees")
    return render(
        request,
        "practices/recensement_list.html",
        {
            "title": LIST_TITLE,
            "breadcrumb": [("Bonnes pratiques", reverse("practices:home")), (LIST_TITLE, None)],
            "recensements": recensements,
            "can_launch": permissions.may_run_recensements(request.user),
        },
    )


@login_required
@require_GET
def recensement_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    recensement = permissions.get_recensement_for(user, pk)
    regions = permissions.recensement_regions(user, recensement)
    progress = recensement_selectors.progress(recensement, regions) if regions else None
    committees = permissions.recensement_committees(user, recensement)
    committee_progress = recensement_selectors.committee_progress(recensement, committees) if committees else None
    own = recensement.fiches.filter(pk__in=permissions.authored_fiches(user).values("pk")).order_by("title")
    return render(
        request,
        "practices/recensement_detail.html",
        {
            "title": recensement.title,
            "breadcrumb": _crumbs((recensement.title, None)),
            "recensement": recensement,
            "progress": progress,
            "silent_count": sum(len(row.silent) for row in progress or []),
            "committee_progress": committee_progress,
            "silent_committees": [row for row in committee_progress or [] if not row.answered],
            "own_fiches": own,
            "can_write": permissions.can_create(user)
            and permissions.accepting_recensements(user, Fiche()).filter(pk=recensement.pk).exists(),
            "can_close": recensement.can_close(user),
            "history": history(recensement) if permissions.may_run_recensements(user) else None,
            "published_count": recensement_selectors.published_fiches(recensement).count(),
        },
    )


@login_required
@require_POST
def recensement_close(request: HttpRequest, pk: int) -> HttpResponse:
    recensement = permissions.get_recensement_for(request.user, pk)
    attempt_move(
        request,
        lambda: services.recensement_close(
            recensement=recensement, actor=request.user, seen_status=request.POST.get("seen_status")
        ),
        "Le recensement est clos : il ne reçoit plus de nouvelles fiches.",
    )
    return redirect(recensement)


@login_required
@require_GET
def recensement_summary(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    """The published fiches of the recensement, as a workbook or as a printable summary."""
    recensement = permissions.get_recensement_for(request.user, pk)
    fiches = list(recensement_selectors.published_fiches(recensement))
    filename = f"recensement-{recensement.pk}-synthese"
    if fmt == "pdf":
        context = {"title": f"Synthèse — {recensement.title}", "recensement": recensement, "fiches": fiches}
        context["generated_at"] = timezone.localtime()
        return pdf_response("practices/pdf/recensement_summary.html", context, filename=f"{filename}.pdf")
    dataset = tablib.Dataset(headers=SUMMARY_HEADERS, title="Fiches publiées")
    for fiche in fiches:
        dataset.append(
            [
                fiche.region.name,
                fiche.carrier_label,
                fiche.carrier_kind,
                fiche.title,
                ", ".join(theme.name for theme in fiche.themes.all()),
                format_date(fiche.published_at),
                absolute_url("practices:detail", fiche.pk),
            ]
        )
    return spreadsheets.xlsx_response(dataset, filename=f"{filename}.xlsx")
