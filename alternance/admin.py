"""Admin of the alternance app, for CNML roles: partners, agreements with their commitments and
declinations, yearly results.

An agreement's state is read-only here: it moves through its logged transitions on the follow-up
page (``alternance:follow_up_detail``).
"""

from django.contrib import admin

from alternance.models import Agreement, Commitment, CommitmentResult, LocalDeclination, Partner
from cnml.adminsearch import FrenchSearchMixin


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


@admin.register(Agreement)
class AgreementAdmin(FrenchSearchMixin, admin.ModelAdmin):
    list_display = ["title", "kind", "status", "signed_on"]
    list_filter = ["kind", "status"]
    search_fields = ["title", "summary"]
    readonly_fields = ["status"]
    filter_horizontal = ["signatories"]
    inlines = [CommitmentInline, DeclinationInline]


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
