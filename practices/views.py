"""Pages of the practices app: the public catalogue, a fiche, the authors' pages, the review queue.

Views stay thin: rules are in :mod:`practices.permissions`, reads in
:mod:`practices.selectors`, writes in :mod:`practices.services`.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.text import slugify
from django.views.decorators.http import require_GET, require_http_methods

from cnml.pagination import paginate
from cnml.pdf import pdf_response
from cnml.uploads import serve_private_file
from cnml.workflows import TransitionRefused, history, report_refusal
from practices import permissions, selectors, services
from practices.forms import FILES_NOT_KEPT, CatalogueForm, FicheForm, TransitionForm
from practices.formsets import ContactFormSet, PartnerFormSet
from practices.models import LONG_TEXTS, Fiche
from practices.selectors import CatalogueFilters

PAGE_SIZE = 10


def _home_crumb():
    return ("Bonnes pratiques", reverse("practices:home"))


def _my_fiches_crumb():
    return ("Mes fiches", reverse("practices:my_fiches"))


# --- Catalogue -----------------------------------------------------------------


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """The public catalogue: published fiches only, searched and filtered, ten per page."""
    choices = selectors.catalogue_choices()
    form = CatalogueForm(request.GET or None, choices=choices)
    filters = CatalogueFilters()
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        filters = CatalogueFilters(
            query=data["q"].strip(),
            theme=data["theme"],
            region=data["region"],
            partner=data["partner"],
            year=data["year"],
        )
    pages = paginate(request, selectors.catalogue(filters), per_page=PAGE_SIZE)
    number = pages["page"].number
    return render(
        request,
        "practices/catalogue.html",
        {
            "title": f"Bonnes pratiques{f' – page {number}' if number > 1 else ''}",
            "form": form,
            "filters": filters,
            **pages,
            "can_write": permissions.can_create(request.user),
            "can_review": permissions.can_review_any(request.user),
        },
    )


def _fiche_context(request: HttpRequest, fiche: Fiche) -> dict:
    user = request.user
    follow = permissions.can_follow(user, fiche)
    return {
        "fiche": fiche,
        "sections": [(label, getattr(fiche, name)) for name, label in LONG_TEXTS.items() if getattr(fiche, name)],
        "themes": fiche.themes.order_by("position", "name"),
        "other_structures": fiche.other_structures.order_by("name"),
        "partners": fiche.partners.all(),
        "contacts": fiche.contacts.all(),
        "attachments": fiche.attachments.all() if permissions.can_download_attachments(user, fiche) else [],
        "follow": follow,
        "history": history(fiche) if follow else [],
        "version_count": fiche.versions.count() if follow else 0,
        "actions": services.available_actions(fiche, user),
        "can_edit": permissions.can_edit(user, fiche),
    }


@require_GET
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A fiche: public once published; before that, its authors' preview and its reviewers' file."""
    fiche = permissions.get_fiche_for(request.user, pk)
    context = _fiche_context(request, fiche)
    crumbs = [_home_crumb()]
    if permissions.is_author_of(request.user, fiche):
        crumbs.append(_my_fiches_crumb())
    elif not fiche.is_public and permissions.can_review_any(request.user):
        crumbs.append(("Fiches à relire", reverse("practices:review_queue")))
    context.update(title=fiche.title, breadcrumb=[*crumbs, (fiche.title, None)])
    return render(request, "practices/fiche_detail.html", context)


@require_GET
def print_view(request: HttpRequest, pk: int) -> HttpResponse:
    fiche = permissions.get_fiche_for(request.user, pk)
    context = _fiche_context(request, fiche)
    context.update(title=fiche.title, print_page=True)
    return render(request, "practices/fiche_print.html", context)


@require_GET
def pdf(request: HttpRequest, pk: int) -> HttpResponse:
    fiche = permissions.get_fiche_for(request.user, pk)
    context = _fiche_context(request, fiche)
    context.update(title=fiche.title)
    filename = f"fiche-{fiche.pk}-{slugify(fiche.title)[:60] or 'bonne-pratique'}.pdf"
    return pdf_response("practices/pdf/fiche.html", context, filename=filename, request=request)


@require_GET
def attachment(request: HttpRequest, pk: int, attachment_pk: int) -> HttpResponse:
    """A private attachment, served only to those who may read the fiche."""
    item = permissions.get_attachment_for(request.user, pk, attachment_pk)
    return serve_private_file(item.file, download_name=item.name)


@login_required
@require_GET
def versions(request: HttpRequest, pk: int) -> HttpResponse:
    """What changed between two submissions (the last two by default)."""
    fiche = permissions.get_fiche_for(request.user, pk, among=permissions.followed_fiches)
    before, after = _int(request.GET.get("de")), _int(request.GET.get("a"))
    older, newer, changes = selectors.version_changes(fiche, before, after)
    return render(
        request,
        "practices/fiche_versions.html",
        {
            "fiche": fiche,
            "versions": selectors.fiche_versions(fiche),
            "older": older,
            "newer": newer,
            "changes": changes,
            "title": f"Versions soumises – {fiche.title}",
            "breadcrumb": [_home_crumb(), (fiche.title, fiche.get_absolute_url()), ("Versions soumises", None)],
        },
    )


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


# --- Authors -------------------------------------------------------------------


def _require_author(user) -> None:
    if not permissions.writes_fiches(user):
        raise PermissionDenied(
            "Les fiches sont rédigées par les conseillers et les directeurs des structures, "
            "et par les membres des comités de pilotage."
        )


@login_required
@require_GET
def my_fiches(request: HttpRequest) -> HttpResponse:
    _require_author(request.user)
    return render(
        request,
        "practices/my_fiches.html",
        {
            "fiches": selectors.author_fiches(request.user),
            "title": "Mes fiches",
            "breadcrumb": [_home_crumb(), ("Mes fiches", None)],
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def create(request: HttpRequest) -> HttpResponse:
    _require_author(request.user)
    if not permissions.can_create(request.user):
        raise PermissionDenied
    fiche = Fiche()
    # « Rédiger une fiche pour ce recensement »: proposed only when the author may answer it.
    answering = permissions.accepting_recensements(request.user, fiche).filter(pk=_int(request.GET.get("recensement")))
    fiche.recensement = answering.first()
    return _edit_page(request, fiche)


@login_required
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    fiche = permissions.get_fiche_for(request.user, pk, among=permissions.authored_fiches)
    if not permissions.can_edit(request.user, fiche):
        messages.info(request, "Cette fiche n'est plus modifiable : elle est entre les mains des relecteurs.")
        return redirect(fiche)
    return _edit_page(request, fiche)


def _edit_page(request: HttpRequest, fiche: Fiche) -> HttpResponse:
    user = request.user
    missing: dict[str, str] = {}
    files_lost = False
    if request.method == "POST":
        form = FicheForm(request.POST, request.FILES, instance=fiche, user=user)
        partners = PartnerFormSet(request.POST, instance=fiche, prefix="partenaires")
        contacts = ContactFormSet(request.POST, instance=fiche, prefix="contacts")
        if form.is_valid() and partners.is_valid() and contacts.is_valid():
            try:
                fiche = services.fiche_save_draft(
                    actor=user, form=form, partner_formset=partners, contact_formset=contacts
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                return _after_save(request, fiche, request.POST.get("action", "save"))
        files_lost = bool(request.FILES.getlist("new_attachments"))
    else:
        form = FicheForm(instance=fiche, user=user)
        partners = PartnerFormSet(instance=fiche, prefix="partenaires")
        contacts = ContactFormSet(instance=fiche, prefix="contacts")
        if fiche.pk and request.GET.get("verifier"):
            missing = fiche.missing_for_submission()
            form.flag_missing(missing)
    has_errors = request.method == "POST" and bool(
        form.errors or partners.total_error_count() or contacts.total_error_count()
    )
    if has_errors:
        messages.error(request, "La fiche n'a pas été enregistrée : corrigez les erreurs signalées ci-dessous.")
    title = "Rédiger une fiche" if not fiche.pk else f"Modifier la fiche « {fiche.title} »"
    return render(
        request,
        "practices/fiche_form.html",
        {
            "form": form,
            "partners": partners,
            "contacts": contacts,
            "fiche": fiche,
            "missing": missing,
            "changes_requested": selectors.changes_requested(fiche),
            "files_lost": files_lost,
            "files_not_kept": FILES_NOT_KEPT,
            "has_errors": has_errors,
            "error_count": len(form.errors) + partners.total_error_count() + contacts.total_error_count(),
            "title": title,
            "breadcrumb": [
                _home_crumb(),
                _my_fiches_crumb(),
                ("Nouvelle fiche" if not fiche.pk else fiche.title, None),
            ],
        },
        status=400 if request.method == "POST" else 200,
    )


def _after_save(request: HttpRequest, fiche: Fiche, action: str) -> HttpResponse:
    if action == "preview":
        messages.info(request, "Brouillon enregistré. Voici la fiche telle qu'elle sera publiée.")
        return redirect(fiche)
    if action == "submit":
        missing = fiche.missing_for_submission()
        if missing:
            messages.warning(
                request,
                f"Brouillon enregistré, mais la fiche ne peut pas encore être soumise : "
                f"{len(missing)} information(s) manquante(s), signalée(s) ci-dessous.",
            )
            return redirect(f"{reverse('practices:edit', args=[fiche.pk])}?verifier=1")
        try:
            services.fiche_submit(fiche=fiche, actor=request.user)
        except TransitionRefused as error:
            report_refusal(request, error)
            return redirect("practices:edit", pk=fiche.pk)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("practices:edit", pk=fiche.pk)
        messages.success(request, services.ACTIONS["submit"].done)
        return redirect(fiche)
    messages.success(request, "Brouillon enregistré.")
    return redirect("practices:edit", pk=fiche.pk)


# --- Transitions ---------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def transition(request: HttpRequest, pk: int, slug: str) -> HttpResponse:
    """Confirm a transition, with its comment (required to request changes or reject)."""
    action = services.ACTIONS_BY_SLUG.get(slug)
    if action is None:
        raise Http404("Action inconnue.")
    fiche = permissions.get_fiche_for(request.user, pk)
    move = getattr(fiche, action.verb)
    seen_status = request.POST.get("seen_status") if request.method == "POST" else None
    # Overtaken: the page was shown when the move was possible, someone decided since; the
    # service says so below, keeping the comment typed.
    if not move.allowed(request.user) and not move.overtaken(request.user, seen_status):
        # The fiche is visible to the user (else 404 above), the action is not theirs.
        raise PermissionDenied(f"Action impossible sur cette fiche ({fiche.get_status_display().lower()}).")
    if action.verb == "submit":
        missing = fiche.missing_for_submission()
        if missing:
            messages.warning(request, "La fiche ne peut pas encore être soumise : complétez ce qui est signalé.")
            return redirect(f"{reverse('practices:edit', args=[fiche.pk])}?verifier=1")
    form = TransitionForm(request.POST or None, action=action, initial={"seen_status": fiche.status})
    if request.method == "POST" and form.is_valid():
        try:
            services.fiche_apply(
                fiche=fiche,
                actor=request.user,
                verb=action.verb,
                comment=form.cleaned_data["comment"],
                seen_status=form.cleaned_data["seen_status"] or None,
            )
        except TransitionRefused as error:
            report_refusal(request, error)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, action.done)
            return redirect(fiche)
    return render(
        request,
        "practices/transition.html",
        {
            "fiche": fiche,
            "action": action,
            "form": form,
            "title": f"{action.label} – {fiche.title}",
            "breadcrumb": [_home_crumb(), (fiche.title, fiche.get_absolute_url()), (action.label, None)],
        },
        status=400 if request.method == "POST" else 200,
    )


# --- Reviewers -----------------------------------------------------------------


@login_required
@require_GET
def review_queue(request: HttpRequest) -> HttpResponse:
    """The fiches waiting for the user's review, overdue first."""
    if not permissions.can_review_any(request.user):
        raise PermissionDenied("Cette page est réservée aux relecteurs.")
    show_all = request.GET.get("toutes") == "1"
    return render(
        request,
        "practices/review_queue.html",
        {
            "fiches": selectors.review_queue(request.user, include_all=show_all),
            "show_all": show_all,
            "writes_for_committees": not permissions.is_author(request.user)
            and permissions.writes_fiches(request.user),
            "title": "Fiches à relire",
            "breadcrumb": [_home_crumb(), ("Fiches à relire", None)],
        },
    )
