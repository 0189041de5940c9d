from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import UserCreationForm as BaseUserCreationForm
from import_export.admin import ImportExportModelAdmin

import cnml.admin_libraries  # noqa: F401 - the libraries' admins, in French and searching the same way
from cnml import outbox
from cnml.adminsearch import FrenchSearchMixin
from cnml.formatting import format_count
from cnml.models import Committee, OutboxMessage, Region, Structure, User, WorkerProbe
from cnml.resources import RegionResource, StructureResource


class ReadOnlyInline(admin.TabularInline):
    """Rows shown on their owner's admin page for the record, never added, changed or deleted there: the app's
    pages write them. A column computed by a method goes in ``readonly_fields``."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Region)
class RegionAdmin(FrenchSearchMixin, ImportExportModelAdmin):
    resource_classes = [RegionResource]
    list_display = ("code", "name")
    search_fields = ("code", "name")


@admin.register(Structure)
class StructureAdmin(FrenchSearchMixin, ImportExportModelAdmin):
    resource_classes = [StructureResource]
    list_display = ("code", "name", "kind", "region", "parent", "active")
    list_filter = ("kind", "region", "active")
    search_fields = ("code", "name", "region__name")
    list_select_related = ("region", "parent")
    autocomplete_fields = ("parent",)


class UserCreationForm(BaseUserCreationForm):
    class Meta:
        model = User
        fields = ("email", "first_name", "last_name", "structure", "role")


@admin.register(User)
class UserAdmin(FrenchSearchMixin, BaseUserAdmin):
    add_form = UserCreationForm
    ordering = ("email",)
    list_display = ("email", "first_name", "last_name", "role", "structure", "is_active", "last_login")
    list_filter = ("role", "is_active", "structure__region")
    search_fields = (
        "email",
        "first_name",
        "last_name",
        "structure__code",
        "structure__name",
        "structure__region__name",
    )
    list_select_related = ("structure",)
    autocomplete_fields = ("structure",)
    readonly_fields = ("last_login", "date_joined", "is_staff")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Identité", {"fields": ("first_name", "last_name")}),
        ("Rattachement et rôle", {"fields": ("structure", "role", "is_active", "is_staff")}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("email", "first_name", "last_name", "structure", "role", "password1", "password2"),
            },
        ),
    )
    filter_horizontal = ()


@admin.register(Committee)
class CommitteeAdmin(FrenchSearchMixin, admin.ModelAdmin):
    """The only place where membership of a comité de pilotage is granted (nobody joins by themselves)."""

    list_display = ("name", "level", "region", "territory", "active")
    list_filter = ("level", "region", "active")
    search_fields = ("name", "territory", "region__name")
    list_select_related = ("region",)
    autocomplete_fields = ("structures", "members")


@admin.register(WorkerProbe)
class WorkerProbeAdmin(admin.ModelAdmin):
    list_display = ("id", "created_at", "completed_at", "worker_hostname")
    readonly_fields = ("created_at", "completed_at", "worker_hostname")


class OutboxStateFilter(admin.SimpleListFilter):
    title = "état"
    parameter_name = "etat"

    def lookups(self, request, model_admin):
        return [("en_attente", "En attente"), ("fait", "Fait"), ("abandonne", "Abandonné")]

    def queryset(self, request, queryset):
        if self.value() == "en_attente":
            return queryset.filter(done_at__isnull=True, failed_at__isnull=True)
        if self.value() == "fait":
            return queryset.filter(done_at__isnull=False)
        if self.value() == "abandonne":
            return queryset.filter(done_at__isnull=True, failed_at__isnull=False)
        return queryset


@admin.register(OutboxMessage)
class OutboxMessageAdmin(FrenchSearchMixin, admin.ModelAdmin):
    """Owed work, for the operator: what waits, what was done, what was abandoned and why.

    Read-only, and without the arguments: an e-mail's body may hold a password-reset link.
    """

    list_display = ("id", "task", "state", "created_at", "dispatched_at", "done_at", "attempts")
    list_filter = (OutboxStateFilter, "task")
    # The request id of a log line finds the work that request owed (cnml/requestid.py).
    search_fields = ("task", "last_error", "=request_id")
    fields = (
        "task",
        "key",
        "request_id",
        "created_at",
        "due_at",
        "dispatched_at",
        "started_at",
        "done_at",
        "failed_at",
        "attempts",
        "last_error",
    )
    readonly_fields = fields
    actions = ["revive"]

    @admin.display(description="état")
    def state(self, message: OutboxMessage) -> str:
        if message.done_at:
            return "Fait"
        return "Abandonné" if message.failed_at else "En attente"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def has_revive_permission(self, request) -> bool:
        return request.user.has_perm("cnml.change_outboxmessage")

    @admin.action(description="Remettre en attente les travaux abandonnés sélectionnés", permissions=["revive"])
    def revive(self, request, queryset) -> None:
        revived = outbox.revive_abandoned(ids=list(queryset.values_list("pk", flat=True)))
        self.message_user(
            request,
            f"{format_count(revived, 'travail remis', 'travaux remis').capitalize()} en attente.",
            messages.SUCCESS,
        )
