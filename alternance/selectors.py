"""Reads of the alternance app, scope applied by :mod:`alternance.permissions`."""

from __future__ import annotations

from dataclasses import dataclass

import tablib
from django.db.models import Count, Prefetch, QuerySet

from alternance import permissions
from alternance.models import (
    Agreement,
    AgreementDocument,
    Commitment,
    CommitmentResult,
    LocalDeclination,
)


def public_list() -> QuerySet[Agreement]:
    return (
        permissions.public_agreements()
        .prefetch_related("signatories")
        .annotate(region_count=Count("declinations__region", distinct=True))
    )


def public_declinations(agreement: Agreement) -> QuerySet[LocalDeclination]:
    return agreement.declinations.select_related("region", "structure")


def follow_up_list(user) -> QuerySet[Agreement]:
    return permissions.followed_agreements(user).prefetch_related("signatories").order_by("status", "title")


@dataclass(frozen=True)
class YearRow:
    year: int
    # One value per commitment of the agreement, in their order; None when nothing was entered.
    values: list[int | None]


@dataclass(frozen=True)
class DeclinationFollowUp:
    declination: LocalDeclination
    years: list[YearRow]


@dataclass(frozen=True)
class FollowUp:
    commitments: list[Commitment]
    declinations: list[DeclinationFollowUp]
    # Year by year, each commitment's results summed over ``declinations`` (those the user follows:
    # the whole agreement for CNML roles, the region's share for its animator).
    totals: list[YearRow]


def _totals(commitments: list[Commitment], declinations: list[DeclinationFollowUp]) -> list[YearRow]:
    by_year: dict[int, list[int | None]] = {}
    for row in declinations:
        for year in row.years:
            sums = by_year.setdefault(year.year, [None] * len(commitments))
            for index, value in enumerate(year.values):
                if value is not None:
                    sums[index] = (sums[index] or 0) + value
    return [YearRow(year, values) for year, values in sorted(by_year.items(), reverse=True)]


def follow_up(agreement: Agreement, user) -> FollowUp:
    """The agreement's commitments, for each declination ``user`` follows its results year by year, and
    their sums per year."""
    commitments = list(agreement.commitments.all())
    declinations = (
        permissions.followed_declinations(user)
        .filter(agreement=agreement)
        .select_related("region", "structure")
        .prefetch_related(Prefetch("results", queryset=CommitmentResult.objects.order_by("-year")))
    )
    rows = []
    for declination in declinations:
        by_year: dict[int, dict[int, int]] = {}
        for result in declination.results.all():
            by_year.setdefault(result.year, {})[result.commitment_id] = result.achieved
        years = [
            YearRow(year, [values.get(commitment.pk) for commitment in commitments])
            for year, values in sorted(by_year.items(), reverse=True)
        ]
        rows.append(DeclinationFollowUp(declination, years))
    return FollowUp(commitments, rows, _totals(commitments, rows))


def results_of(declination: LocalDeclination, year: int) -> dict[int, int]:
    """commitment id -> achieved, for ``year``."""
    return dict(declination.results.filter(year=year).values_list("commitment_id", "achieved"))


def public_documents(agreement: Agreement) -> QuerySet[AgreementDocument]:
    """The signed text and annexes of a public agreement."""
    return agreement.documents.public()


def follow_up_documents(agreement: Agreement) -> QuerySet[AgreementDocument]:
    """Every document of an agreement its follower reads, with who deposited it and whether it is public."""
    return agreement.documents.with_public_flag().select_related("uploaded_by")


RESULT_HEADERS = ["Région", "Mission locale", "Année", "Engagement", "Nature", "Objectif", "Réalisé"]
TOTAL_HEADERS = ["Année", "Engagement", "Nature", "Objectif", "Réalisé"]


def follow_up_book(agreement: Agreement, user) -> tablib.Databook:
    """The follow-up as a workbook: a line per declination, year and commitment; then the totals per year."""
    data = follow_up(agreement, user)
    results = tablib.Dataset(headers=RESULT_HEADERS, title="Résultats par déclinaison")
    for row in data.declinations:
        declination = row.declination
        where = declination.structure.name if declination.structure_id else "Toute la région"
        for year in row.years:
            for commitment, value in zip(data.commitments, year.values, strict=True):
                if value is not None:
                    results.append(
                        [
                            declination.region.name,
                            where,
                            year.year,
                            str(commitment),
                            commitment.get_kind_display(),
                            commitment.target,
                            value,
                        ]
                    )
    totals = tablib.Dataset(headers=TOTAL_HEADERS, title="Totaux par année")
    for year in data.totals:
        for commitment, value in zip(data.commitments, year.values, strict=True):
            if value is not None:
                totals.append([year.year, str(commitment), commitment.get_kind_display(), commitment.target, value])
    return tablib.Databook([results, totals])
