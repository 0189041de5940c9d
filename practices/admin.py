"""Admin of the practices app: where CNML reviewers moderate the fiches.

The list shows the fiches the reviewer may see (never drafts), overdue ones first,
filtered by status, region, theme, queue, overdue and year. Each decision (take in
review, request changes, publish, reject, archive) goes through an intermediate page
asking for the comment, in bulk from the list or one by one from a fiche; the
transitions themselves are :mod:`practices.services`', guarded by
:mod:`practices.permissions`. The fiches' content belongs to their authors: it is
read-only here. Export (CSV / XLSX) for the annual census follows the list's filters.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F
from django.http import Http404, HttpRequest, HttpResponseRedirect
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from import_export.admin import ExportActionMixin

from cnml import workflows
from cnml.admin import ReadOnlyInline
from cnml.adminsearch import FrenchSearchMixin
from cnml.formatting import format_count
from cnml.permissions import get_in_scope_or_404
from cnml.uploads import DeletesPrivateFiles
from cnml.workflows import TransitionRefused
from practices import permissions, selectors, services
from practices.content import LONG_TEXTS
from practices.forms import MoveForm
from practices.models import Attachment, Contact, Fiche, Partner, Recensement, Theme
from practices.resources import FicheResource


@admin.register(Theme)
class ThemeAdmin(FrenchSearchMixin, admin.ModelAdmin):
    list_display = ("name", "slug", "position", "active", "fiche_count")
    list_editable = ("position", "active")
    search_fields = ("name",)
    prepopulated_fields = {"slug": ("name",)}

    @admin.display(description="fiches")
    def fiche_count(self, theme: Theme) -> int:
        return theme.fiches.count()


class OverdueFilter(admin.SimpleListFilter):
    title = "retard"
    parameter_name = "retard"

    def lookups(self, request, model_admin):
        return [("oui", "En retard"), ("non", "Dans les temps")]

    def queryset(self, request, queryset):
        if self.value() == "oui":
            return queryset.filter(pk__in=Fiche.objects.overdue().values("pk"))
        if self.value() == "non":
            return queryset.exclude(pk__in=Fiche.objects.overdue().values("pk"))
        return queryset


class PublicationYearFilter(admin.SimpleListFilter):
    title = "année de publication"
    parameter_name = "annee"

    def lookups(self, request, model_admin):
        years = Fiche.objects.exclude(published_at=None).dates("published_at", "year", order="DESC")
        return [(str(date.year), str(date.year)) for date in years]

    def queryset(self, request, queryset):
        if self.value() and self.value().isdigit():
            return queryset.filter(published_at__year=int(self.value()))
        return queryset


class PartnerInline(ReadOnlyInline):
    model = Partner
    fields = ("kind", "name", "role")


class ContactInline(ReadOnlyInline):
    model = Contact
    fields = ("name", "function", "email", "phone")


class AttachmentInline(ReadOnlyInline):
    model = Attachment
    fields = ("download", "size_label", "uploaded_by", "uploaded_at")
    readonly_fields = fields

    @admin.display(description="fichier")
    def download(self, attachment: Attachment) -> str:
        return format_html('<a href="{}">{}</a>', attachment.get_absolute_url(), attachment.name)


class DecisionForm(MoveForm):
    """A decision in the admin, on one fiche or on those chosen in the list."""

    def __init__(self, *args, action: services.Action, **kwargs):
        super().__init__(*args, action=action, **kwargs)
        self.fields["comment"].widget.attrs["cols"] = 80
        if action.notify == "authors":
            self.fields["comment"].help_text = "Il figure dans le courriel envoyé aux rédacteurs de chaque fiche."


# The decisions taken in the admin, in workflow order.
ADMIN_VERBS = ("take_in_review", "request_changes", "publish", "reject", "archive")


def bulk_decision(verb: str):
    """The list's action for one decision (``action_<verb>``, named as the transition): a confirmation page
    with the comment, then the move of every fiche that allows it."""

    def action(modeladmin, request, queryset):
        return modeladmin._bulk_decision(request, queryset, verb)

    action.__name__ = f"action_{verb}"
    return admin.action(description=services.ACTIONS[verb].label, permissions=["review"])(action)


@admin.register(Fiche)
class FicheAdmin(DeletesPrivateFiles, FrenchSearchMixin, ExportActionMixin, admin.ModelAdmin):
    resource_classes = [FicheResource]
    private_files = "attachments__file"
    list_display = (
        "title",
        "carrier_display",
        "region",
        "status_display",
        "queue",
        "submitted_at",
        "review_due_on",
        "overdue_display",
    )
    list_filter = ("status", "region", "themes", OverdueFilter, "queue", PublicationYearFilter)
    search_fields = (
        "title",
        "structure__name",
        "structure__code",
        "committee__name",
        "region__name",
        "created_by__first_name",
        "created_by__last_name",
    )
    list_select_related = ("structure", "committee", "region")
    list_per_page = 50
    actions = [bulk_decision(verb) for verb in ADMIN_VERBS]
    inlines = [PartnerInline, ContactInline, AttachmentInline]
    fieldsets = (
        ("Suivi", {"fields": ("status", "queue", "review_due_on", "reviewer", "submitted_at", "published_at")}),
        ("Changements", {"fields": ("last_changes", "history")}),
        (
            "La fiche",
            {
                "fields": (
                    "title",
                    "public_link",
                    "structure",
                    "committee",
                    "other_structures",
                    "region",
                    "scale",
                    "themes",
                    ("start_date", "end_date"),
                    "created_by",
                    "contributors",
                    "coauthors",
                )
            },
        ),
        ("Contenu", {"fields": tuple(LONG_TEXTS)}),
    )
    readonly_fields = ("last_changes", "history", "public_link")
    change_form_template = "admin/practices/fiche/change_form.html"

    # --- Access: content belongs to the authors; reviewers decide. ---------

    def get_queryset(self, request: HttpRequest):
        return permissions.reviewable_fiches(request.user).with_overdue()

    def get_ordering(self, request: HttpRequest):
        return ["-overdue", F("review_due_on").asc(nulls_last=True), "-submitted_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_review_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("practices.review_fiche") and permissions.can_review_any(request.user)

    def get_actions(self, request: HttpRequest):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    # --- Columns -------------------------------------------------------------

    @admin.display(description="porteur", ordering="structure__name")
    def carrier_display(self, fiche: Fiche) -> str:
        return fiche.carrier_label

    @admin.display(description="statut", ordering="status")
    def status_display(self, fiche: Fiche) -> str:
        return fiche.get_status_display()

    @admin.display(description="en retard", boolean=True, ordering="overdue")
    def overdue_display(self, fiche: Fiche) -> bool:
        return bool(getattr(fiche, "overdue", fiche.is_overdue))

    @admin.display(description="sur le site")
    def public_link(self, fiche: Fiche) -> str:
        return format_html('<a href="{}">Voir la fiche sur le site</a>', fiche.get_absolute_url())

    @admin.display(description="depuis la soumission précédente")
    def last_changes(self, fiche: Fiche) -> str:
        older, newer, changes = selectors.version_changes(fiche)
        html = render_to_string("practices/includes/changes.html", {"older": older, "newer": newer, "changes": changes})
        if older:
            url = reverse("admin:practices_fiche_versions", args=[fiche.pk])
            html += format_html('<p><a href="{}">Comparer d\'autres versions</a></p>', url)
        return mark_safe(html)  # the template escapes every text; the link goes through format_html

    @admin.display(description="historique")
    def history(self, fiche: Fiche) -> str:
        # The template escapes every text (comments included).
        return render_to_string("cnml/includes/history.html", {"history": workflows.history(fiche), "empty": "—"})

    # --- Decisions -----------------------------------------------------------

    def get_urls(self):
        prefix = f"{self.opts.app_label}_{self.opts.model_name}"
        return [
            path(
                "<path:object_id>/decision/<str:verb>/",
                self.admin_site.admin_view(self.decision_view),
                name=f"{prefix}_decision",
            ),
            path(
                "<path:object_id>/versions/",
                self.admin_site.admin_view(self.versions_view),
                name=f"{prefix}_versions",
            ),
            *super().get_urls(),
        ]

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            context["decisions"] = [
                services.ACTIONS[verb] for verb in ADMIN_VERBS if getattr(obj, f"can_{verb}")(request.user)
            ]
        return super().render_change_form(request, context, add=add, change=change, form_url=form_url, obj=obj)

    def _apply(
        self, request: HttpRequest, fiches, verb: str, comment: str, *, seen_status: str = ""
    ) -> tuple[list[Fiche], list[str]]:
        done, refused = [], []
        for fiche in fiches:
            try:
                done.append(
                    services.fiche_apply(
                        fiche=fiche, actor=request.user, verb=verb, comment=comment, seen_status=seen_status or None
                    )
                )
            except (TransitionRefused, ValidationError) as error:
                refused.append(f"« {fiche.title} » : {' '.join(getattr(error, 'messages', [str(error)]))}")
        return done, refused

    def _report(self, request: HttpRequest, action: services.Action, done: list, refused: list[str]) -> None:
        if done:
            self.message_user(
                request,
                f"{action.label} : {format_count(len(done), 'fiche traitée', feminine=True)}.",
                messages.SUCCESS,
            )
        for reason in refused:
            self.message_user(request, f"Non traitée – {reason}", messages.WARNING)

    def _decision_page(self, request, *, action, form, fiches, refused, bulk: bool, cancel_url: str):
        context = {
            **self.admin_site.each_context(request),
            "title": f"{action.label} – confirmation",
            "opts": self.opts,
            "action": action,
            "form": form,
            "fiches": fiches,
            "refused": refused,
            "bulk": bulk,
            "action_name": f"action_{action.verb}",
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "cancel_url": cancel_url,
            "media": self.media,
        }
        return TemplateResponse(request, "admin/practices/fiche/decision.html", context)

    def _bulk_decision(self, request: HttpRequest, queryset, verb: str):
        action = services.ACTIONS[verb]
        fiches = list(queryset.select_related("structure", "committee", "region"))
        allowed = [fiche for fiche in fiches if getattr(fiche, f"can_{verb}")(request.user)]
        refused = [f"« {f.title} » ({f.get_status_display().lower()})" for f in fiches if f not in allowed]
        if not allowed:
            self.message_user(
                request,
                f"{action.label} : aucune des fiches choisies ne le permet dans son état actuel.",
                messages.WARNING,
            )
            return None
        form = DecisionForm(request.POST if "confirmer" in request.POST else None, action=action)
        if "confirmer" in request.POST and form.is_valid():
            done, failed = self._apply(request, allowed, verb, form.cleaned_data["comment"])
            self._report(request, action, done, failed + [f"{reason} : action impossible" for reason in refused])
            return None
        cancel_url = reverse("admin:practices_fiche_changelist")
        return self._decision_page(
            request, action=action, form=form, fiches=allowed, refused=refused, bulk=True, cancel_url=cancel_url
        )

    def decision_view(self, request: HttpRequest, object_id: str, verb: str):
        """One decision on one fiche, from its page: the same confirmation with the comment."""
        if verb not in ADMIN_VERBS:
            raise Http404("Décision inconnue.")
        if not self.has_review_permission(request):
            raise PermissionDenied
        fiche = get_in_scope_or_404(self.get_queryset(request), pk=object_id)
        action = services.ACTIONS[verb]
        change_url = reverse("admin:practices_fiche_change", args=[fiche.pk])
        move = getattr(fiche, verb)
        if not move.allowed(request.user):
            seen_status = request.POST.get("seen_status") if request.method == "POST" else None
            overtaken = move.overtaken(request.user, seen_status)
            if overtaken:
                message = f"Non traitée – « {fiche.title} » : {overtaken}"
            else:
                message = f"{action.label} : impossible pour cette fiche ({fiche.get_status_display().lower()})."
            self.message_user(request, message, messages.WARNING)
            return HttpResponseRedirect(change_url)
        form = DecisionForm(request.POST or None, action=action, initial={"seen_status": fiche.status})
        if request.method == "POST" and form.is_valid():
            done, refused = self._apply(
                request, [fiche], verb, form.cleaned_data["comment"], seen_status=form.cleaned_data["seen_status"]
            )
            self._report(request, action, done, refused)
            return HttpResponseRedirect(change_url)
        return self._decision_page(
            request, action=action, form=form, fiches=[fiche], refused=[], bulk=False, cancel_url=change_url
        )

    def versions_view(self, request: HttpRequest, object_id: str):
        """What changed between two submissions of a fiche."""
        fiche = get_in_scope_or_404(self.get_queryset(request), pk=object_id)
        if not self.has_view_permission(request, fiche):
            raise PermissionDenied

        def number(name):
            value = request.GET.get(name, "")
            return int(value) if value.isdigit() else None

        older, newer, changes = selectors.version_changes(fiche, number("de"), number("a"))
        context = {
            **self.admin_site.each_context(request),
            "title": f"Versions soumises – {fiche.title}",
            "opts": self.opts,
            "fiche": fiche,
            "original": fiche,
            "versions": selectors.fiche_versions(fiche),
            "older": older,
            "newer": newer,
            "changes": changes,
        }
        return TemplateResponse(request, "admin/practices/fiche/versions.html", context)


@admin.register(Recensement)
class RecensementAdmin(FrenchSearchMixin, admin.ModelAdmin):
    """CNML roles launch a recensement here; its page (/bonnes-pratiques/recensements/) follows and closes it."""

    list_display = ("title", "opens_on", "closes_on", "template", "status", "page_link")
    list_filter = ("status", "template", "regions")
    search_fields = ("title", "instructions")
    filter_horizontal = ("regions", "committees", "themes")
    readonly_fields = ("status", "reminded_on", "history")

    @admin.display(description="page")
    def page_link(self, recensement: Recensement) -> str:
        return format_html('<a href="{}">Ouvrir la page du recensement</a>', recensement.get_absolute_url())

    @admin.display(description="historique")
    def history(self, recensement: Recensement) -> str:
        # The template escapes every text (comments included).
        return render_to_string("cnml/includes/history.html", {"history": workflows.history(recensement), "empty": "—"})

    def save_model(self, request, obj, form, change) -> None:
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)
