"""Pages of the partnerships for alternance: the public list and page of signed agreements, the
follow-up of every agreement (CNML roles) or of a region's declinations (regional animators), the
agreement's moves and a declination's yearly results. Rules in :mod:`alternance.permissions`, reads in
:mod:`alternance.selectors`, writes in :mod:`alternance.services`.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from alternance import permissions, selectors, services
from alternance.forms import DocumentForm, MoveForm, ResultsForm, commitment_field_name
from cnml import spreadsheets
from cnml.permissions import get_in_scope_or_404
from cnml.uploads import serve_private_file
from cnml.workflows import TransitionRefused, history, report_refusal

HOME_TITLE = "Partenariats pour l'alternance"
FOLLOW_UP_TITLE = "Suivi des partenariats"


def _crumbs(*extra) -> list:
    return [(HOME_TITLE, reverse("alternance:home")), *extra]


def _follow_up_crumbs(*extra) -> list:
    return _crumbs((FOLLOW_UP_TITLE, reverse("alternance:follow_up")), *extra)


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "alternance/home.html",
        {
            "title": HOME_TITLE,
            "breadcrumb": [(HOME_TITLE, None)],
            "agreements": selectors.public_list(),
            "may_follow": permissions.may_follow(request.user),
        },
    )


@require_GET
def agreement_detail(request: HttpRequest, pk: int) -> HttpResponse:
    agreement = permissions.get_public_agreement_for(request.user, pk)
    return render(
        request,
        "alternance/agreement_detail.html",
        {
            "title": agreement.title,
            "breadcrumb": _crumbs((agreement.title, None)),
            "agreement": agreement,
            "declinations": selectors.public_declinations(agreement),
            "documents": selectors.public_documents(agreement),
            "may_follow": permissions.followed_agreements(request.user).filter(pk=agreement.pk).exists(),
        },
    )


def _require_follower(user) -> None:
    if not permissions.may_follow(user):
        raise Http404("Page introuvable.")


@login_required
@require_GET
def follow_up_list(request: HttpRequest) -> HttpResponse:
    _require_follower(request.user)
    return render(
        request,
        "alternance/follow_up_list.html",
        {
            "title": FOLLOW_UP_TITLE,
            "breadcrumb": _crumbs((FOLLOW_UP_TITLE, None)),
            "agreements": selectors.follow_up_list(request.user),
            "is_manager": permissions.is_manager(request.user),
        },
    )


def _follow_up_page(request: HttpRequest, agreement, move_form: MoveForm | None = None) -> HttpResponse:
    user = request.user
    data = selectors.follow_up(agreement, user)
    actions = {verb: action for action, verb in services.ACTIONS.items()}  # the French word in the address
    allowed = [(actions[move.name], move.label) for move in type(agreement).workflow.allowed(agreement, user)]
    return render(
        request,
        "alternance/follow_up_detail.html",
        {
            "title": agreement.title,
            "breadcrumb": _follow_up_crumbs((agreement.title, None)),
            "agreement": agreement,
            "commitments": data.commitments,
            "declinations": data.declinations,
            "totals": data.totals,
            "documents": selectors.follow_up_documents(agreement),
            "is_manager": permissions.is_manager(user),
            "moves": allowed,
            "move_form": move_form or MoveForm(initial={"seen_status": agreement.status}),
            "history": history(agreement),
        },
    )


@login_required
@require_GET
def follow_up_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _follow_up_page(request, permissions.get_followed_agreement_for(request.user, pk))


@login_required
@require_POST
def agreement_transition(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    agreement = permissions.get_followed_agreement_for(request.user, pk)
    if action not in services.ACTIONS:
        raise Http404("Page introuvable.")
    form = MoveForm(request.POST)
    form.is_valid()  # every field is optional: the comment's rule is the workflow's
    try:
        services.agreement_move(
            agreement=agreement,
            user=request.user,
            action=action,
            comment=form.cleaned_data.get("comment", ""),
            seen_status=form.cleaned_data.get("seen_status"),
        )
    except TransitionRefused as error:
        report_refusal(request, error)
        return _follow_up_page(request, agreement, move_form=form)
    messages.success(request, f"L'accord est maintenant « {agreement.get_status_display().lower()} ».")
    return redirect("alternance:follow_up_detail", pk=agreement.pk)


@login_required
@require_http_methods(["GET", "POST"])
def results_edit(request: HttpRequest, pk: int) -> HttpResponse:
    declination = permissions.get_declination_for(request.user, pk)
    commitments = list(declination.agreement.commitments.all())
    if request.method == "POST":
        form = ResultsForm(request.POST, commitments=commitments)
        if form.is_valid():
            year = form.cleaned_data["year"]
            services.declination_record_results(declination=declination, year=year, achieved=form.achieved())
            messages.success(request, f"Les résultats de {year} sont enregistrés.")
            return redirect("alternance:follow_up_detail", pk=declination.agreement_id)
    else:
        year = _year_asked(request)
        known = selectors.results_of(declination, year)
        initial = {"year": year} | {commitment_field_name(c): known.get(c.pk) for c in commitments}
        form = ResultsForm(initial=initial, commitments=commitments)
    title = f"Résultats : {declination}"
    return render(
        request,
        "alternance/results_form.html",
        {
            "title": title,
            "breadcrumb": _follow_up_crumbs(
                (declination.agreement.title, reverse("alternance:follow_up_detail", args=[declination.agreement_id])),
                ("Résultats", None),
            ),
            "declination": declination,
            "commitments": commitments,
            "form": form,
        },
    )


def _year_asked(request: HttpRequest) -> int:
    """The year in ``?annee=``, else last year (results are entered once a year is over)."""
    try:
        return int(request.GET.get("annee", ""))
    except ValueError:
        return timezone.localdate().year - 1


@login_required
@require_GET
def follow_up_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    """The results the user follows (every declination for CNML roles, their region's for an animator)."""
    agreement = permissions.get_followed_agreement_for(request.user, pk)
    book = selectors.follow_up_book(agreement, request.user)
    return spreadsheets.xlsx_response(book, filename=f"partenariat-{agreement.pk}-resultats.xlsx")


@require_GET
def document_download(request: HttpRequest, pk: int, document_pk: int) -> HttpResponse:
    """A document, served only to those who may read it: everyone for the signed text and annexes of a
    public agreement, the agreement's followers for every document (404 otherwise)."""
    document = permissions.get_document_for(request.user, pk, document_pk)
    return serve_private_file(document.file, download_name=document.name)


@login_required
@require_http_methods(["GET", "POST"])
def document_add(request: HttpRequest, pk: int) -> HttpResponse:
    agreement = permissions.get_managed_agreement_for(request.user, pk)
    form = DocumentForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        document = services.document_add(agreement=agreement, form=form, actor=request.user)
        messages.success(request, f"Le document « {document.title} » est ajouté.")
        return redirect("alternance:follow_up_detail", pk=agreement.pk)
    return render(
        request,
        "alternance/document_form.html",
        {
            "title": "Ajouter un document",
            "breadcrumb": _follow_up_crumbs(
                (agreement.title, reverse("alternance:follow_up_detail", args=[agreement.pk])),
                ("Ajouter un document", None),
            ),
            "agreement": agreement,
            "form": form,
        },
    )


@login_required
@require_POST
def document_remove(request: HttpRequest, pk: int, document_pk: int) -> HttpResponse:
    agreement = permissions.get_managed_agreement_for(request.user, pk)
    document = get_in_scope_or_404(agreement.documents.all(), pk=document_pk)  # its manager reads them all
    services.document_remove(document=document)
    messages.success(request, f"Le document « {document.title} » est retiré.")
    return redirect("alternance:follow_up_detail", pk=agreement.pk)
