"""Reads of a recensement: where each region asked stands, and who has not answered yet."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from django.db.models import QuerySet

from cnml.models import Region, Structure, StructureKind
from practices.models import Fiche, Recensement, Status

# The structures a recensement asks: those that write fiches for themselves and their antennes.
ASKED_KINDS = (StructureKind.ML, StructureKind.PAIO)
SUBMITTED = frozenset({Status.SOUMISE, Status.EN_RELECTURE, Status.A_COMPLETER})


@dataclass
class RegionProgress:
    region: Region
    asked: int = 0
    drafted: int = 0
    submitted: int = 0
    published: int = 0
    refused: int = 0
    silent: list[Structure] = field(default_factory=list)


def asked_structures(recensement: Recensement, regions) -> QuerySet[Structure]:
    """The active missions locales and PAIO of ``regions`` the recensement asks."""
    return Structure.objects.filter(region__in=regions, kind__in=ASKED_KINDS, active=True).order_by("name")


def answering_structure_ids(recensement: Recensement) -> set[int]:
    """Structures that sent the recensement at least one fiche (a draft is not an answer), antennes counted
    for their mission locale."""
    sent = recensement.fiches.exclude(status=Status.BROUILLON).values_list("structure_id", "structure__parent_id")
    # A committee's fiche counts in its region's figures but answers for no structure.
    return {parent or structure for structure, parent in sent if structure is not None}


def progress(recensement: Recensement, regions: list[Region]) -> list[RegionProgress]:
    """Per region: structures asked, fiches drafted / submitted / published / refused, structures silent."""
    rows = {region.pk: RegionProgress(region=region) for region in regions}
    counts = Counter(recensement.fiches.filter(region__in=regions).values_list("region_id", "status"))
    for (region_id, status), count in counts.items():
        row = rows[region_id]
        if status == Status.BROUILLON:
            row.drafted += count
        elif status in SUBMITTED:
            row.submitted += count
        elif status == Status.PUBLIEE:
            row.published += count
        elif status == Status.REFUSEE:
            row.refused += count
    answered = answering_structure_ids(recensement)
    for structure in asked_structures(recensement, regions):
        row = rows[structure.region_id]
        row.asked += 1
        if structure.pk not in answered:
            row.silent.append(structure)
    return list(rows.values())


def published_fiches(recensement: Recensement) -> QuerySet[Fiche]:
    """The recensement's published fiches, by region and title: its summary."""
    return (
        recensement.fiches.published()
        .select_related("structure", "committee", "region")
        .prefetch_related("themes")
        .order_by("region__name", "title")
    )
