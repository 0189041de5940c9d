"""The app's home page and the calls for projects: editing, publication, the call's report
(page, spreadsheet, PDF)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cnml import spreadsheets
from cnml.pdf import pdf_response
from cnml.workflows import attempt_move, history
from mobility import forms, permissions, reports, selectors, services
from mobility.models import ApplicationStatus, Call, CallStatus, MembershipStatus
from mobility.views.common import crumbs


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    calls = permissions.visible_calls(user).order_by("-year", "theme")
    context = {
        "title": "Appels à projets",
        "calls": calls,
        "can_manage_calls": permissions.can_manage_calls(user),
        "signed_in": user.is_authenticated,
    }
    if user.is_authenticated:
        context["my_applications"] = selectors.own_applications(user)
        context["project_count"] = permissions.visible_projects(user).count()
        context["membership_pending"] = (
            permissions.visible_membership_requests(user)
            .filter(status=MembershipStatus.EN_ATTENTE)
            .exclude(user=user)
            .count()
        )
        if permissions.can_review(user):
            context["to_review"] = selectors.applications_for(user, status=ApplicationStatus.DEPOSEE)
    return render(request, "mobility/home.html", context)


def _call_forms(request: HttpRequest, call: Call | None):
    data = request.POST if request.method == "POST" else None
    form = forms.CallForm(data, instance=call)
    criteria = forms.CriterionFormSet(data, instance=call or Call(), prefix="criteres")
    sections = forms.SectionFormSet(data, instance=call or Call(), prefix="rubriques")
    return form, criteria, sections


@login_required
@require_http_methods(["GET", "POST"])
def call_create(request: HttpRequest) -> HttpResponse:
    if not permissions.can_manage_calls(request.user):
        raise PermissionDenied("Seul le CNML crée les appels à projets.")
    return _call_form_page(request, None)


@login_required
@require_http_methods(["GET", "POST"])
def call_edit(request: HttpRequest, theme: str, year: int) -> HttpResponse:
    call = permissions.get_call_for(request.user, year, theme)
    if not permissions.can_manage_calls(request.user):
        raise PermissionDenied("Seul le CNML modifie les appels à projets.")
    if call.status != CallStatus.BROUILLON:
        messages.error(request, "Un appel publié ne se modifie plus.")
        return redirect(call)
    return _call_form_page(request, call)


def _call_form_page(request: HttpRequest, call: Call | None) -> HttpResponse:
    form, criteria, sections = _call_forms(request, call)
    if request.method == "POST" and all([form.is_valid(), criteria.is_valid(), sections.is_valid()]):
        call = services.call_save(form=form, criteria_formset=criteria, sections_formset=sections, actor=request.user)
        messages.success(request, f"L'{call.label} est enregistré. Il reste en préparation jusqu'à sa publication.")
        return redirect(call)
    title = f"Modifier l'{call.label}" if call else "Nouvel appel à projets"
    return render(
        request,
        "mobility/call_form.html",
        {
            "title": title,
            "form": form,
            "criteria": criteria,
            "sections": sections,
            "call": call,
            "breadcrumb": crumbs((title, None)),
        },
    )


@require_GET
def call_detail(request: HttpRequest, theme: str, year: int) -> HttpResponse:
    user = request.user
    call = permissions.get_call_for(user, year, theme)
    projects = call.projects.select_related("carrier", "region").prefetch_related("partners").order_by("carrier__name")
    context = {
        "title": call.title,
        "call": call,
        "projects": projects,
        "public_totals": selectors.public_call_rollup(call),
        "envelope": selectors.call_envelope(call),
        "can_manage": permissions.can_manage_calls(user),
        "can_publish": call.can_publish(user),
        "publish_refusals": call.publish.refusals(user) if permissions.can_manage_calls(user) else [],
        "is_open": call.is_open(),
        "can_apply": call.is_open() and permissions.can_apply(user),
        "submitted_count": selectors.submitted_count(call),
        "history": history(call) if permissions.can_manage_calls(user) else [],
        "breadcrumb": crumbs((call.label.capitalize(), None)),
    }
    return render(request, "mobility/call_detail.html", context)


@login_required
@require_POST
def call_publish(request: HttpRequest, theme: str, year: int) -> HttpResponse:
    call = permissions.get_call_for(request.user, year, theme)
    attempt_move(request, lambda: services.call_publish(call=call, actor=request.user), f"L'{call.label} est publié.")
    return redirect(call)


@login_required
@require_GET
def call_report(request: HttpRequest, theme: str, year: int) -> HttpResponse:
    call = permissions.get_call_for(request.user, year, theme)
    context = reports.annual_report_context(request.user, call)
    context.update(
        {
            "title": f"Bilan de l'{call.label}",
            "breadcrumb": crumbs((call.label.capitalize(), call.get_absolute_url()), ("Bilan", None)),
        }
    )
    return render(request, "mobility/call_report.html", context)


def _file_stem(call: Call) -> str:
    """« plateformes-mobilite-2011 » as since 2011; « appel-alternance-2012 » for another theme."""
    return f"plateformes-mobilite-{call.year}" if call.is_mobility else f"appel-{call.theme}-{call.year}"


@login_required
@require_GET
def call_report_xlsx(request: HttpRequest, theme: str, year: int) -> HttpResponse:
    call = permissions.get_call_for(request.user, year, theme)
    book = reports.annual_report_book(request.user, call)
    return spreadsheets.xlsx_response(book, filename=f"{_file_stem(call)}.xlsx")


@login_required
@require_GET
def call_report_pdf(request: HttpRequest, theme: str, year: int) -> HttpResponse:
    call = permissions.get_call_for(request.user, year, theme)
    context = reports.annual_report_context(request.user, call)
    context["title"] = context["heading"]
    return pdf_response("mobility/pdf/call_report.html", context, filename=f"{_file_stem(call)}.pdf", request=request)
