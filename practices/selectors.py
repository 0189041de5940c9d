"""Reads of the practices app: the catalogue, an author's fiches, a reviewer's queue, versions."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet

from cnml.audit import TransitionLog, pending_send_back
from cnml.models import Region
from cnml.querysets import filter_given
from practices import permissions
from practices.models import REVIEW_STATES, Fiche, FicheVersion, PartnerKind, Status, Theme
from practices.search import search
from practices.versions import FieldChange, compare


@dataclass(frozen=True)
class CatalogueFilters:
    query: str = ""
    theme: Theme | None = None
    region: Region | None = None
    partner: str = ""
    year: int | None = None

    @property
    def active(self) -> bool:
        return bool(self.query or self.theme or self.region or self.partner or self.year)


def _with_cards(queryset: QuerySet[Fiche]) -> QuerySet[Fiche]:
    return queryset.select_related("structure", "committee", "region").prefetch_related(
        Prefetch("themes", queryset=Theme.objects.order_by("position", "name"))
    )


def catalogue(filters: CatalogueFilters) -> QuerySet[Fiche]:
    """Published fiches matching the filters: most relevant first when searching, else newest first."""
    fiches = filter_given(
        Fiche.objects.published(),
        themes=filters.theme,
        region=filters.region,
        partners__kind=filters.partner,
        published_at__year=filters.year,
    )
    if filters.theme or filters.partner:
        fiches = Fiche.objects.filter(pk__in=fiches.values("pk"))
    fiches = search(fiches, filters.query) if filters.query else fiches.order_by("-published_at", "-pk")
    return _with_cards(fiches)


def catalogue_choices() -> dict:
    """What the catalogue's filters offer: only values some published fiche carries."""
    published = Fiche.objects.published()
    partner_kinds = set(published.values_list("partners__kind", flat=True))
    return {
        "themes": Theme.objects.filter(fiches__in=published).distinct().order_by("position", "name"),
        "regions": Region.objects.filter(fiches__in=published).distinct().order_by("name"),
        "partners": [(value, label) for value, label in PartnerKind.choices if value in partner_kinds],
        "years": sorted({date.year for date in published.dates("published_at", "year")}, reverse=True),
    }


def author_fiches(user) -> QuerySet[Fiche]:
    """The fiches of the structures the user writes for, whatever their state."""
    return _with_cards(permissions.authored_fiches(user).order_by("-updated_at", "-pk"))


def review_queue(user, *, include_all: bool = False) -> QuerySet[Fiche]:
    """Fiches waiting for the user's review, overdue first (``include_all``: every state but drafts)."""
    fiches = permissions.reviewable_fiches(user)
    if not include_all:
        fiches = fiches.filter(status__in=REVIEW_STATES)
    return fiches.select_related("structure", "committee", "region", "reviewer").queue_order()


def fiche_versions(fiche: Fiche) -> list[FicheVersion]:
    return list(fiche.versions.select_related("created_by").order_by("number"))


def version_changes(fiche: Fiche, before: int | None = None, after: int | None = None):
    """(older version, newer version, changes) between two submissions; the last two by default."""
    versions = {version.number: version for version in fiche_versions(fiche)}
    if len(versions) < 2:
        return None, None, []
    numbers = sorted(versions)
    if after not in versions:
        after = numbers[-1]
    if before not in versions or before == after:
        earlier = [number for number in numbers if number < after]
        before = earlier[-1] if earlier else next(number for number in numbers if number != after)
    older, newer = versions[before], versions[after]
    changes: list[FieldChange] = compare(older.content, newer.content)
    return older, newer, changes


def changes_requested(fiche: Fiche) -> TransitionLog | None:
    """The reviewer's request (who, when, the comment) while the fiche waits for its authors to complete it."""
    if fiche.pk is None or fiche.status != Status.A_COMPLETER:
        return None
    return pending_send_back(fiche, back_to=Status.A_COMPLETER)
