"""Reads of a recensement: where each region and each committee asked stands, and who has not answered yet.

A region's figures count the fiches of its structures; a committee's fiches count in the committee's row
(a committee answers for no structure, a structure for no committee).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from django.db.models import QuerySet

from cnml.models import Committee, Region, Structure, StructureKind, User
from practices.models import Fiche, Recensement, Status
from practices.permissions import committee_writers

# The structures a recensement asks: those that write fiches for themselves and their antennes.
ASKED_KINDS = (StructureKind.ML, StructureKind.PAIO)
SUBMITTED = frozenset({Status.SOUMISE, Status.EN_RELECTURE, Status.A_COMPLETER})


@dataclass
class Counts:
    drafted: int = 0
    submitted: int = 0
    published: int = 0
    refused: int = 0
    sent: int = 0  # every fiche past its draft, archived ones included: the answers

    def add(self, status: str, count: int) -> None:
        if status != Status.BROUILLON:
            self.sent += count
        if status == Status.BROUILLON:
            self.drafted += count
        elif status in SUBMITTED:
            self.submitted += count
        elif status == Status.PUBLIEE:
            self.published += count
        elif status == Status.REFUSEE:
            self.refused += count


@dataclass
class RegionProgress(Counts):
    region: Region | None = None
    asked: int = 0
    silent: list[Structure] = field(default_factory=list)


@dataclass
class CommitteeProgress(Counts):
    committee: Committee | None = None
    # The members who write for it (reminded while it has not answered).
    members: list[User] = field(default_factory=list)

    @property
    def answered(self) -> bool:
        return self.sent > 0


def asked_structures(recensement: Recensement, regions) -> QuerySet[Structure]:
    """The active missions locales and PAIO of ``regions`` the recensement asks."""
    return Structure.objects.filter(region__in=regions, kind__in=ASKED_KINDS, active=True).order_by("name")


def _answering_structure_ids(recensement: Recensement) -> set[int]:
    """Structures that sent the recensement at least one fiche (a draft is not an answer), antennes counted
    for their mission locale."""
    sent = recensement.fiches.exclude(status=Status.BROUILLON).values_list("structure_id", "structure__parent_id")
    # A committee's fiche answers for the committee, not for a structure.
    return {parent or structure for structure, parent in sent if structure is not None}


def progress(recensement: Recensement, regions: list[Region]) -> list[RegionProgress]:
    """Per region: structures asked, fiches drafted / submitted / published / refused, structures silent (the
    page's figures and the reminder's recipients)."""
    rows = {region.pk: RegionProgress(region=region) for region in regions}
    fiches = recensement.fiches.filter(region__in=regions, committee__isnull=True)
    for (region_id, status), count in Counter(fiches.values_list("region_id", "status")).items():
        rows[region_id].add(status, count)
    answered = _answering_structure_ids(recensement)
    for structure in asked_structures(recensement, regions):
        row = rows[structure.region_id]
        row.asked += 1
        if structure.pk not in answered:
            row.silent.append(structure)
    return list(rows.values())


def committee_progress(recensement: Recensement, committees: list[Committee]) -> list[CommitteeProgress]:
    """Per committee asked: its fiches drafted / submitted / published / refused, and its writing members."""
    rows = {committee.pk: CommitteeProgress(committee=committee) for committee in committees}
    fiches = recensement.fiches.filter(committee__in=committees)
    for (committee_id, status), count in Counter(fiches.values_list("committee_id", "status")).items():
        rows[committee_id].add(status, count)
    memberships = (
        committee_writers()
        .filter(committee__in=committees)
        .select_related("user")
        .order_by("user__last_name", "user__first_name", "user__email")
    )
    for membership in memberships:
        rows[membership.committee_id].members.append(membership.user)
    return list(rows.values())


def published_fiches(recensement: Recensement) -> QuerySet[Fiche]:
    """The recensement's published fiches, by region and title: its summary."""
    return (
        recensement.fiches.published()
        .select_related("structure", "committee", "region")
        .prefetch_related("themes")
        .order_by("region__name", "title")
    )
