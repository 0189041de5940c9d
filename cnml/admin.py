from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import UserCreationForm as BaseUserCreationForm
from import_export.admin import ImportExportModelAdmin

from cnml.models import Region, Structure, User, WorkerProbe
from cnml.resources import RegionResource, StructureResource


@admin.register(Region)
class RegionAdmin(ImportExportModelAdmin):
    resource_classes = [RegionResource]
    list_display = ("code", "name")
    search_fields = ("code", "name")


@admin.register(Structure)
class StructureAdmin(ImportExportModelAdmin):
    resource_classes = [StructureResource]
    list_display = ("code", "name", "kind", "region", "parent", "active")
    list_filter = ("kind", "region", "active")
    search_fields = ("code", "name")
    list_select_related = ("region", "parent")
    autocomplete_fields = ("parent",)


class UserCreationForm(BaseUserCreationForm):
    class Meta:
        model = User
        fields = ("email", "first_name", "last_name", "structure", "role")


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    add_form = UserCreationForm
    ordering = ("email",)
    list_display = ("email", "first_name", "last_name", "role", "structure", "is_active", "last_login")
    list_filter = ("role", "is_active", "structure__region")
    search_fields = ("email", "first_name", "last_name", "structure__code", "structure__name")
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


@admin.register(WorkerProbe)
class WorkerProbeAdmin(admin.ModelAdmin):
    list_display = ("id", "created_at", "completed_at", "worker_hostname")
    readonly_fields = ("created_at", "completed_at", "worker_hostname")
