"""Projects: the list with its map, the board by stage, the project page, its moves along the
stages, its plan, milestones, FARE support and documents."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, prefetch_related_objects
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cnml.uploads import serve_private_file
from cnml.workflows import TransitionRefused, history, report_refusal
from mobility import forms, permissions, selectors, services
from mobility.map import region_map
from mobility.models import AmendmentStatus, CallTheme, FareSupport, Project, ReportStatus, Stage
from mobility.views.common import crumbs, project_forms_page, project_formset_page

# The moves of a project by the French slug of their address (their labels: ``Project.<verb>.label``).
PROJECT_MOVES = {
    "formation-action": "start_formation_action",
    "montage": "start_montage",
    "lancement": "launch",
    "demarrage": "start",
    "fonctionnement": "put_in_operation",
    "arret": "stop",
}


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
    # The map and the roll-up by region count one theme: the mobility platforms' (whose activity
    # reports the indicators are) unless the filter names another; their links keep that theme.
    map_theme = CallTheme(filters.theme or CallTheme.MOBILITE)
    mapped = projects.filter(call__theme=map_theme)
    counts = selectors.projects_by_region_code(mapped)
    rollups = selectors.rollup_by_region(mapped)

    def url_for(code: str) -> str:
        query = request.GET.copy()
        query["region"] = code
        query["theme"] = map_theme.value
        return f"{reverse('mobility:project_list')}?{query.urlencode()}"

    return render(
        request,
        "mobility/project_list.html",
        {
            "title": "Projets retenus",
            "filter_form": filter_form,
            "projects": projects,
            "map": region_map(counts, url_for=url_for),
            "map_theme": map_theme,
            "theme_chosen": bool(filters.theme),
            "map_is_mobility": map_theme == CallTheme.MOBILITE,
            "rollups": rollups,
            "mapped_count": sum(rollup.projects for rollup in rollups),
            "total": selectors.indicator_totals(selectors.approved_reports_of(mapped))
            if map_theme == CallTheme.MOBILITE
            else None,
            "total_label": "France entière" if permissions.is_cnml(user) and not filtered else "Total",
            "filtered": filtered,
            "breadcrumb": crumbs(("Projets", None)),
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
            "breadcrumb": crumbs(("Projets", reverse("mobility:project_list")), ("Par étape", None)),
        },
    )


def _next_transitions(project, user) -> list[dict]:
    """The moves along the stages from the project's stage, for a user who may make them, with what blocks them."""
    options = []
    path_moves = project.path_moves  # the stop has its own form
    for slug, verb in PROJECT_MOVES.items():
        if verb not in path_moves:
            continue
        transition = Project.workflow.transitions[verb]
        if project.stage not in transition.source:
            continue
        refused = transition.check(project, user)
        if refused and refused.by_role:
            continue
        options.append({"slug": slug, "label": path_moves[verb], "refusals": refused.reasons if refused else []})
    return options


@login_required
@require_GET
def project_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    project = permissions.get_project_for(user, pk)
    application = project.application
    if not project.is_mobility:
        # Its plan is the application's answers, each under its section's title: one query for both.
        prefetch_related_objects(
            [application], Prefetch("answers", queryset=application.answers.select_related("section"))
        )
    budget_rows, budget_total = selectors.budget_by_funder(project.budget_lines.all())
    # Activity reports are the mobility platforms' reporting: another theme's project has none
    # (its budget against the call's envelope is what it reports).
    reports_qs = (
        permissions.visible_reports(user).filter(project=project).order_by("-year", "-period")
        if project.is_mobility
        else None
    )
    context = {
        "title": project.title,
        "project": project,
        "application": application,
        "stages": [(stage, Stage(stage).label) for stage in project.stage_line],
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
        "totals": selectors.indicator_totals(reports_qs.filter(status=ReportStatus.APPROUVE))
        if reports_qs is not None
        else None,
        "history": history(project),
        "breadcrumb": crumbs(("Projets", reverse("mobility:project_list")), (project.title, None)),
    }
    if not project.is_mobility:
        # What the call's funders grant this project, against the call's envelope.
        context["envelope"] = selectors.call_envelope(project.call)
        context["granted_here"] = selectors.granted_to(project)
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
        messages.success(request, f"Le projet est à l'étape « {project.get_stage_display()} ».")
    except TransitionRefused as error:
        report_refusal(request, error)
    return redirect(project)


@login_required
@require_http_methods(["GET", "POST"])
def project_plan_edit(request: HttpRequest, pk: int) -> HttpResponse:
    project = permissions.get_editable_project_for(request.user, pk)
    data = request.POST if request.method == "POST" else None
    services_form = forms.ProjectServicesForm(data, instance=project)
    targets = forms.TargetFormSet(data, instance=project, prefix="objectifs")
    return project_forms_page(
        request,
        project,
        forms={"services_form": services_form, "formset": targets},
        save=lambda: services.project_plan_save(services_form=services_form, targets_formset=targets),
        success="Plan du projet enregistré.",
        template="mobility/project_plan_form.html",
        title="Objectifs et services",
    )


@login_required
@require_http_methods(["GET", "POST"])
def project_milestones_edit(request: HttpRequest, pk: int) -> HttpResponse:
    project = permissions.get_editable_project_for(request.user, pk)
    return project_formset_page(
        request,
        project,
        forms.MilestoneFormSet,
        prefix="jalons",
        save=services.formset_save,
        success="Jalons : modifications enregistrées.",
        title="Jalons",
        intro="Datez la réalisation de chaque jalon ; ajoutez ceux qui manquent.",
    )


@login_required
@require_http_methods(["GET", "POST"])
def project_fare_edit(request: HttpRequest, pk: int) -> HttpResponse:
    project = permissions.get_project_for(request.user, pk)
    if not project.is_mobility:
        raise Http404("Seuls les projets de plateforme de mobilité ont un accompagnement de la FARE.")
    if not permissions.can_manage_fare_support(request.user):
        raise PermissionDenied("Seul le CNML enregistre l'accompagnement de la FARE.")
    data = request.POST if request.method == "POST" else None
    support = FareSupport.objects.filter(project=project).first()
    form = forms.FareSupportForm(data, instance=support, project=project)
    sessions = forms.SessionFormSet(data, instance=project, prefix="seances")
    return project_forms_page(
        request,
        project,
        forms={"form": form, "formset": sessions},
        save=lambda: services.fare_support_save(form=form, sessions_formset=sessions),
        success="Accompagnement de la FARE enregistré.",
        template="mobility/project_fare_form.html",
        title="Accompagnement de la FARE",
    )


@login_required
@require_http_methods(["GET", "POST"])
def document_add(request: HttpRequest, pk: int) -> HttpResponse:
    project = permissions.get_editable_project_for(request.user, pk)
    form = forms.DocumentForm(request.POST or None, request.FILES or None)
    return project_forms_page(
        request,
        project,
        forms={"form": form},
        save=lambda: services.document_add(form=form, project=project, actor=request.user),
        success="Document ajouté.",
        template="mobility/document_form.html",
        title="Ajouter un document",
    )


@login_required
@require_GET
def document_download(request: HttpRequest, pk: int, document_pk: int):
    document = permissions.get_document_for(request.user, pk, document_pk)
    return serve_private_file(document.file, download_name=document.name)
