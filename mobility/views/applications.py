"""Applications: the list, the form and its tables, the page, submission, review and decision."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, prefetch_related_objects
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cnml.workflows import TransitionRefused, attempt_move, history, report_refusal
from mobility import forms, permissions, selectors, services
from mobility.models import Application, ApplicationStatus, Call
from mobility.views.common import crumbs


@login_required
@require_GET
def application_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("statut", "")
    if status not in ApplicationStatus.values:
        status = ""
    applications = selectors.applications_for(request.user, status=status)
    return render(
        request,
        "mobility/application_list.html",
        {
            "title": "Candidatures",
            "applications": applications,
            "statuses": ApplicationStatus.choices,
            "status": status,
            "breadcrumb": crumbs(("Candidatures", None)),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def application_create(request: HttpRequest, theme: str, year: int) -> HttpResponse:
    call = permissions.get_call_for(request.user, year, theme)
    if not call.is_open():
        messages.error(request, f"L'{call.label} n'accepte pas de candidature aujourd'hui.")
        return redirect(call)
    return _application_form_page(request, call, Application())


@login_required
@require_http_methods(["GET", "POST"])
def application_edit(request: HttpRequest, pk: int) -> HttpResponse:
    application = permissions.get_application_for(request.user, pk)
    if not permissions.can_edit_application(request.user, application):
        raise PermissionDenied("Cette candidature ne se modifie plus, ou pas par vous.")
    return _application_form_page(request, application.call, application)


def _application_form_page(request: HttpRequest, call: Call, application: Application) -> HttpResponse:
    user = request.user
    submitting = request.method == "POST" and "deposer" in request.POST
    data = request.POST if request.method == "POST" else None
    form = forms.ApplicationForm(
        data, instance=application, user=user, call=call, mode="submit" if submitting else "draft"
    )
    formsets = forms.application_formsets(data, instance=application, call=call)
    refusals: list[str] = []
    if request.method == "POST":
        # Validate every formset (no short-circuit), so each one shows its errors.
        formsets_valid = [formset.is_valid() for formset in formsets.values()]
        if form.is_valid() and all(formsets_valid):
            application = services.application_save_draft(form=form, formsets=formsets, call=call, actor=user)
            if not submitting:
                messages.success(request, "Brouillon enregistré. Vous pourrez le compléter puis le déposer.")
                return redirect("mobility:application_edit", pk=application.pk)
            try:
                services.application_submit(application=application, actor=user)
            except TransitionRefused as error:
                refusals = error.reasons
                # The draft is saved: show it from the database, with what blocks the submission.
                form = forms.ApplicationForm(instance=application, user=user, call=call)
                formsets = forms.application_formsets(instance=application, call=call)
            else:
                messages.success(request, "Candidature déposée. Le CNML l'examinera après la clôture de l'appel.")
                return redirect(application)
    form.show_submission_requirements()
    title = f"Candidature à l'{call.label}"
    return render(
        request,
        "mobility/application_form.html",
        {
            "title": title,
            "call": call,
            "application": application if application.pk else None,
            "form": form,
            "formsets": formsets,
            "refusals": refusals,
            "breadcrumb": crumbs((call.label.capitalize(), call.get_absolute_url()), (title, None)),
        },
    )


@login_required
@require_GET
def application_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    application = permissions.get_application_for(user, pk)
    # The funding plan's lines with their funders (and its total) in one query; another theme than
    # mobility: the answers with their sections in another, and the call's funders (what the
    # application asks of them, the submission's check and the envelope's) in a third.
    lookups = [Prefetch("fundings", queryset=application.fundings.select_related("funder"))]
    if not application.call.is_mobility:
        lookups.append(Prefetch("answers", queryset=application.answers.select_related("section")))
        lookups.append("call__funders")
    prefetch_related_objects([application], *lookups)
    can_review = permissions.can_review(user) and application.status != ApplicationStatus.BROUILLON
    can_decide = application.can_select(user)
    context = {
        "title": application.title,
        "application": application,
        "can_edit": permissions.can_edit_application(user, application),
        "can_submit": application.can_submit(user),
        "submit_refusals": application.submit.refusals(user) if application.is_draft else [],
        "can_review": can_review,
        "can_decide": can_decide,
        "decision_form": forms.DecisionForm(),
        # Told before deciding: what selecting takes from the call's envelope (two queries, any size).
        "envelope_check": selectors.envelope_if_selected(application) if can_decide else None,
        "summary": selectors.review_summary(application) if can_review else None,
        "history": history(application),
        "breadcrumb": crumbs(("Candidatures", reverse("mobility:application_list")), (application.title, None)),
    }
    return render(request, "mobility/application_detail.html", context)


@login_required
@require_POST
def application_submit(request: HttpRequest, pk: int) -> HttpResponse:
    application = permissions.get_application_for(request.user, pk)
    attempt_move(
        request,
        lambda: services.application_submit(application=application, actor=request.user),
        "Candidature déposée. Le CNML l'examinera après la clôture de l'appel.",
    )
    return redirect(application)


@login_required
@require_http_methods(["GET", "POST"])
def application_review(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    application = permissions.get_application_for(user, pk)
    if not permissions.can_review(user):
        raise PermissionDenied("Seul le CNML évalue les candidatures.")
    if application.status != ApplicationStatus.DEPOSEE:
        messages.error(request, "Seule une candidature déposée, sans décision, s'évalue.")
        return redirect(application)
    criteria = application.call.criteria.all()
    existing = application.reviews.filter(reviewer=user).prefetch_related("scores").first()
    initial = {}
    if existing:
        initial = {f"score_{score.criterion_id}": score.score for score in existing.scores.all()}
        initial["comment"] = existing.comment
    form = forms.ReviewForm(request.POST or None, criteria=criteria, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.review_save(
            application=application, reviewer=user, scores=form.scores(), comment=form.cleaned_data["comment"]
        )
        messages.success(request, "Évaluation enregistrée.")
        return redirect(application)
    title = f"Évaluer « {application.title} »"
    return render(
        request,
        "mobility/application_review.html",
        {
            "title": title,
            "application": application,
            "form": form,
            "breadcrumb": crumbs(
                ("Candidatures", reverse("mobility:application_list")),
                (application.title, application.get_absolute_url()),
                ("Évaluation", None),
            ),
        },
    )


@login_required
@require_POST
def application_decide(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    application = permissions.get_application_for(user, pk)
    if not permissions.can_review(user):
        raise PermissionDenied("Seul le CNML décide des candidatures.")
    form = forms.DecisionForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(application)
    comment = form.cleaned_data["comment"]
    try:
        if form.cleaned_data["decision"] == "retenir":
            project = services.application_select(application=application, actor=user, comment=comment)
            messages.success(request, "Candidature retenue : le projet est créé, son plan repris de la candidature.")
            return redirect(project)
        services.application_decline(application=application, actor=user, comment=comment)
        messages.success(request, "Candidature non retenue : le porteur en est informé par courriel.")
    except TransitionRefused as error:
        report_refusal(request, error)
    return redirect(application)
