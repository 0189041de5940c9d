"""Writes of objectives: setting one, and an animator's split of its region's objective among its structures.

Each write checks :func:`dashboard.permissions.may_set_objective` and records who set the
objective and when (``set_by``, ``set_at``).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from cnml.models import Region, Structure
from dashboard import indicators as registry
from dashboard import permissions
from dashboard.models.objectives import Objective
from dashboard.models.snapshots import ScopeKind

REFUSED = "Vous ne pouvez pas fixer cet objectif."


def _scope_lookup(scope_kind: str, region: Region | None, structure: Structure | None) -> dict:
    if scope_kind == ScopeKind.REGION:
        return {"region": region, "structure": None}
    if scope_kind == ScopeKind.STRUCTURE:
        return {"region": None, "structure": structure}
    return {"region": None, "structure": None}


@transaction.atomic
def objective_set(
    *,
    user,
    indicator: str,
    year: int,
    scope_kind: str,
    target: int,
    source: str,
    region: Region | None = None,
    structure: Structure | None = None,
) -> Objective:
    """Create or change the objective of (indicator, year, scope); refused (PermissionDenied) out of the user's rights."""
    if not permissions.may_set_objective(user, scope_kind=scope_kind, region=region, structure=structure):
        raise PermissionDenied(REFUSED)
    known = registry.REGISTRY.get(indicator)
    if known is None or known.is_rate:
        raise ValidationError(
            {"indicator": f"« {indicator} » n'est pas un indicateur de comptage : un objectif est un nombre de jeunes."}
        )
    lookup = {
        "indicator": indicator,
        "year": year,
        "scope_kind": scope_kind,
        **_scope_lookup(scope_kind, region, structure),
    }
    objective = Objective.objects.select_for_update().filter(**lookup).first() or Objective(**lookup)
    objective.target = target
    objective.source = source
    objective.set_by = user
    objective.set_at = timezone.now()
    objective.full_clean()
    objective.save()
    return objective


@transaction.atomic
def objectives_split(
    *, user, region: Region, indicator: str, year: int, targets: dict[Structure, int | None], source: str
) -> list[Objective]:
    """The objectives of ``region``'s structures for (indicator, year): set where a target is given, removed where not.

    Only for a structure of ``region`` that ``user`` may set (the animator of the region, CNML roles).
    Unchanged objectives are left as they are (same target: who set them stays).
    """
    kept = []
    for structure, target in targets.items():
        if structure.region_id != region.pk or not permissions.may_set_objective(
            user, scope_kind=ScopeKind.STRUCTURE, structure=structure
        ):
            raise PermissionDenied(REFUSED)
        current = Objective.objects.filter(
            indicator=indicator, year=year, scope_kind=ScopeKind.STRUCTURE, structure=structure
        ).first()
        if target is None:
            if current is not None:
                current.delete()
            continue
        if current is not None and current.target == target and current.source == source:
            kept.append(current)
            continue
        kept.append(
            objective_set(
                user=user,
                indicator=indicator,
                year=year,
                scope_kind=ScopeKind.STRUCTURE,
                structure=structure,
                target=target,
                source=source,
            )
        )
    return kept
