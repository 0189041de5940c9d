"""Admin of the mobility app: the services and funders catalogues, carriers and their members.

Workflow states (call, application, project, report) are read-only here: they move only
through their guarded, logged transitions in the pages of the app.
"""

from django.contrib import admin

from mobility.models import (
    ActivityReport,
    Application,
    ApplicationFunding,
    ApplicationNeed,
    ApplicationStep,
    BudgetLine,
    Call,
    Carrier,
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
class ServiceAdmin(admin.ModelAdmin):
    list_display = ["name", "unit", "order", "active"]
    list_editable = ["order", "active"]
    prepopulated_fields = {"code": ["name"]}
    search_fields = ["name", "code"]


@admin.register(Funder)
class FunderAdmin(admin.ModelAdmin):
    list_display = ["name", "order"]
    list_editable = ["order"]
    search_fields = ["name"]


class CriterionInline(admin.TabularInline):
    model = SelectionCriterion
    extra = 0


@admin.register(Call)
class CallAdmin(admin.ModelAdmin):
    list_display = ["year", "title", "opens_on", "closes_on", "status"]
    readonly_fields = ["status", "published_at", "created_by"]
    filter_horizontal = ["funders"]
    inlines = [CriterionInline]


@admin.register(Carrier)
class CarrierAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "region", "structure"]
    list_filter = ["kind", "region"]
    search_fields = ["name"]
    autocomplete_fields = ["members"]
    raw_id_fields = ["structure"]


class NeedInline(admin.TabularInline):
    model = ApplicationNeed
    extra = 0


class StepInline(admin.TabularInline):
    model = ApplicationStep
    extra = 0


class FundingInline(admin.TabularInline):
    model = ApplicationFunding
    extra = 0


class GovernanceInline(admin.TabularInline):
    model = GovernancePartner
    extra = 0


@admin.register(Application)
class ApplicationAdmin(admin.ModelAdmin):
    list_display = ["title", "carrier", "call", "status"]
    list_filter = ["status", "call"]
    search_fields = ["title", "carrier__name"]
    readonly_fields = ["status", "created_by", "submitted_at", "decided_at", "decision_comment"]
    filter_horizontal = ["partners", "existing_services", "services_to_develop"]
    inlines = [NeedInline, StepInline, FundingInline, GovernanceInline]


@admin.register(Review)
class ReviewAdmin(admin.ModelAdmin):
    list_display = ["application", "reviewer", "created_at"]
    readonly_fields = ["application", "reviewer"]


class TargetInline(admin.TabularInline):
    model = Target
    extra = 0


class MilestoneInline(admin.TabularInline):
    model = Milestone
    extra = 0


class BudgetInline(admin.TabularInline):
    model = BudgetLine
    extra = 0


class FareInline(admin.StackedInline):
    model = FareSupport
    extra = 0


class SessionInline(admin.TabularInline):
    model = FormationSession
    extra = 0


class DocumentInline(admin.TabularInline):
    model = ProjectDocument
    extra = 0
    fields = ["kind", "title", "uploaded_by", "uploaded_at"]
    readonly_fields = ["kind", "title", "uploaded_by", "uploaded_at"]
    can_delete = True


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ["title", "carrier", "region", "call", "stage"]
    list_filter = ["stage", "call", "region"]
    search_fields = ["title", "carrier__name"]
    readonly_fields = ["application", "call", "stage", "stage_changed_at", "stop_reason"]
    filter_horizontal = ["partners", "existing_services", "services_to_launch"]
    inlines = [FareInline, SessionInline, TargetInline, MilestoneInline, BudgetInline, DocumentInline]


class DeliveryInline(admin.TabularInline):
    model = ServiceDelivery
    extra = 0


@admin.register(ActivityReport)
class ActivityReportAdmin(admin.ModelAdmin):
    list_display = ["project", "year", "period", "status"]
    list_filter = ["status", "year", "period"]
    readonly_fields = ["status", "submitted_at", "approved_at", "review_comment", "created_by"]
    inlines = [DeliveryInline]
