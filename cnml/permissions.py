"""The one place that answers "which structures may this user read or act for".

Every app filters its querysets through these functions, so the rule is written
once: a conseiller or a director reaches their own structure and its antennes;
a regional animator reaches every structure of their region; CNML reviewers and
administrators reach the whole network; anonymous visitors reach nothing.
Objects out of scope answer 404, never 403, so their existence does not leak.
"""

from __future__ import annotations

from typing import TypeVar

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.db.models import Model, Q, QuerySet
from django.http import Http404

from cnml.models import Region, Role, Structure, User

AnyUser = User | AnonymousUser
M = TypeVar("M", bound=Model)


def readable_structures(user: AnyUser) -> QuerySet[Structure]:
    if not user.is_authenticated or not user.is_active:
        return Structure.objects.none()
    if user.is_national:
        return Structure.objects.all()
    if user.structure_id is None:
        return Structure.objects.none()
    if user.role == Role.ANIMATEUR_REGIONAL:
        return Structure.objects.filter(region_id=user.structure.region_id)
    return Structure.objects.filter(Q(pk=user.structure_id) | Q(parent_id=user.structure_id))


def actionable_structures(user: AnyUser) -> QuerySet[Structure]:
    """Structures the user may act for (submit, edit, answer for).

    Today the same perimeter as reading; kept apart so that a future rule
    (say, animators reading but not writing for missions locales) changes one
    function.
    """
    return readable_structures(user)


def readable_regions(user: AnyUser) -> QuerySet[Region]:
    if not user.is_authenticated or not user.is_active:
        return Region.objects.none()
    if user.is_national:
        return Region.objects.all()
    if user.role == Role.ANIMATEUR_REGIONAL and user.structure_id:
        return Region.objects.filter(pk=user.structure.region_id)
    return Region.objects.none()


def get_in_scope_or_404(scope: QuerySet[M], **lookup) -> M:
    """The object of ``scope`` matching ``lookup``, else 404: the one way to fetch an object by id for a user.

    ``scope`` is already limited to what the user may reach (``<app>/permissions.py`` builds it
    on the functions of this module), so a missing object and one out of scope answer the same
    404 and existence does not leak. A malformed id is a 404 too. Each app wraps it in one
    ``get_<model>_for(user, pk)`` per model.
    """
    try:
        return scope.get(**lookup)
    except (scope.model.DoesNotExist, ValueError, ValidationError):
        raise Http404("Page introuvable.") from None


def can_read_structure(user: AnyUser, structure: Structure) -> bool:
    return readable_structures(user).filter(pk=structure.pk).exists()


def can_act_for_structure(user: AnyUser, structure: Structure) -> bool:
    return actionable_structures(user).filter(pk=structure.pk).exists()


def get_readable_structure_or_404(user: AnyUser, code: str) -> Structure:
    return get_in_scope_or_404(readable_structures(user).select_related("region", "parent"), code=code)


def get_readable_region_or_404(user: AnyUser, code: str) -> Region:
    return get_in_scope_or_404(readable_regions(user), code=code)


def active_users(*roles: str, regions=None) -> QuerySet[User]:
    """The active accounts holding one of ``roles``, by e-mail: whom a notice goes to. ``regions`` (regions, their
    ids or a queryset of them) keeps the people of these regions' structures (a region's animators). Each app
    narrows it further by its own rules."""
    users = User.objects.filter(is_active=True, role__in=roles)
    if regions is not None:
        users = users.filter(structure__region__in=regions)
    return users.order_by("email")
