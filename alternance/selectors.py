"""Reads of the alternance app, scope applied by :mod:`alternance.permissions`."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Prefetch, QuerySet

from alternance import permissions
from alternance.models import Agreement, Commitment, CommitmentResult, LocalDeclination


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


def follow_up(agreement: Agreement, user) -> tuple[list[Commitment], list[DeclinationFollowUp]]:
    """The agreement's commitments and, for each declination ``user`` follows, its results year by year."""
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
    return commitments, rows


def results_of(declination: LocalDeclination, year: int) -> dict[int, int]:
    """commitment id -> achieved, for ``year``."""
    return dict(declination.results.filter(year=year).values_list("commitment_id", "achieved"))
