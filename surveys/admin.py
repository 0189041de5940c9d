"""Admin of the surveys app: questionnaires are data, edited here.

Questionnaire → its sections (inline) ; a section → its questions (inline) ;
a question → its choices (inline). Once a campaign using it has answers, a
questionnaire is locked: its wording stays editable, everything else is read
only and nothing can be added or removed — the action « Copier » makes an
editable copy.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import format_html

from cnml import workflows
from cnml.adminsearch import FrenchSearchMixin
from surveys import services
from surveys.models import (
    STRUCTURAL_FIELDS,
    Campaign,
    Choice,
    DistributionPoint,
    Question,
    Questionnaire,
    QuestionnaireVersion,
    Section,
)


def _locked(obj) -> bool:
    return obj is not None and obj.pk is not None and obj.is_locked


def _structural(model) -> list[str]:
    return [name.removesuffix("_id") for name in STRUCTURAL_FIELDS[model]]


class LockedInlineMixin:
    """No adding or removing, structural fields read-only, when the questionnaire is locked."""

    def _questionnaire_locked(self, obj) -> bool:
        return obj is not None and obj.pk is not None and questionnaire_of_parent(obj).is_locked

    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request, obj) and not self._questionnaire_locked(obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not self._questionnaire_locked(obj)

    # The inline's foreign key to the object edited above it (never a form field of the inline).
    parent_field = ""

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if self._questionnaire_locked(obj):
            fields += [name for name in _structural(self.model) if name != self.parent_field]
        return fields


def questionnaire_of_parent(obj) -> Questionnaire:
    if isinstance(obj, Questionnaire):
        return obj
    if isinstance(obj, Section):
        return obj.questionnaire
    return obj.section.questionnaire


class SectionInline(LockedInlineMixin, admin.TabularInline):
    model = Section
    parent_field = "questionnaire"
    fields = ("order", "title", "description", "edit_link")
    readonly_fields = ("edit_link",)
    extra = 0
    show_change_link = True

    @admin.display(description="questions")
    def edit_link(self, section):
        if not section.pk:
            return "—"
        url = reverse("admin:surveys_section_change", args=[section.pk])
        return format_html('<a href="{}">{} question(s)</a>', url, section.questions.count())


@admin.register(Questionnaire)
class QuestionnaireAdmin(FrenchSearchMixin, admin.ModelAdmin):
    list_display = ("title", "code", "audience", "instrument", "revision", "locked")
    list_filter = ("audience", "instrument")
    search_fields = ("title", "code")
    readonly_fields = ("revision", "copied_from", "created_at", "updated_at", "locked")
    inlines = [SectionInline]
    actions = ["copy"]

    @admin.display(boolean=True, description="verrouillé (a des réponses)")
    def locked(self, questionnaire):
        return questionnaire.is_locked

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if _locked(obj):
            fields += ["code", "audience", "instrument"]
        return fields

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not (obj and obj.campaigns.exists())

    @admin.action(description="Copier (pour adapter un questionnaire, même verrouillé)")
    def copy(self, request, queryset):
        if not self.has_add_permission(request):
            self.message_user(request, "Vous ne pouvez pas créer de questionnaire.", messages.ERROR)
            return
        for questionnaire in queryset:
            copy = services.questionnaire_copy(questionnaire=questionnaire)
            self.message_user(request, f"« {questionnaire} » copié en « {copy} » (code {copy.code}).", messages.SUCCESS)


class QuestionInline(LockedInlineMixin, admin.StackedInline):
    model = Question
    parent_field = "section"
    extra = 0
    show_change_link = True
    fields = (
        ("order", "code", "kind", "required"),
        "text",
        "help_text",
        ("dimension", "servqual_role", "servqual_item", "analysis_role"),
        ("min_label", "max_label", "allow_not_applicable"),
        ("max_length", "min_value", "max_value", "points_total"),
    )


@admin.register(Section)
class SectionAdmin(admin.ModelAdmin):
    list_display = ("title", "questionnaire", "order")
    list_filter = ("questionnaire",)
    inlines = [QuestionInline]

    def get_readonly_fields(self, request, obj=None):
        return ["questionnaire"] if _locked(obj and obj.questionnaire) else []

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not _locked(obj and obj.questionnaire)


class ChoiceInline(LockedInlineMixin, admin.TabularInline):
    model = Choice
    parent_field = "question"
    extra = 0
    fields = ("order", "code", "label", "is_key", "dimension")


@admin.register(Question)
class QuestionAdmin(FrenchSearchMixin, admin.ModelAdmin):
    list_display = ("code", "text", "kind", "dimension", "servqual_role", "servqual_item", "section")
    list_filter = ("kind", "servqual_role", "section__questionnaire")
    search_fields = ("code", "text")
    inlines = [ChoiceInline]

    def get_readonly_fields(self, request, obj=None):
        return _structural(Question) if obj and _locked(obj.section.questionnaire) else []

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not (obj and _locked(obj.section.questionnaire))


@admin.register(QuestionnaireVersion)
class QuestionnaireVersionAdmin(admin.ModelAdmin):
    list_display = ("questionnaire", "revision", "created_at")
    readonly_fields = ("questionnaire", "revision", "digest", "spec", "created_at")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class DistributionPointInline(admin.TabularInline):
    model = DistributionPoint
    fields = ("structure", "code", "target")
    readonly_fields = ("structure", "code")
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Campaign)
class CampaignAdmin(FrenchSearchMixin, admin.ModelAdmin):
    """Campaigns are created and run from the app's pages (/enquetes/); the admin only shows them."""

    list_display = ("title", "questionnaire", "scope", "region", "status", "opens_on", "closes_on", "page_link")
    list_filter = ("status", "scope", "audience", "region")
    search_fields = ("title", "region__name", "created_by__first_name", "created_by__last_name")
    exclude = ("participants", "results_spec")
    readonly_fields = ("history",)
    inlines = [DistributionPointInline]

    @admin.display(description="page")
    def page_link(self, campaign):
        return format_html(
            '<a href="{}">Ouvrir la page de la campagne</a>', reverse("surveys:campaign", args=[campaign.pk])
        )

    @admin.display(description="historique")
    def history(self, campaign: Campaign) -> str:
        # The template escapes every text (comments included).
        return render_to_string("cnml/includes/history.html", {"history": workflows.history(campaign), "empty": "—"})

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
