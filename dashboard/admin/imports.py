"""Admin of extract imports: upload a zip, follow the progress, read the outcome and the quality report.

CNML roles (reviewers and administrators) upload and read; records are never
edited nor deleted. The add page is the upload form: it checks the archive's
zip directory against the limits (nothing decompressed), records the import and
publishes :func:`dashboard.tasks.run_extract_import` once committed
(:func:`dashboard.services.extract_import_submit`; run in the request itself
when Celery is eager, in development). A broker that cannot take it fails the
import with a French reason, shown on its page. While an import runs, its page
polls a small JSON endpoint (``progression/``) from a static script and updates
the rows read per file; it reloads when the import, then the recompute it owes,
is over. The page opens on its outcome and the next step
(:mod:`dashboard.admin.import_status`); every error kept is downloadable as CSV
(``erreurs.csv``). Listing or reading imports marks those no worker finished as
failed (:func:`dashboard.services.extract_import_expire_stale`).
"""

from __future__ import annotations

import zipfile

import tablib
from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.urls import path, reverse

from cnml.formatting import format_duration, format_number
from cnml.spreadsheets import csv_response
from dashboard.admin.import_status import import_alert
from dashboard.importer.limits import inspect_zip
from dashboard.importer.spec import ALL_FILES
from dashboard.models import ExtractImport, ImportStatus, error_sentence
from dashboard.models.snapshots import Snapshot
from dashboard.services import (
    DEFAULT_SOURCE_LABEL,
    STEP_REFUSED,
    extract_import_expire_stale,
    extract_import_submit,
)

FINISHED = (ImportStatus.SUCCEEDED, ImportStatus.FAILED)
# Errors listed on the page; the error CSV has every one kept (dashboard.importer.MAX_ERRORS).
ERRORS_SHOWN = 100
ERROR_CSV_HEADERS = ("fichier", "ligne", "colonne", "valeur", "motif")
# The records' heavy fields (up to MAX_ERRORS errors): read on an import's own page only.
HEAVY_FIELDS = ("error_details", "quality_report")


def validate_zip(archive) -> None:
    """A zip whose directory is within the limits (size, members, names, sizes declared, ratios)."""
    if not zipfile.is_zipfile(archive):
        raise ValidationError(
            "Ce fichier n'est pas une archive zip : déposez un .zip contenant les cinq fichiers CSV.", code="not_zip"
        )
    archive.seek(0)
    label = archive.name
    errors = inspect_zip(archive, label)
    if errors:
        # The archive's own errors read as sentences; a file's keep its name first.
        raise ValidationError(
            [
                f"{error.message[0].upper()}{error.message[1:]}." if error.file == label else f"{error}."
                for error in errors
            ],
            code="archive_limit",
        )


class ExtractUploadForm(forms.ModelForm):
    archive = forms.FileField(
        label="Archive de l'extraction (.zip)",
        help_text=(
            "Les cinq fichiers CSV au format P3-2011 : structures.csv, jeunes.csv, contacts.csv, "
            "situations.csv et dispositifs.csv, à la racine de l'archive ou dans un dossier."
        ),
        validators=[validate_zip],
        widget=forms.ClearableFileInput(attrs={"accept": ".zip,application/zip"}),
    )
    extracted_on = forms.DateField(
        label="Date d'extraction",
        help_text="Date à laquelle l'entrepôt national a été extrait (AAAA-MM-JJ ou JJ/MM/AAAA).",
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    class Meta:
        model = ExtractImport
        fields = ["archive", "extracted_on", "provisional", "source_label"]
        help_texts = {
            "provisional": "Cochez pour des données provisoires : la mention accompagnera chaque chiffre.",
            "source_label": "Source citée sous chaque chiffre publié.",
        }


@admin.register(ExtractImport)
class ExtractImportAdmin(admin.ModelAdmin):
    list_display = (
        "__str__",
        "created_at",
        "created_by",
        "source_label",
        "extracted_on",
        "provisional",
        "status",
        "error_count",
        "duration_display",
    )
    list_filter = ("status", "provisional")
    list_select_related = ("created_by",)
    date_hierarchy = "created_at"
    change_form_template = "admin/dashboard/extractimport/change_form.html"
    add_form_template = "admin/dashboard/extractimport/upload_form.html"
    fieldsets = (
        (
            "Extraction",
            {
                "fields": (
                    "source_label",
                    "extracted_on",
                    "first_contact_on",
                    "has_certification",
                    "provisional",
                    "path",
                    "created_by",
                    "created_at",
                )
            },
        ),
        ("Déroulement", {"fields": ("status", "step", "progress", "started_at", "finished_at", "duration_display")}),
        ("Erreurs", {"fields": ("error_report",)}),
        ("Qualité des données", {"fields": ("quality_display",)}),
    )
    # An import record is written by the import only: every field shown is read-only.
    readonly_fields = tuple(name for _, options in fieldsets for name in options["fields"])

    # --- permissions: CNML roles, through their role ---------------------------------------

    @staticmethod
    def _is_cnml(request: HttpRequest) -> bool:
        user = request.user
        return bool(user.is_active and getattr(user, "is_national", False))

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._is_cnml(request)

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return self._is_cnml(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self._is_cnml(request)

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    # --- the upload page ---------------------------------------------------------------------

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = ExtractUploadForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return ((None, {"fields": ("archive", "extracted_on", "provisional", "source_label")}),)
        return super().get_fieldsets(request, obj)

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else self.readonly_fields

    def get_changeform_initial_data(self, request):
        return {"source_label": DEFAULT_SOURCE_LABEL}

    def add_view(self, request, form_url="", extra_context=None):
        extra_context = {**(extra_context or {}), "title": "Importer une extraction de l'entrepôt national"}
        response = super().add_view(request, form_url, extra_context)
        submitted = getattr(request, "extract_import_submitted", None)
        if submitted is not None:
            self._message_submitted(request, submitted)
        return response

    def save_model(self, request, obj, form, change):
        if change:  # records are read-only
            raise PermissionDenied
        data = form.cleaned_data
        created = extract_import_submit(
            archive=data["archive"],
            extracted_on=data["extracted_on"],
            provisional=data["provisional"],
            source_label=data["source_label"],
            created_by=request.user,
        )
        obj.pk = created.pk
        obj.refresh_from_db()
        request.extract_import_submitted = obj.pk

    def response_add(self, request, obj, post_url_continue=None):
        # The task is published once the admin's transaction commits, after this: add_view says how it went.
        return HttpResponseRedirect(reverse("admin:dashboard_extractimport_change", args=[obj.pk]))

    def _message_submitted(self, request: HttpRequest, pk: int) -> None:
        """Only the deposit: the import's outcome and next step open its page (``import_alert``).

        Never a green « lancé » for an import that is not running: a failure says so in red at
        the top of the page, whatever the moment it happened.
        """
        if ExtractImport.objects.filter(pk=pk).values_list("status", flat=True).first() != ImportStatus.FAILED:
            self.message_user(request, "Extraction déposée.", messages.INFO)

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        # The list reads no error: not megabytes of them per import.
        return queryset if getattr(request, "reads_one_import", False) else queryset.defer(*HEAVY_FIELDS)

    def changelist_view(self, request, extra_context=None):
        extract_import_expire_stale()
        return super().changelist_view(request, extra_context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extract_import_expire_stale()
        request.reads_one_import = True
        extract_import = self.get_object(request, object_id)
        if extract_import is not None and self.has_view_permission(request, extract_import):
            extra_context = {
                **(extra_context or {}),
                "import_alert": import_alert(extract_import, may_validate=Snapshot.user_may_validate(request.user)),
            }
        return super().change_view(request, object_id, form_url, extra_context)

    # --- progress (JSON, polled by static/dashboard/admin/import-progress.js) ----------------

    def get_urls(self):
        urls = [
            path(
                "<int:pk>/progression/",
                self.admin_site.admin_view(self.progress_view),
                name="dashboard_extractimport_progress",
            ),
            path(
                "<int:pk>/erreurs.csv",
                self.admin_site.admin_view(self.errors_csv_view),
                name="dashboard_extractimport_errors_csv",
            ),
        ]
        return urls + super().get_urls()

    def errors_csv_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """Every error kept, one row each: file, line, column, value, reason (French CSV, ``;``, BOM)."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        rows = get_object_or_404(ExtractImport.objects.only("error_details"), pk=pk).error_details
        dataset = tablib.Dataset(*[tuple(row) for row in rows], headers=ERROR_CSV_HEADERS)
        return csv_response(dataset, filename=f"import-{pk}-erreurs.csv")

    def progress_view(self, request: HttpRequest, pk: int) -> JsonResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        extract_import_expire_stale()
        extract_import = get_object_or_404(ExtractImport.objects.defer(*HEAVY_FIELDS), pk=pk)
        return JsonResponse(
            {
                "status": extract_import.status,
                "status_label": extract_import.get_status_display(),
                "step": extract_import.step if extract_import.status not in FINISHED else "recalcul des indicateurs",
                # Over when the page has something new to say: the import's end, then its recompute's. A
                # failed one is over at once (its alert would read the deferred errors to say so).
                "finished": extract_import.status == ImportStatus.FAILED
                or not import_alert(extract_import, may_validate=False).following,
                "rows": {name: format_number(extract_import.row_counts.get(name)) for name in ALL_FILES},
            }
        )

    # --- read-only fields --------------------------------------------------------------------

    @admin.display(description="durée")
    def duration_display(self, obj: ExtractImport) -> str:
        return format_duration(obj.duration)

    @admin.display(description="lignes lues par fichier")
    def progress(self, obj: ExtractImport) -> str:
        following = import_alert(obj, may_validate=False).following
        url = reverse("admin:dashboard_extractimport_progress", args=[obj.pk]) if following else ""
        return render_to_string(
            "admin/dashboard/extractimport/progress.html",
            {"rows": [(name, format_number(obj.row_counts.get(name))) for name in ALL_FILES], "progress_url": url},
        )

    @admin.display(description="rapport d'erreurs")
    def error_report(self, obj: ExtractImport) -> str:
        if not obj.error_count:
            return "Aucune erreur." if obj.status in FINISHED else "–"
        # Sentences for the errors shown only: up to MAX_ERRORS rows are kept (the CSV has them all).
        errors = [error_sentence(row) for row in obj.error_details[:ERRORS_SHOWN]]
        shown = len(errors)
        return render_to_string(
            "admin/dashboard/extractimport/errors.html",
            {
                "errors": errors,
                "count": obj.error_count,
                "total": format_number(obj.error_count),
                "shown": format_number(shown),
                "more": obj.error_count > shown,
                "kept": format_number(len(obj.error_details)),
                "csv_url": reverse("admin:dashboard_extractimport_errors_csv", args=[obj.pk])
                if obj.errors_in_files
                else "",
                # Errors in the files (else: the import did not run, or stopped; the message says why).
                "in_files": obj.step == STEP_REFUSED,
            },
        )

    @admin.display(description="rapport de qualité")
    def quality_display(self, obj: ExtractImport) -> str:
        report = obj.quality_report or {}
        if not report:
            return "–"
        rejected = report.get("rejected", {})
        sections = []
        for key, section in (report.get("snapshot_checks") or {}).items():
            rows = section.get("rows") or []
            columns = list(rows[0]) if rows else []
            sections.append(
                {
                    "key": key,
                    "label": section.get("label", key),
                    "columns": columns,
                    "rows": [[_cell(row.get(column)) for column in columns] for row in rows],
                }
            )
        return render_to_string(
            "admin/dashboard/extractimport/quality_report.html",
            {
                "rejected_total": format_number(rejected.get("total", 0)),
                "rejected": [
                    (reason["label"], format_number(reason["count"])) for reason in rejected.get("by_reason", [])
                ],
                "suspicious": [
                    (item["label"], item.get("file", ""), format_number(item["count"]))
                    for item in report.get("suspicious", [])
                ],
                "has_suspicious": "suspicious" in report,
                "structures_without_data": report.get("structures_without_data"),
                "sections": sections,
            },
        )


def _cell(value) -> str:
    if isinstance(value, bool) or value is None:
        return {True: "oui", False: "non", None: "–"}[value]
    if isinstance(value, int | float):
        return format_number(value, 0 if float(value).is_integer() else 1)
    return str(value)
