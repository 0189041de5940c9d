"""Activity reports of a project: the form, the page, submission and the CNML's review."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cnml.audit import pending_send_back
from cnml.workflows import TransitionRefused, history, report_refusal
from mobility import forms, permissions, selectors, services
from mobility.models import ReportStatus
from mobility.views.common import crumbs, project_edit_page


def _report_form_page(request, project, report=None) -> HttpResponse:
    data = request.POST if request.method == "POST" else None
    form = forms.ReportForm(data, instance=report, project=project)
    deliveries = forms.DeliveryFormSet(data, instance=form.instance, prefix="services")
    if request.method == "POST":
        valid = form.is_valid() & deliveries.is_valid()
        if valid:
            report = services.report_save(form=form, deliveries_formset=deliveries, actor=request.user)
            messages.success(request, "Bilan enregistré. Soumettez-le au CNML quand il est complet.")
            return redirect(report)
    title = f"Bilan {report.period_label}" if report else "Nouveau bilan d'activité"
    return project_edit_page(
        request,
        project,
        template="mobility/report_form.html",
        title=title,
        context={
            "form": form,
            "formset": deliveries,
            "report": report,
            # What the CNML asked, beside the form that answers it (a draft sent back).
            "changes_requested": report and pending_send_back(report, back_to=ReportStatus.BROUILLON),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def report_create(request: HttpRequest, pk: int) -> HttpResponse:
    project = permissions.get_reporting_project_for(request.user, pk)
    return _report_form_page(request, project)


@login_required
@require_http_methods(["GET", "POST"])
def report_edit(request: HttpRequest, pk: int, report_pk: int) -> HttpResponse:
    report = permissions.get_report_for(request.user, pk, report_pk)
    if not permissions.can_edit_report(request.user, report):
        raise PermissionDenied("Ce bilan ne se modifie plus, ou pas par vous.")
    return _report_form_page(request, report.project, report)


@login_required
@require_GET
def report_detail(request: HttpRequest, pk: int, report_pk: int) -> HttpResponse:
    user = request.user
    report = permissions.get_report_for(user, pk, report_pk)
    project = report.project
    title = f"Bilan {report.period_label}"
    can_edit = permissions.can_edit_report(user, report)
    context = {
        "title": title,
        "report": report,
        "project": project,
        "totals": selectors.indicator_totals(type(report).objects.filter(pk=report.pk)),
        "can_edit": can_edit,
        "can_submit": report.can_submit(user),
        "submit_refusals": report.submit.refusals(user) if can_edit else [],
        "can_review": report.can_approve(user),
        "review_form": forms.CommentForm(label="Commentaire au porteur"),
        "history": history(report),
        "breadcrumb": crumbs(
            ("Projets", reverse("mobility:project_list")), (project.title, project.get_absolute_url()), (title, None)
        ),
    }
    return render(request, "mobility/report_detail.html", context)


@login_required
@require_POST
def report_transition(request: HttpRequest, pk: int, report_pk: int, action: str) -> HttpResponse:
    user = request.user
    report = permissions.get_report_for(user, pk, report_pk)
    comment = request.POST.get("comment", "")
    try:
        if action == "soumettre":
            services.report_submit(report=report, actor=user)
            messages.success(request, "Bilan soumis au CNML.")
        elif action == "approuver":
            services.report_approve(report=report, actor=user, comment=comment)
            messages.success(request, "Bilan approuvé : ses chiffres comptent dans les totaux.")
        else:  # « renvoyer »: the address names one of the three (mobility/urls.py)
            services.report_send_back(report=report, actor=user, comment=comment)
            messages.success(request, "Bilan renvoyé au porteur pour correction.")
    except TransitionRefused as error:
        report_refusal(request, error)
    return redirect(report)
