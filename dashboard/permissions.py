"""Who reads which dashboard: the one place for the tableau de bord's scope rules.

Built on :mod:`cnml.permissions` (own structure and its antennes; the whole
region for an animator; everything for CNML roles; nothing for anonymous users):

- the **national table** is public: anyone reads it (the public the validated
  figures only, see :func:`dashboard.selectors.snapshot_for_reader`);
- a **structure's dashboard** exists for missions locales and PAIO, the
  structures young people are attributed to in the warehouse. A director and a
  conseiller read their own structure's; an animator every one of their
  region; CNML roles (reviewers, administrators) all of them. A conseiller
  reads the same figures as their director: they are aggregated counts of
  young people, nothing personal, and the conseillers produce them. A user
  attached to an antenne has no structure dashboard (the warehouse attributes
  the antenne's young people to its mission locale, which their scope does not
  include); they read the national table;
- a **region's dashboard**: an animator reads their region's, CNML roles all of
  them. Directors and conseillers see their region's figures as references on
  their structure's page, not the region's page (which lists its structures).

Everything outside a user's scope answers 404, exports included: views fetch a
dashboard with :func:`get_structure_for`, :func:`get_region_for`, :func:`get_regions_for`.

Objectives (:mod:`dashboard.models.objectives`): read with their scope (national ones by
everybody); set by CNML roles (national, regional, any structure) and, for the structures of
its region only, by a regional animator (:func:`may_set_objective`, :func:`get_objective_for`,
:func:`get_split_region_for`).
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from cnml.models import Region, Role, Structure, StructureKind
from cnml.permissions import AnyUser, get_in_scope_or_404, readable_regions, readable_structures
from dashboard.models.objectives import Objective
from dashboard.models.snapshots import ScopeKind

# Structures with a dashboard: those young people are attributed to (jeunes.csv).
DASHBOARD_KINDS = (StructureKind.ML, StructureKind.PAIO)


def dashboard_structures(user: AnyUser) -> QuerySet[Structure]:
    """Structures whose dashboard ``user`` may read."""
    return readable_structures(user).filter(kind__in=DASHBOARD_KINDS)


def dashboard_regions(user: AnyUser) -> QuerySet[Region]:
    """Regions whose dashboard ``user`` may read."""
    return readable_regions(user)


def get_structure_for(user: AnyUser, code: str) -> Structure:
    """The structure whose dashboard ``user`` asks for, else 404."""
    return get_in_scope_or_404(dashboard_structures(user).select_related("region"), code=code)


def get_region_for(user: AnyUser, code: str) -> Region:
    """The region whose dashboard ``user`` asks for, else 404."""
    return get_in_scope_or_404(dashboard_regions(user), code=code)


def get_regions_for(user: AnyUser) -> list[Region]:
    """The regions of the regions' page, by name; 404 for a user who reads none."""
    regions = list(dashboard_regions(user).order_by("name"))
    if not regions:
        raise Http404("Tableau de bord introuvable.")
    return regions


def can_read_region(user: AnyUser, region: Region | None) -> bool:
    """Whether to link to ``region``'s page (one query)."""
    if region is None:
        return False
    return dashboard_regions(user).filter(pk=region.pk).exists()


def own_structure(user: AnyUser) -> Structure | None:
    """The structure whose dashboard is "mine" for ``user`` (a director's, a conseiller's), or None."""
    if not getattr(user, "is_authenticated", False) or not user.is_active or user.structure_id is None:
        return None
    structure = user.structure
    return structure if structure.kind in DASHBOARD_KINDS else None


def own_region(user: AnyUser) -> Region | None:
    """An animator's region, whose dashboard is "mine", or None."""
    if not getattr(user, "is_authenticated", False) or not user.is_active or user.structure_id is None:
        return None
    if user.role != Role.ANIMATEUR_REGIONAL:
        return None
    return user.structure.region


# --- Objectives ----------------------------------------------------------------------------
# Who reads an objective: the national ones everybody (they stand on the public national table);
# a region's, whoever reads the region's dashboard; a structure's, whoever reads its dashboard (a
# director and the conseillers their own, an animator those of the region, CNML roles all).
# Who sets one: CNML roles, any scope; a regional animator, the structures of its region only (it
# splits the region's objective among them); nobody else. Out of scope: 404.


def _is_active_national(user: AnyUser) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active and user.is_national)


def readable_objectives(user: AnyUser) -> QuerySet[Objective]:
    """Objectives ``user`` may read."""
    return Objective.objects.filter(
        Q(scope_kind=ScopeKind.NATIONAL)
        | Q(scope_kind=ScopeKind.REGION, region__in=dashboard_regions(user))
        | Q(scope_kind=ScopeKind.STRUCTURE, structure__in=dashboard_structures(user))
    )


def split_regions(user: AnyUser) -> QuerySet[Region]:
    """Regions whose objectives ``user`` may split among their structures: an animator's own, all for CNML roles."""
    if _is_active_national(user):
        return Region.objects.all()
    region = own_region(user)
    return Region.objects.filter(pk=region.pk) if region is not None else Region.objects.none()


def may_split_region(user: AnyUser, region: Region) -> bool:
    """Whether ``user`` splits ``region``'s objectives (no query beyond the user's structure)."""
    if _is_active_national(user):
        return True
    if not getattr(user, "is_authenticated", False) or not user.is_active or user.structure_id is None:
        return False
    return user.role == Role.ANIMATEUR_REGIONAL and user.structure.region_id == region.pk


def may_set_objective(user: AnyUser, *, scope_kind: str, region: Region | None = None, structure=None) -> bool:
    """Whether ``user`` may set (create, change, remove) an objective of this scope."""
    if _is_active_national(user):
        return True
    if scope_kind != ScopeKind.STRUCTURE or structure is None or structure.kind not in DASHBOARD_KINDS:
        return False
    own = own_region(user)
    return own is not None and structure.region_id == own.pk


def changeable_objectives(user: AnyUser) -> QuerySet[Objective]:
    """Objectives ``user`` may change: all for CNML roles, its region's structures' for an animator."""
    if _is_active_national(user):
        return Objective.objects.all()
    own = own_region(user)
    if own is None:
        return Objective.objects.none()
    return Objective.objects.filter(
        scope_kind=ScopeKind.STRUCTURE, structure__region=own, structure__kind__in=DASHBOARD_KINDS
    )


def get_objective_for(user: AnyUser, pk) -> Objective:
    """The objective ``user`` may change, else 404."""
    return get_in_scope_or_404(changeable_objectives(user).select_related("region", "structure"), pk=pk)


def get_split_region_for(user: AnyUser, code: str) -> Region:
    """The region whose objectives ``user`` splits among its structures, else 404."""
    return get_in_scope_or_404(split_regions(user), code=code)
