"""Admin of indicator snapshots: follow recomputes, start one, validate for publication.

Validating is a button on a snapshot's page (and the next step on its import's page):
a confirmation page says what becomes public — the figures of which extract, replacing
which published ones, the national table — and its form (POST) applies the workflow's
``validate`` transition through :func:`dashboard.publication.snapshot_validate`, which
refuses an older snapshot over a newer published one. The bulk action stays.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join

from cnml import outbox, workflows
from cnml.formatting import format_duration
from cnml.workflows import TransitionRefused
from dashboard import pages, selectors
from dashboard.models.snapshots import Snapshot, SnapshotStatus
from dashboard.publication import snapshot_validate
from dashboard.recompute import RecomputeError, snapshot_recompute


def _start_recompute() -> str:
    """Owe the recompute (or compute here without the task); return a French message."""
    try:
        from dashboard.tasks import recompute_indicators
    except ImportError:
        recompute_indicators = None
    if recompute_indicators is not None:
        with transaction.atomic():
            outbox.enqueue(recompute_indicators)
        return "Recalcul des indicateurs lancé : le nouveau calcul apparaîtra dans cette liste une fois terminé."
    snapshot = snapshot_recompute()
    return f"Calcul n° {snapshot.pk} terminé : {snapshot.value_count} valeurs."


@admin.register(Snapshot)
class SnapshotAdmin(admin.ModelAdmin):
    list_display = (
        "__str__",
        "status",
        "publication",
        "data_provisional",
        "computed_at",
        "duration_display",
        "value_count",
    )
    list_filter = ("status", "data_provisional", ("validated_at", admin.EmptyFieldListFilter))
    date_hierarchy = "created_at"
    list_select_related = ("validated_by",)
    actions = ["validate_for_publication"]
    change_list_template = "admin/dashboard/snapshot/change_list.html"
    change_form_template = "admin/dashboard/snapshot/change_form.html"
    fields = (
        "status",
        "provenance",
        "extract_import",
        "extracted_on",
        "data_provisional",
        "created_at",
        "computed_at",
        "duration_display",
        "periods_display",
        "value_count",
        "validated_at",
        "validated_by",
        "error",
        "transitions",
        "national_table",
    )
    readonly_fields = fields

    # Reviewers reach these pages through their role, whatever their groups hold.
    def has_module_permission(self, request: HttpRequest) -> bool:
        return Snapshot.user_may_validate(request.user) or super().has_module_permission(request)

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return Snapshot.user_may_validate(request.user) or super().has_view_permission(request, obj)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_validate_permission(self, request: HttpRequest) -> bool:
        return Snapshot.user_may_validate(request.user)

    @admin.display(description="publication")
    def publication(self, snapshot: Snapshot) -> str:
        if snapshot.is_validated:
            who = snapshot.validated_by or "—"
            return f"Validé le {snapshot.validated_at:%d/%m/%Y} par {who}"
        if snapshot.is_computed:
            return "Provisoire (à valider)"
        return "—"

    @admin.display(description="historique")
    def transitions(self, snapshot: Snapshot) -> str:
        # The template escapes every text.
        return render_to_string("cnml/includes/history.html", {"history": workflows.history(snapshot), "empty": "—"})

    @admin.display(description="durée")
    def duration_display(self, snapshot: Snapshot) -> str:
        return format_duration(snapshot.duration, empty="—")

    @admin.display(description="périodes")
    def periods_display(self, snapshot: Snapshot) -> str:
        return ", ".join(snapshot.periods) or "—"

    @admin.display(description="ligne de source")
    def provenance(self, snapshot: Snapshot) -> str:
        return snapshot.provenance if snapshot.is_computed else "—"

    @admin.display(description="chiffres nationaux (dernière période)")
    def national_table(self, snapshot: Snapshot) -> str:
        period = selectors.default_period(snapshot) if snapshot.is_computed else None
        if period is None:
            return "—"
        try:
            figures = selectors.indicator_table(snapshot, selectors.Scope.national(), period, references=False)
        except (selectors.ScopeError, selectors.PeriodError):  # a calculation with no national value
            return "—"
        rows = format_html_join(
            "",
            "<tr><td>{}{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (
                    "\u2003" * figure.indicator.level,
                    figure.indicator.label,
                    _number(figure, figure.value),
                    _number(figure, figure.previous_value),
                    _evolution(figure),
                )
                for figure in figures
            ),
        )
        return format_html(
            "<table><caption>{} (comparé à {})</caption><thead><tr><th>Indicateur</th><th>Valeur</th>"
            "<th>Un an avant</th><th>Évolution</th></tr></thead><tbody>{}</tbody></table>",
            period.label,
            period.previous.label,
            rows,
        )

    @admin.action(description="Valider pour publication", permissions=["validate"])
    def validate_for_publication(self, request: HttpRequest, queryset) -> None:
        validated = 0
        for snapshot in queryset:
            try:
                snapshot_validate(snapshot_id=snapshot.pk, user=request.user)
            except TransitionRefused as exc:
                self.message_user(request, f"{snapshot} non validé : {exc}", messages.WARNING)
                continue
            validated += 1
        if validated:
            self.message_user(request, f"{validated} calcul(s) validé(s) pour publication.", messages.SUCCESS)

    def get_urls(self):
        return [
            path(
                "recalculer/",
                self.admin_site.admin_view(self.recompute_view),
                name="dashboard_snapshot_recompute",
            ),
            path(
                "<int:pk>/valider/",
                self.admin_site.admin_view(self.validate_view),
                name="dashboard_snapshot_validate",
            ),
            *super().get_urls(),
        ]

    def change_view(self, request: HttpRequest, object_id, form_url="", extra_context=None):
        snapshot = self.get_object(request, object_id)
        may_validate = snapshot is not None and snapshot.validate.allowed(request.user)
        extra_context = {**(extra_context or {}), "may_validate": may_validate}
        return super().change_view(request, object_id, form_url, extra_context)

    def validate_view(self, request: HttpRequest, pk: int):
        """GET: what becomes public, and the refusal if any; POST: validate (the workflow decides again)."""
        if not Snapshot.user_may_validate(request.user):
            raise PermissionDenied
        snapshot = get_object_or_404(Snapshot, pk=pk)
        change_url = reverse("admin:dashboard_snapshot_change", args=[snapshot.pk])
        if request.method == "POST":
            try:
                snapshot_validate(snapshot_id=snapshot.pk, user=request.user)
            except TransitionRefused as exc:
                workflows.report_refusal(request, exc)
                return HttpResponseRedirect(request.path)
            self.message_user(request, f"{snapshot} validé : ses chiffres sont maintenant publics.", messages.SUCCESS)
            return HttpResponseRedirect(change_url)
        published = Snapshot.objects.latest_validated()
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": f"Valider pour publication : {snapshot}",
            "snapshot": snapshot,
            "refusals": snapshot.validate.refusals(request.user),
            "published": published if published and published.pk != snapshot.pk else None,
            "periods": self.periods_display(snapshot),
            "national_table": table if (table := self.national_table(snapshot)) != "—" else "",
            "cancel_url": change_url,
        }
        return TemplateResponse(request, "admin/dashboard/snapshot/validate.html", context)

    def recompute_view(self, request: HttpRequest):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not Snapshot.user_may_validate(request.user):
            raise PermissionDenied
        try:
            self.message_user(request, _start_recompute(), messages.SUCCESS)
        except RecomputeError as exc:
            self.message_user(request, str(exc), messages.ERROR)
        return HttpResponseRedirect(reverse("admin:dashboard_snapshot_changelist"))

    def changelist_view(self, request: HttpRequest, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "can_recompute": Snapshot.user_may_validate(request.user),
            "running": Snapshot.objects.filter(status=SnapshotStatus.COMPUTING).exists(),
        }
        return super().changelist_view(request, extra_context)


# Figures written as the dashboard's pages write them; "—" is this admin's empty cell.
def _number(figure: selectors.Figure, value) -> str:
    published = figure.published(value)
    return "—" if published is None else pages.format_value(published, figure.indicator)


def _evolution(figure: selectors.Figure) -> str:
    evolution = figure.evolution
    return "—" if evolution is None else pages.format_evolution(evolution, figure.indicator)
