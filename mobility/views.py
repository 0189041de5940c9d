"""Pages of the mobility app. Thin: scope from ``permissions``, reads from ``selectors``, writes from ``services``."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, prefetch_related_objects
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cnml import spreadsheets
from cnml.pdf import pdf_response
from cnml.uploads import serve_private_file
from cnml.workflows import TransitionRefused, history, report_refusal
from mobility import forms, permissions, reports, selectors, services
from mobility.map import region_map
from mobility.models import (
    STAGE_LINE,
    AmendmentStatus,
    Application,
    ApplicationStatus,
    Call,
    CallStatus,
    FareSupport,
    MembershipStatus,
    Project,
    ReportStatus,
    Stage,
)

HOME_CRUMB = ("Plateformes de mobilité", "/mobilite/")
# The moves of a project by the French slug of their address (their labels: ``Project.<verb>.label``).
PROJECT_MOVES = {
    "formation-action": "start_formation_action",
    "montage": "start_montage",
    "lancement": "launch",
    "fonctionnement": "put_in_operation",
    "arret": "stop",
}


def _crumbs(*items) -> list[tuple[str, str | None]]:
    return [HOME_CRUMB, *items]


# Home and calls -------------------------------------------------------------


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    calls = permissions.visible_calls(user).order_by("-year")
    context = {
        "title": "Plateformes de mobilité",
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
    return form, criteria


@login_required
@require_http_methods(["GET", "POST"])
def call_create(request: HttpRequest) -> HttpResponse:
    if not permissions.can_manage_calls(request.user):
        raise PermissionDenied("Seul le CNML crée les appels à projets.")
    return _call_form_page(request, None)


@login_required
@require_http_methods(["GET", "POST"])
def call_edit(request: HttpRequest, year: int) -> HttpResponse:
    call = permissions.get_call_for(request.user, year)
    if not permissions.can_manage_calls(request.user):
        raise PermissionDenied("Seul le CNML modifie les appels à projets.")
    if call.status != CallStatus.BROUILLON:
        messages.error(request, "Un appel publié ne se modifie plus.")
        return redirect(call)
    return _call_form_page(request, call)


def _call_form_page(request: HttpRequest, call: Call | None) -> HttpResponse:
    form, criteria = _call_forms(request, call)
    if request.method == "POST" and form.is_valid() and criteria.is_valid():
        call = services.call_save(form=form, criteria_formset=criteria, actor=request.user)
        messages.success(
            request, f"L'appel {call.year} est enregistré. Il reste en préparation jusqu'à sa publication."
        )
        return redirect(call)
    title = f"Modifier l'appel {call.year}" if call else "Nouvel appel à projets"
    return render(
        request,
        "mobility/call_form.html",
        {"title": title, "form": form, "criteria": criteria, "call": call, "breadcrumb": _crumbs((title, None))},
    )


@require_GET
def call_detail(request: HttpRequest, year: int) -> HttpResponse:
    user = request.user
    call = permissions.get_call_for(user, year)
    projects = call.projects.select_related("carrier", "region").prefetch_related("partners").order_by("carrier__name")
    context = {
        "title": call.title,
        "call": call,
        "projects": projects,
        "public_totals": selectors.public_call_rollup(call),
        "can_manage": permissions.can_manage_calls(user),
        "can_publish": call.can_publish(user),
        "publish_refusals": call.publish.refusals(user) if permissions.can_manage_calls(user) else [],
        "is_open": call.is_open(),
        "can_apply": call.is_open() and permissions.can_apply(user),
        "submitted_count": selectors.submitted_count(call),
        "history": history(call) if permissions.can_manage_calls(user) else [],
        "breadcrumb": _crumbs((f"Appel {call.year}", None)),
    }
    return render(request, "mobility/call_detail.html", context)


@login_required
@require_POST
def call_publish(request: HttpRequest, year: int) -> HttpResponse:
    call = permissions.get_call_for(request.user, year)
    try:
        services.call_publish(call=call, actor=request.user)
        messages.success(request, f"L'appel {call.year} est publié.")
    except TransitionRefused as error:
        report_refusal(request, error)
    return redirect(call)


@login_required
@require_GET
def call_report(request: HttpRequest, year: int) -> HttpResponse:
    call = permissions.get_call_for(request.user, year)
    context = reports.annual_report_context(request.user, call)
    context.update(
        {
            "title": f"Bilan de l'appel {call.year}",
            "breadcrumb": _crumbs((f"Appel {call.year}", call.get_absolute_url()), ("Bilan", None)),
        }
    )
    return render(request, "mobility/call_report.html", context)


@login_required
@require_GET
def call_report_xlsx(request: HttpRequest, year: int) -> HttpResponse:
    call = permissions.get_call_for(request.user, year)
    book = reports.annual_report_book(request.user, call)
    return spreadsheets.xlsx_response(book, filename=f"plateformes-mobilite-{call.year}.xlsx")


@login_required
@require_GET
def call_report_pdf(request: HttpRequest, year: int) -> HttpResponse:
    call = permissions.get_call_for(request.user, year)
    context = reports.annual_report_context(request.user, call)
    context["title"] = f"Les projets de plateforme soutenus en {call.year}"
    return pdf_response(
        "mobility/pdf/call_report.html", context, filename=f"plateformes-mobilite-{call.year}.pdf", request=request
    )


# Applications ---------------------------------------------------------------


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
            "breadcrumb": _crumbs(("Candidatures", None)),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def application_create(request: HttpRequest, year: int) -> HttpResponse:
    call = permissions.get_call_for(request.user, year)
    if not call.is_open():
        messages.error(request, f"L'appel {call.year} n'accepte pas de candidature aujourd'hui.")
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
    form = forms.ApplicationForm(data, instance=application, user=user, mode="submit" if submitting else "draft")
    formsets = forms.application_formsets(data, instance=application)
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
                form = forms.ApplicationForm(instance=application, user=user)
                formsets = forms.application_formsets(instance=application)
            else:
                messages.success(request, "Candidature déposée. Le CNML l'examinera après la clôture de l'appel.")
                return redirect(application)
    form.show_submission_requirements()
    title = f"Candidature à l'appel {call.year}"
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
            "breadcrumb": _crumbs((f"Appel {call.year}", call.get_absolute_url()), (title, None)),
        },
    )


@login_required
@require_GET
def application_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    application = permissions.get_application_for(user, pk)
    # The funding plan's lines with their funders (and its total) in one query.
    prefetch_related_objects(
        [application], Prefetch("fundings", queryset=application.fundings.select_related("funder"))
    )
    can_review = permissions.can_review(user) and application.status != ApplicationStatus.BROUILLON
    context = {
        "title": application.title,
        "application": application,
        "can_edit": permissions.can_edit_application(user, application),
        "can_submit": application.can_submit(user),
        "submit_refusals": application.submit.refusals(user) if application.is_draft else [],
        "can_review": can_review,
        "can_decide": application.can_select(user),
        "decision_form": forms.DecisionForm(),
        "summary": selectors.review_summary(application) if can_review else None,
        "history": history(application),
        "breadcrumb": _crumbs(("Candidatures", reverse("mobility:application_list")), (application.title, None)),
    }
    return render(request, "mobility/application_detail.html", context)


@login_required
@require_POST
def application_submit(request: HttpRequest, pk: int) -> HttpResponse:
    application = permissions.get_application_for(request.user, pk)
    try:
        services.application_submit(application=application, actor=request.user)
        messages.success(request, "Candidature déposée. Le CNML l'examinera après la clôture de l'appel.")
    except TransitionRefused as error:
        report_refusal(request, error)
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
    title = f"Évaluer « {application.title} »"
    return render(
        request,
        "mobility/application_review.html",
        {
            "title": title,
            "application": application,
            "form": form,
            "breadcrumb": _crumbs(
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
            messages.success(request, "Candidature retenue : le projet est créé, son plan repris de la candidature.")
            return redirect(project)
        services.application_decline(application=application, actor=user, comment=comment)
        messages.success(request, "Candidature non retenue : le porteur en est informé par courriel.")
    except TransitionRefused as error:
        report_refusal(request, error)
    return redirect(application)


# Membership requests ----------------------------------------------------------


@login_required
@require_GET
def membership_requests(request: HttpRequest) -> HttpResponse:
    """The requests to join a carrier the user decides (members, CNML), and their own."""
    user = request.user
    visible = permissions.visible_membership_requests(user).select_related(
        "carrier__region", "user__structure", "application", "requested_by", "decided_by"
    )
    pending = [
        # One comment field per request, with ids of its own on the page.
        {"request": item, "form": forms.CommentForm(label="Message au demandeur", auto_id=f"id_demande{item.pk}_%s")}
        for item in visible.filter(status=MembershipStatus.EN_ATTENTE).prefetch_related("carrier__members")
        if item.can_approve(user)
    ]
    title = "Demandes de rattachement"
    return render(
        request,
        "mobility/membership_requests.html",
        {
            "title": title,
            "pending": pending,
            "own": visible.filter(user=user),
            "decided": visible.exclude(status=MembershipStatus.EN_ATTENTE).exclude(user=user)[:50],
            "breadcrumb": _crumbs((title, None)),
        },
    )


@login_required
@require_POST
def membership_request_decide(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    membership = permissions.get_membership_request_for(request.user, pk)
    comment = request.POST.get("comment", "")
    # The address names the action: « accepter » or « refuser » (mobility/urls.py).
    decide = {"accepter": services.membership_request_approve, "refuser": services.membership_request_refuse}[action]
    try:
        decided = decide(request=membership, actor=request.user, comment=comment)
    except TransitionRefused as error:
        report_refusal(request, error)
    else:
        verb = "acceptée" if decided.status == MembershipStatus.ACCEPTEE else "refusée"
        messages.success(request, f"Demande {verb} : {decided.user} en est informé par courriel.")
    return redirect("mobility:membership_requests")


# Projects -------------------------------------------------------------------


@login_required
@require_GET
def project_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    filter_form = forms.ProjectFilterForm(request.GET or None)
    filters = selectors.ProjectFilters()
    if filter_form.is_valid():
        filters = selectors.ProjectFilters(**filter_form.cleaned_data)
    projects = selectors.projects_for(user, filters)
    filtered = any(vars(filters).values())
    counts = selectors.projects_by_region_code(projects)

    def url_for(code: str) -> str:
        query = request.GET.copy()
        query["region"] = code
        return f"{reverse('mobility:project_list')}?{query.urlencode()}"

    return render(
        request,
        "mobility/project_list.html",
        {
            "title": "Projets de plateforme",
            "filter_form": filter_form,
            "projects": projects,
            "map": region_map(counts, url_for=url_for),
            "rollups": selectors.rollup_by_region(projects),
            "total": selectors.indicator_totals(selectors.approved_reports_of(projects)),
            "total_label": "France entière" if permissions.is_cnml(user) and not filtered else "Total",
            "filtered": filtered,
            "breadcrumb": _crumbs(("Projets", None)),
        },
    )


@login_required
@require_GET
def project_board(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "mobility/project_board.html",
        {
            "title": "Projets par étape",
            "columns": selectors.stage_board(request.user),
            "breadcrumb": _crumbs(("Projets", reverse("mobility:project_list")), ("Par étape", None)),
        },
    )


def _next_transitions(project, user) -> list[dict]:
    """The moves along the stages from the project's stage, for a user who may make them, with what blocks them."""
    options = []
    for slug, verb in PROJECT_MOVES.items():
        transition = Project.workflow.transitions[verb]
        if verb == "stop" or project.stage not in transition.source:
            continue
        refused = transition.check(project, user)
        if refused and refused.by_role:
            continue
        options.append({"slug": slug, "label": transition.label, "refusals": refused.reasons if refused else []})
    return options


@login_required
@require_GET
def project_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    project = permissions.get_project_for(user, pk)
    application = project.application
    budget_rows, budget_total = selectors.budget_by_funder(project.budget_lines.all())
    reports_qs = permissions.visible_reports(user).filter(project=project).order_by("-year", "-period")
    approved = reports_qs.filter(status=ReportStatus.APPROUVE)
    context = {
        "title": project.title,
        "project": project,
        "application": application,
        "stages": [(stage, Stage(stage).label) for stage in STAGE_LINE],
        "can_edit": permissions.can_edit_project(user, project),
        "can_manage_fare": permissions.can_manage_fare_support(user),
        "next_transitions": _next_transitions(project, user),
        "can_stop": project.can_stop(user),
        "stop_form": forms.StopForm(),
        "fare": FareSupport.objects.filter(project=project).first(),
        "sessions": project.sessions.all(),
        "targets": project.targets.all(),
        "milestones": project.milestones.all(),
        "budget_lines": project.budget_lines.select_related("funder"),
        "budget_rows": budget_rows,
        "budget_total": budget_total,
        "amendments": selectors.budget_amendments(project),
        "can_request_amendment": not permissions.amendment_request_refusals(user, project),
        "amendment_decision": _amendment_decision(project, user),
        "documents": project.documents.all(),
        "reports": reports_qs,
        "totals": selectors.indicator_totals(approved),
        "history": history(project),
        "breadcrumb": _crumbs(("Projets", reverse("mobility:project_list")), (project.title, None)),
    }
    return render(request, "mobility/project_detail.html", context)


def _amendment_decision(project, user) -> dict | None:
    """The pending amendment and the decision form, for a CNML role who may decide it."""
    pending = project.budget_amendments.filter(status=AmendmentStatus.DEMANDE).first()
    if pending is None or not pending.can_approve(user):
        return None
    form = forms.CommentForm(label="Message au porteur")
    form.fields["comment"].help_text = "Obligatoire pour refuser l'avenant."
    return {"amendment": pending, "form": form}


@login_required
@require_POST
def project_transition(request: HttpRequest, pk: int, slug: str) -> HttpResponse:
    project = permissions.get_project_for(request.user, pk)
    verb = PROJECT_MOVES.get(slug)
    if verb is None:
        raise Http404("Action inconnue.")
    # The stop's reason is its comment (« Motif de l'arrêt », forms.StopForm).
    comment = request.POST.get("reason" if verb == "stop" else "comment", "")
    try:
        services.project_move(project=project, verb=verb, actor=request.user, comment=comment)
        messages.success(request, f"Le projet est à l'étape « {project.get_stage_display()} ».")
    except TransitionRefused as error:
        report_refusal(request, error)
    return redirect(project)


def _project_edit_page(request, project, *, template: str, title: str, context: dict) -> HttpResponse:
    context.update(
        {
            "title": title,
            "project": project,
            "breadcrumb": _crumbs(
                ("Projets", reverse("mobility:project_list")),
                (project.title, project.get_absolute_url()),
                (title, None),
            ),
        }
    )
    return render(request, template, context)


@login_required
@require_http_methods(["GET", "POST"])
def project_plan_edit(request: HttpRequest, pk: int) -> HttpResponse:
    project = permissions.get_editable_project_for(request.user, pk)
    data = request.POST if request.method == "POST" else None
    services_form = forms.ProjectServicesForm(data, instance=project)
    targets = forms.TargetFormSet(data, instance=project, prefix="objectifs")
    if request.method == "POST" and services_form.is_valid() and targets.is_valid():
        services.project_plan_save(services_form=services_form, targets_formset=targets)
        messages.success(request, "Plan du projet enregistré.")
        return redirect(project)
    return _project_edit_page(
        request,
        project,
        template="mobility/project_plan_form.html",
        title="Objectifs et services",
        context={"services_form": services_form, "formset": targets},
    )


def _formset_page(request, pk, *, formset_class, prefix, title, intro):
    project = permissions.get_editable_project_for(request.user, pk)
    formset = formset_class(request.POST if request.method == "POST" else None, instance=project, prefix=prefix)
    if request.method == "POST" and formset.is_valid():
        services.formset_save(formset=formset)
        messages.success(request, f"{title} : modifications enregistrées.")
        return redirect(project)
    return _project_edit_page(
        request,
        project,
        template="mobility/project_formset.html",
        title=title,
        context={"formset": formset, "intro": intro},
    )


@login_required
@require_http_methods(["GET", "POST"])
def project_milestones_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _formset_page(
        request,
        pk,
        formset_class=forms.MilestoneFormSet,
        prefix="jalons",
        title="Jalons",
        intro="Datez la réalisation de chaque jalon ; ajoutez ceux qui manquent.",
    )


@login_required
@require_http_methods(["GET", "POST"])
def project_budget_edit(request: HttpRequest, pk: int) -> HttpResponse:
    project = permissions.get_editable_project_for(request.user, pk)
    data = request.POST if request.method == "POST" else None
    formset = forms.BudgetFormSet(data, instance=project, prefix="budget")
    if request.method == "POST" and formset.is_valid():
        services.budget_actuals_save(formset=formset)
        messages.success(request, "Budget : le réalisé est enregistré.")
        return redirect(project)
    return _project_edit_page(
        request,
        project,
        template="mobility/project_formset.html",
        title="Suivre le réalisé du budget",
        context={
            "formset": formset,
            "intro": (
                "Le prévu est celui que le CNML a approuvé : il ne change que par un avenant. "
                "Suivez ici le réalisé et le statut de chaque financement."
            ),
        },
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
                request, "Avenant demandé : le budget prévu reste celui approuvé jusqu'à la décision du CNML."
            )
        return redirect(f"{project.get_absolute_url()}#budget")
    return _project_edit_page(
        request,
        project,
        template="mobility/budget_amendment_form.html",
        title="Demander un avenant au budget",
        context={"form": form, "formset": formset},
    )


# The decisions on an amendment by the action their address names (mobility/urls.py), with what they say.
AMENDMENT_DECISIONS = {
    "approuver": (services.budget_amendment_approve, "Avenant approuvé : le budget prévu du projet est mis à jour."),
    "refuser": (services.budget_amendment_refuse, "Avenant refusé : le porteur en est informé par courriel."),
}


@login_required
@require_POST
def budget_amendment_decide(request: HttpRequest, pk: int, amendment_pk: int, action: str) -> HttpResponse:
    amendment = permissions.get_budget_amendment_for(request.user, pk, amendment_pk)
    decide, done = AMENDMENT_DECISIONS[action]
    try:
        decide(amendment=amendment, actor=request.user, comment=request.POST.get("comment", ""))
    except TransitionRefused as error:
        report_refusal(request, error)
    else:
        messages.success(request, done)
    return redirect(f"{amendment.project.get_absolute_url()}#budget")


@login_required
@require_http_methods(["GET", "POST"])
def project_fare_edit(request: HttpRequest, pk: int) -> HttpResponse:
    project = permissions.get_project_for(request.user, pk)
    if not permissions.can_manage_fare_support(request.user):
        raise PermissionDenied("Seul le CNML enregistre l'accompagnement de la FARE.")
    data = request.POST if request.method == "POST" else None
    support = FareSupport.objects.filter(project=project).first()
    form = forms.FareSupportForm(data, instance=support, project=project)
    sessions = forms.SessionFormSet(data, instance=project, prefix="seances")
    if request.method == "POST" and form.is_valid() and sessions.is_valid():
        services.fare_support_save(form=form, sessions_formset=sessions)
        messages.success(request, "Accompagnement de la FARE enregistré.")
        return redirect(project)
    return _project_edit_page(
        request,
        project,
        template="mobility/project_fare_form.html",
        title="Accompagnement de la FARE",
        context={"form": form, "formset": sessions},
    )


@login_required
@require_http_methods(["GET", "POST"])
def document_add(request: HttpRequest, pk: int) -> HttpResponse:
    project = permissions.get_editable_project_for(request.user, pk)
    form = forms.DocumentForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        services.document_add(form=form, project=project, actor=request.user)
        messages.success(request, "Document ajouté.")
        return redirect(project)
    return _project_edit_page(
        request, project, template="mobility/document_form.html", title="Ajouter un document", context={"form": form}
    )


@login_required
@require_GET
def document_download(request: HttpRequest, pk: int, document_pk: int):
    document = permissions.get_document_for(request.user, pk, document_pk)
    return serve_private_file(document.file)


# Reports --------------------------------------------------------------------


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
    return _project_edit_page(
        request,
        project,
        template="mobility/report_form.html",
        title=title,
        context={"form": form, "formset": deliveries, "report": report},
    )


@login_required
@require_http_methods(["GET", "POST"])
def report_create(request: HttpRequest, pk: int) -> HttpResponse:
    project = permissions.get_editable_project_for(request.user, pk)
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
        "breadcrumb": _crumbs(
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
            messages.success(request, "Bilan approuvé : ses chiffres comptent dans les totaux.")
        else:  # « renvoyer »: the address names one of the three (mobility/urls.py)
            services.report_send_back(report=report, actor=user, comment=comment)
            messages.success(request, "Bilan renvoyé au porteur pour correction.")
    except TransitionRefused as error:
        report_refusal(request, error)
    return redirect(report)
