"""Objectives: a target for one count indicator, one year and one scope (the nation, a region or a structure).

The seed newsletter sets two national commitments for 2011 (installed by the app's migration):
50 000 young people entering alternance and 20 000 entries in the ANI « décrocheurs » programme.
CNML roles set national and regional objectives; a regional animator splits its region's objective
among its structures (:mod:`dashboard.permissions`). Regional targets need not add up to the
national one: the pages say so rather than refuse them.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from cnml.audit import recorded_by
from cnml.models import Region, Structure
from dashboard.models.snapshots import ScopeKind

__all__ = ["Objective"]

_NATIONAL = Q(scope_kind=ScopeKind.NATIONAL, region__isnull=True, structure__isnull=True)
_REGION = Q(scope_kind=ScopeKind.REGION, region__isnull=False, structure__isnull=True)
_STRUCTURE = Q(scope_kind=ScopeKind.STRUCTURE, region__isnull=True, structure__isnull=False)


class Objective(models.Model):
    indicator = models.CharField(
        "indicateur", max_length=60, help_text="Code d'un indicateur de comptage du registre (par exemple alternance)."
    )
    year = models.PositiveSmallIntegerField(
        "année",
        validators=[MinValueValidator(2000), MaxValueValidator(2100)],
        help_text="Du 1er janvier au 31 décembre.",
    )
    scope_kind = models.CharField("périmètre", max_length=10, choices=ScopeKind.choices)
    region = models.ForeignKey(
        Region, verbose_name="région", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    structure = models.ForeignKey(
        Structure, verbose_name="structure", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    target = models.PositiveIntegerField("objectif", validators=[MinValueValidator(1)], help_text="Nombre de jeunes.")
    source = models.CharField(
        "source",
        max_length=300,
        help_text="Qui a fixé l'objectif, par exemple « Objectif fixé par le président du CNML ».",
    )
    set_by = recorded_by("fixé par")
    set_at = models.DateTimeField("fixé le", default=timezone.now)

    class Meta:
        verbose_name = "objectif"
        verbose_name_plural = "objectifs"
        ordering = ["year", "indicator", "scope_kind", "pk"]
        constraints = [
            models.CheckConstraint(condition=_NATIONAL | _REGION | _STRUCTURE, name="objective_scope_consistent"),
            models.UniqueConstraint(
                fields=["indicator", "year"], condition=Q(scope_kind=ScopeKind.NATIONAL), name="objective_one_national"
            ),
            models.UniqueConstraint(
                fields=["indicator", "year", "region"],
                condition=Q(scope_kind=ScopeKind.REGION),
                name="objective_one_per_region",
            ),
            models.UniqueConstraint(
                fields=["indicator", "year", "structure"],
                condition=Q(scope_kind=ScopeKind.STRUCTURE),
                name="objective_one_per_structure",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator} {self.year} — {self.scope_label} : {self.target}"

    @property
    def scope_label(self) -> str:
        if self.scope_kind == ScopeKind.REGION and self.region_id:
            return self.region.name
        if self.scope_kind == ScopeKind.STRUCTURE and self.structure_id:
            return self.structure.name
        return ScopeKind.NATIONAL.label

    @property
    def scope_code(self) -> str:
        """The scope's code as the snapshots write it (``IndicatorValue.scope_code``)."""
        if self.scope_kind == ScopeKind.REGION and self.region_id:
            return self.region.code
        if self.scope_kind == ScopeKind.STRUCTURE and self.structure_id:
            return self.structure.code
        return ""

    def clean(self) -> None:
        """The scope's link matches its kind (the indicator is checked by the service and the admin form)."""
        errors = {}
        if self.scope_kind == ScopeKind.NATIONAL:
            self.region = self.structure = None
        elif self.scope_kind == ScopeKind.REGION:
            self.structure = None
            if self.region_id is None:
                errors["region"] = "Choisissez la région de l'objectif."
        elif self.scope_kind == ScopeKind.STRUCTURE:
            self.region = None
            if self.structure_id is None:
                errors["structure"] = "Choisissez la structure de l'objectif."
        if errors:
            raise ValidationError(errors)
