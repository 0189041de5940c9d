"""Admin of the alternance app, for CNML roles: partners, agreements with their commitments and
declinations, yearly results.

An agreement's state is read-only here: it moves through its logged transitions on the follow-up
page (``alternance:follow_up_detail``), where its documents are deposited too (they are listed here,
with their download link).
"""

from django.contrib import admin
from django.utils.html import format_html

from alternance.models import (
    Agreement,
    AgreementDocument,
    Commitment,
    CommitmentResult,
    LocalDeclination,
    Partner,
)
from cnml.admin import ReadOnlyInline
from cnml.adminsearch import FrenchSearchMixin
from cnml.uploads import DeletesPrivateFiles


@admin.register(Partner)
class PartnerAdmin(FrenchSearchMixin, admin.ModelAdmin):
    list_display = ["name", "kind", "sector"]
    list_filter = ["kind"]
    search_fields = ["name", "sector"]


class CommitmentInline(admin.TabularInline):
    model = Commitment
    extra = 0


class DeclinationInline(admin.TabularInline):
    model = LocalDeclination
    extra = 0
    autocomplete_fields = ["structure"]


class DocumentInline(ReadOnlyInline):
    """Read-only: a document is deposited on the follow-up page, where its file is checked and kept privately."""

    model = AgreementDocument
    verbose_name_plural = "documents (déposés et retirés depuis la page de suivi de l'accord)"
    fields = ("title", "kind", "download", "uploaded_by", "uploaded_at")
    readonly_fields = fields

    @admin.display(description="fichier")
    def download(self, document: AgreementDocument) -> str:
        return format_html('<a href="{}">{}</a>', document.get_absolute_url(), document.name)


@admin.register(Agreement)
class AgreementAdmin(DeletesPrivateFiles, FrenchSearchMixin, admin.ModelAdmin):
    list_display = ["title", "kind", "status", "signed_on"]
    list_filter = ["kind", "status"]
    search_fields = ["title", "summary"]
    readonly_fields = ["status"]
    filter_horizontal = ["signatories"]
    inlines = [CommitmentInline, DeclinationInline, DocumentInline]
    private_files = "documents__file"


@admin.register(LocalDeclination)
class LocalDeclinationAdmin(FrenchSearchMixin, admin.ModelAdmin):
    list_display = ["agreement", "region", "structure", "declined_on"]
    list_filter = ["region"]
    list_select_related = ["agreement", "region", "structure"]
    search_fields = ["agreement__title", "structure__name", "region__name"]
    autocomplete_fields = ["structure"]


@admin.register(CommitmentResult)
class CommitmentResultAdmin(admin.ModelAdmin):
    list_display = ["commitment", "declination", "year", "achieved"]
    list_filter = ["year"]
    list_select_related = ["commitment", "declination__agreement", "declination__region", "declination__structure"]
