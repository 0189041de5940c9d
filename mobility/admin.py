"""Admin of the mobility app: the services and funders catalogues, carriers and their members.

Workflow states (call, application, project, report) are read-only here: they move only
through their guarded, logged transitions in the pages of the app.
"""

from django import forms
from django.contrib import admin, messages

from cnml.admin import ReadOnlyInline
from cnml.adminsearch import FrenchSearchMixin
from cnml.uploads import DeletesPrivateFiles
from cnml.workflows import TransitionRefused
from mobility import services
from mobility.models import (
    ActivityReport,
    Application,
    ApplicationAnswer,
    ApplicationFunding,
    ApplicationNeed,
    ApplicationStep,
    BudgetAmendment,
    BudgetAmendmentLine,
    BudgetLine,
    Call,
    CallSection,
    Carrier,
    CarrierMembershipRequest,
    FareSupport,
    FormationSession,
    Funder,
    GovernancePartner,
    Milestone,
    Project,
    ProjectDocument,
    Review,
    SelectionCriterion,
    Service,
    ServiceDelivery,
    Target,
)


@admin.register(Service)
class ServiceAdmin(FrenchSearchMixin, admin.ModelAdmin):
    list_display = ["name", "unit", "order", "active"]
    list_editable = ["order", "active"]
    prepopulated_fields = {"code": ["name"]}
    search_fields = ["name", "code"]


@admin.register(Funder)
class FunderAdmin(FrenchSearchMixin, admin.ModelAdmin):
    list_display = ["name", "order"]
    list_editable = ["order"]
    search_fields = ["name"]


class RowsInline(admin.TabularInline):
    """A record's rows as a table, without blank forms (the add link adds one when needed)."""

    extra = 0


class CriterionInline(RowsInline):
    model = SelectionCriterion


class SectionInline(RowsInline):
    """The sections of the application form (themes other than mobility's four axes)."""

    model = CallSection


@admin.register(Call)
class CallAdmin(admin.ModelAdmin):
    list_display = ["year", "theme", "title", "opens_on", "closes_on", "envelope", "status"]
    list_filter = ["theme", "status"]
    readonly_fields = ["status", "published_at", "created_by"]
    filter_horizontal = ["funders"]
    inlines = [CriterionInline, SectionInline]


class MemberInline(RowsInline):
    """The members of a carrier: removed here, never added (a membership request adds them)."""

    model = Carrier.members.through
    verbose_name = "membre"
    verbose_name_plural = "membres (on en ajoute par une demande de rattachement acceptée)"
    fields = ["user"]
    readonly_fields = ["user"]

    # The through model is implicit: Django would ask for rights on the users; the carrier's are the ones that matter.
    def has_view_permission(self, request, obj=None) -> bool:
        return request.user.has_perm("mobility.view_carrier")

    def has_delete_permission(self, request, obj=None) -> bool:
        return request.user.has_perm("mobility.change_carrier")

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Carrier)
class CarrierAdmin(FrenchSearchMixin, admin.ModelAdmin):
    list_display = ["name", "kind", "region", "structure"]
    list_filter = ["kind", "region"]
    search_fields = ["name", "region__name"]
    # No members field: joining a carrier is a request its members or the CNML decide.
    fields = ["name", "kind", "region", "structure"]
    raw_id_fields = ["structure"]
    inlines = [MemberInline]


class MembershipRequestAddForm(forms.ModelForm):
    class Meta:
        model = CarrierMembershipRequest
        fields = ["carrier", "user", "reason"]

    def clean(self):
        cleaned = super().clean()
        carrier, user = cleaned.get("carrier"), cleaned.get("user")
        if carrier and user and carrier.members.filter(pk=user.pk).exists():
            self.add_error("user", "Ce compte est déjà membre de ce porteur.")
        return cleaned


@admin.register(CarrierMembershipRequest)
class CarrierMembershipRequestAdmin(FrenchSearchMixin, admin.ModelAdmin):
    """Requests to join a carrier: opened here by the CNML, decided with the actions (guarded, logged)."""

    list_display = ["user", "carrier", "status", "requested_at", "requested_by", "decided_by", "decided_at"]
    list_filter = ["status"]
    search_fields = ["user__email", "carrier__name"]
    list_select_related = ["user", "carrier", "requested_by", "decided_by"]
    autocomplete_fields = ["carrier", "user"]
    actions = ["approve_requests", "refuse_requests"]
    readonly_fields = [
        "carrier",
        "user",
        "application",
        "reason",
        "status",
        "requested_by",
        "requested_at",
        "decided_by",
        "decided_at",
        "decision_comment",
    ]

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = MembershipRequestAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj is not None else []

    def get_fields(self, request, obj=None):
        return self.readonly_fields if obj is not None else ["carrier", "user", "reason"]

    def has_change_permission(self, request, obj=None) -> bool:
        # Shown read-only; decisions go through the actions, which check the right to decide.
        return False if obj is not None else super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def save_model(self, request, obj, form, change) -> None:
        opened = services.membership_request_open(
            carrier=obj.carrier,
            user=obj.user,
            actor=request.user,
            reason=obj.reason,
        )
        # The admin's message and log entry point at the request opened (or the one already pending).
        obj.pk = opened.pk

    def _decide(self, request, queryset, decide, done: str) -> None:
        count = 0
        for membership in queryset:
            try:
                decide(request=membership, actor=request.user)
            except TransitionRefused as error:
                self.message_user(request, f"{membership} : {' '.join(error.reasons)}", messages.ERROR)
            else:
                count += 1
        if count:
            self.message_user(request, f"{count} demande(s) {done}.", messages.SUCCESS)

    @admin.action(description="Accepter les demandes sélectionnées", permissions=["decide"])
    def approve_requests(self, request, queryset) -> None:
        self._decide(request, queryset, services.membership_request_approve, "acceptée(s)")

    @admin.action(description="Refuser les demandes sélectionnées", permissions=["decide"])
    def refuse_requests(self, request, queryset) -> None:
        self._decide(request, queryset, services.membership_request_refuse, "refusée(s)")

    def has_decide_permission(self, request) -> bool:
        # Who may decide which request is checked per request by its move (permission and guard).
        return request.user.has_perm("mobility.view_carriermembershiprequest")


class ApplicationPartInline(RowsInline):
    """A row of the application's axes: editable on a draft only (submitted, it is under review)."""

    def has_add_permission(self, request, obj=None) -> bool:
        return (obj is None or obj.is_draft) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None) -> bool:
        return (obj is None or obj.is_draft) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return (obj is None or obj.is_draft) and super().has_delete_permission(request, obj)


class NeedInline(ApplicationPartInline):
    model = ApplicationNeed


class StepInline(ApplicationPartInline):
    model = ApplicationStep


class FundingInline(ApplicationPartInline):
    model = ApplicationFunding


class GovernanceInline(ApplicationPartInline):
    model = GovernancePartner


class AnswerInline(ApplicationPartInline):
    """The answers to the call's sections: read-only once the application is submitted."""

    model = ApplicationAnswer


@admin.register(Application)
class ApplicationAdmin(FrenchSearchMixin, admin.ModelAdmin):
    list_display = ["title", "carrier", "call", "status"]
    list_filter = ["status", "call__theme", "call"]
    search_fields = [
        "title",
        "carrier__name",
        "carrier__region__name",
        "created_by__first_name",
        "created_by__last_name",
    ]
    readonly_fields = ["status", "created_by", "submitted_at", "decided_at", "decision_comment"]
    filter_horizontal = ["partners", "existing_services", "services_to_develop"]
    inlines = [AnswerInline, NeedInline, StepInline, FundingInline, GovernanceInline]

    def get_readonly_fields(self, request, obj=None):
        # Submitted, the application is the record the CNML reviews and decides on: frozen.
        if obj is not None and not obj.is_draft:
            return [field.name for field in obj._meta.get_fields() if field.concrete and not field.auto_created] + [
                field.name for field in obj._meta.many_to_many
            ]
        return self.readonly_fields


@admin.register(Review)
class ReviewAdmin(admin.ModelAdmin):
    list_display = ["application", "reviewer", "created_at"]
    readonly_fields = ["application", "reviewer"]

    def has_add_permission(self, request) -> bool:
        # A review is one reviewer's scores, recorded on the application's « Évaluer » page.
        return False


class TargetInline(RowsInline):
    model = Target


class MilestoneInline(RowsInline):
    model = Milestone


class BudgetInline(RowsInline):
    """The approved budget: its planned amounts change by an approved amendment, never here."""

    model = BudgetLine
    readonly_fields = ["funder", "planned_amount"]
    fields = ["funder", "label", "planned_amount", "actual_amount", "status"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class FareInline(admin.StackedInline):
    model = FareSupport
    extra = 0


class SessionInline(RowsInline):
    model = FormationSession


class DocumentInline(RowsInline):
    """Removed here (its file with it, through ``DeletesPrivateFiles``), never added: a document is deposited on
    the project page, where its file is checked and kept privately."""

    model = ProjectDocument
    fields = ["kind", "title", "name", "uploaded_by", "uploaded_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Project)
class ProjectAdmin(DeletesPrivateFiles, FrenchSearchMixin, admin.ModelAdmin):
    list_display = ["title", "carrier", "region", "call", "stage"]
    list_filter = ["stage", "call", "region"]
    search_fields = ["title", "carrier__name", "region__name"]
    readonly_fields = ["application", "call", "stage", "stage_changed_at", "stop_reason"]
    filter_horizontal = ["partners", "existing_services", "services_to_launch"]
    inlines = [FareInline, SessionInline, TargetInline, MilestoneInline, BudgetInline, DocumentInline]
    private_files = "documents__file"


class DeliveryInline(RowsInline):
    model = ServiceDelivery


@admin.register(ActivityReport)
class ActivityReportAdmin(admin.ModelAdmin):
    list_display = ["project", "year", "period", "status"]
    list_filter = ["status", "year", "period"]
    readonly_fields = ["status", "submitted_at", "approved_at", "review_comment", "created_by"]
    inlines = [DeliveryInline]


class RecordOnlyMixin:
    """For the record only: shown here, never added, changed or deleted (the app's pages write it)."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class AmendmentLineInline(ReadOnlyInline):
    model = BudgetAmendmentLine
    fields = ["funder", "label", "planned_before", "planned_after", "budget_line"]
    readonly_fields = fields


@admin.register(BudgetAmendment)
class BudgetAmendmentAdmin(FrenchSearchMixin, RecordOnlyMixin, admin.ModelAdmin):
    """Amendments to approved budgets, for the record: requested and decided on the project page."""

    list_display = ["project", "status", "requested_by", "requested_at", "decided_by", "decided_at"]
    list_filter = ["status"]
    search_fields = ["project__title", "project__carrier__name"]
    list_select_related = ["project", "requested_by", "decided_by"]
    fields = [
        "project",
        "reason",
        "status",
        "requested_by",
        "requested_at",
        "decided_by",
        "decided_at",
        "decision_comment",
    ]
    readonly_fields = fields
    inlines = [AmendmentLineInline]
