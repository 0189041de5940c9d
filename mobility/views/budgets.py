"""The budget of a project: following the actual amounts, requesting an amendment (« avenant »),
the CNML's decision on it."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_http_methods, require_POST

from cnml.workflows import TransitionRefused, attempt_move, report_refusal
from mobility import forms, permissions, services
from mobility.views.common import project_edit_page, project_formset_page


@login_required
@require_http_methods(["GET", "POST"])
def project_budget_edit(request: HttpRequest, pk: int) -> HttpResponse:
    project = permissions.get_editable_project_for(request.user, pk)
    return project_formset_page(
        request,
        project,
        forms.BudgetFormSet,
        prefix="budget",
        save=services.budget_actuals_save,
        success="Budget : le réalisé est enregistré.",
        title="Suivre le réalisé du budget",
        intro=(
            "Le prévu est celui que le CNML a approuvé : il ne change que par un avenant. "
            "Suivez ici le réalisé et le statut de chaque financement."
        ),
    )


@login_required
@require_http_methods(["GET", "POST"])
def project_budget_amend(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    project = permissions.get_editable_project_for(user, pk)
    refusals = permissions.amendment_request_refusals(user, project)
    if refusals:
        for reason in refusals:
            messages.error(request, reason)
        return redirect(f"{project.get_absolute_url()}#budget")
    data = request.POST if request.method == "POST" else None
    lines = list(project.budget_lines.select_related("funder").order_by("funder__order", "funder__name", "pk"))
    form = forms.AmendmentForm(data)
    formset = forms.AmendmentLineFormSet(data, lines=lines, prefix="lignes")
    if request.method == "POST" and form.is_valid() & formset.is_valid():
        try:
            services.budget_amendment_request(
                project=project,
                actor=user,
                reason=form.cleaned_data["reason"],
                changes=formset.changes(),
            )
        except TransitionRefused as error:
            report_refusal(request, error)
        else:
            messages.success(
                request, "Avenant demandé : le budget prévu reste celui approuvé jusqu'à la décision du CNML."
            )
        return redirect(f"{project.get_absolute_url()}#budget")
    return project_edit_page(
        request,
        project,
        template="mobility/budget_amendment_form.html",
        title="Demander un avenant au budget",
        context={"form": form, "formset": formset},
    )


# The decisions on an amendment by the action their address names (mobility/urls.py), with what they say.
AMENDMENT_DECISIONS = {
    "approuver": (services.budget_amendment_approve, "Avenant approuvé : le budget prévu du projet est mis à jour."),
    "refuser": (services.budget_amendment_refuse, "Avenant refusé : le porteur en est informé par courriel."),
}


@login_required
@require_POST
def budget_amendment_decide(request: HttpRequest, pk: int, amendment_pk: int, action: str) -> HttpResponse:
    amendment = permissions.get_budget_amendment_for(request.user, pk, amendment_pk)
    decide, done = AMENDMENT_DECISIONS[action]
    attempt_move(
        request, lambda: decide(amendment=amendment, actor=request.user, comment=request.POST.get("comment", "")), done
    )
    return redirect(f"{amendment.project.get_absolute_url()}#budget")
