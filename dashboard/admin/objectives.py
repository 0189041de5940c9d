"""Admin of objectives, for CNML roles (reviewers, administrators): national, regional and structure objectives.

Regional animators, who have no admin access, split their region's objective on
``/tableau-de-bord/regions/<code>/objectifs/`` (:mod:`dashboard.objectives.views`).
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils import timezone

from cnml.adminsearch import FrenchSearchMixin
from cnml.formatting import format_number
from dashboard import indicators as registry
from dashboard.models.objectives import Objective


def indicator_choices() -> list[tuple[str, str]]:
    """The registry's count indicators (an objective is a number of young people)."""
    return [(indicator.code, f"{indicator.code} — {indicator.label}") for indicator in registry.counts()]


class ObjectiveForm(forms.ModelForm):
    indicator = forms.ChoiceField(label="Indicateur", choices=indicator_choices)

    class Meta:
        model = Objective
        fields = ["indicator", "year", "scope_kind", "region", "structure", "target", "source"]


@admin.register(Objective)
class ObjectiveAdmin(FrenchSearchMixin, admin.ModelAdmin):
    form = ObjectiveForm
    list_display = ("indicator", "year", "scope_kind", "scope_label", "target_display", "source", "set_by", "set_at")
    list_filter = ("year", "scope_kind", "indicator")
    list_select_related = ("region", "structure", "set_by")
    search_fields = ("indicator", "source", "region__name", "structure__name", "structure__code")
    readonly_fields = ("set_by", "set_at")
    fields = ("indicator", "year", "scope_kind", "region", "structure", "target", "source", "set_by", "set_at")

    @admin.display(description="objectif", ordering="target")
    def target_display(self, obj: Objective) -> str:
        return format_number(obj.target)

    @admin.display(description="périmètre (nom)")
    def scope_label(self, obj: Objective) -> str:
        return obj.scope_label

    def save_model(self, request: HttpRequest, obj: Objective, form, change: bool) -> None:
        """Who set the objective and when: the person saving it, now."""
        obj.set_by = request.user
        obj.set_at = timezone.now()
        super().save_model(request, obj, form, change)
