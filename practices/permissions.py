"""Who may do what with a fiche: the one place of the practices app's rules.

The structure scope comes from :mod:`cnml.permissions`; this module adds the roles:

- **authors** are conseillers and directors; they write the fiches of the structures
  they act for (their own and its antennes). Colleagues of those structures edit a
  draft together. A director may also archive a published fiche of the structure.
- **reviewers** are the CNML reviewers and administrators (every fiche) and the
  regional animators (the fiches of their region). They take in review, request
  changes, publish, reject and archive. Nobody reviews a draft.
- **everyone**, anonymous visitors included, reads the published fiches.

A draft is seen by its structure's authors only; a fiche under review (or sent back,
refused, archived) by its authors and its reviewers. Anyone else gets a 404: views fetch
a fiche with :func:`get_fiche_for` and an attachment with :func:`get_attachment_for`.

The workflow's moves (:class:`practices.models.Fiche`) name their permission here:
:func:`is_author_of`, :func:`is_reviewer_of`, :func:`may_archive`; the states they start
from are the model's.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db.models import Q, QuerySet

from cnml.models import Role, Structure
from cnml.permissions import actionable_structures, get_in_scope_or_404, readable_regions
from practices.models import EDITABLE_STATES, Attachment, Fiche, Status

AUTHOR_ROLES = frozenset({Role.CONSEILLER, Role.DIRECTEUR})
REGIONAL_REVIEWER_ROLES = frozenset({Role.ANIMATEUR_REGIONAL})


def _active(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


# --- Scopes ----------------------------------------------------------------


def is_author(user) -> bool:
    """Whether the user writes fiches at all (conseillers and directors of a structure with a region)."""
    return (
        _active(user)
        and user.role in AUTHOR_ROLES
        and user.structure_id is not None
        and user.structure.region_id is not None
    )


def author_structures(user) -> QuerySet[Structure]:
    """Structures whose fiches the user writes (cnml.permissions decides the structure scope)."""
    if not is_author(user):
        return Structure.objects.none()
    return actionable_structures(user).filter(region__isnull=False)


def is_reviewer(user) -> bool:
    """Whether the user reviews fiches at all (national roles, regional animators)."""
    if not _active(user):
        return False
    if user.is_national:
        return True
    return user.role in REGIONAL_REVIEWER_ROLES and user.structure_id is not None


def reviewable_fiches(user) -> QuerySet[Fiche]:
    """Fiches the user reviews, whatever their state except drafts (never shown to reviewers)."""
    if not is_reviewer(user):
        return Fiche.objects.none()
    fiches = Fiche.objects.exclude(status=Status.BROUILLON)
    if user.is_national:
        return fiches
    return fiches.filter(region__in=readable_regions(user))


def visible_fiches(user) -> QuerySet[Fiche]:
    """Every fiche the user may open: published ones, their structures' ones, those they review."""
    condition = Q(status=Status.PUBLIEE)
    if is_author(user):
        condition |= Q(structure__in=author_structures(user))
    if is_reviewer(user):
        condition |= Q(pk__in=reviewable_fiches(user).values("pk"))
    return Fiche.objects.filter(condition)


def followed_fiches(user) -> QuerySet[Fiche]:
    """Fiches whose workflow the user follows (status, history, versions): their authors' and reviewers'."""
    condition = Q(pk__in=[])
    if is_author(user):
        condition |= Q(structure__in=author_structures(user))
    if is_reviewer(user):
        condition |= Q(pk__in=reviewable_fiches(user).values("pk"))
    return Fiche.objects.filter(condition)


def authored_fiches(user) -> QuerySet[Fiche]:
    """The fiches of the structures the user writes for, whatever their state."""
    return Fiche.objects.filter(structure__in=author_structures(user))


def get_fiche_for(user, pk, *, among: Callable[..., QuerySet[Fiche]] = visible_fiches) -> Fiche:
    """The fiche ``pk`` if it is ``among`` the user's (the visible ones by default), else 404."""
    return get_in_scope_or_404(among(user).select_related("structure", "region"), pk=pk)


def get_attachment_for(user, fiche_pk, pk) -> Attachment:
    """An attachment of the fiche ``fiche_pk``, served to whoever may read the fiche, else 404."""
    return get_in_scope_or_404(Attachment.objects.filter(fiche__in=visible_fiches(user)), fiche_id=fiche_pk, pk=pk)


# --- Object rules ----------------------------------------------------------


def is_author_of(user, fiche: Fiche) -> bool:
    return is_author(user) and author_structures(user).filter(pk=fiche.structure_id).exists()


def is_reviewer_of(user, fiche: Fiche) -> bool:
    if not is_reviewer(user) or fiche.status == Status.BROUILLON:
        return False
    if user.is_national:
        return True
    return readable_regions(user).filter(pk=fiche.region_id).exists()


def can_read(user, fiche: Fiche) -> bool:
    return fiche.status == Status.PUBLIEE or is_author_of(user, fiche) or is_reviewer_of(user, fiche)


def can_follow(user, fiche: Fiche) -> bool:
    """Whether the user sees the fiche's workflow: status, history with comments, versions."""
    return is_author_of(user, fiche) or is_reviewer_of(user, fiche)


def can_download_attachments(user, fiche: Fiche) -> bool:
    """Attachments are served to whoever may read the fiche (the public once it is published)."""
    return can_read(user, fiche)


def can_create(user) -> bool:
    return author_structures(user).exists()


def can_edit(user, fiche: Fiche) -> bool:
    return fiche.status in EDITABLE_STATES and is_author_of(user, fiche)


def may_archive(user, fiche: Fiche) -> bool:
    """Its reviewers, and the director of its structure, take a published fiche out of the catalogue."""
    return is_reviewer_of(user, fiche) or (is_author_of(user, fiche) and user.role == Role.DIRECTEUR)


def can_review_any(user) -> bool:
    """Whether the user has a review queue (front-end page, or the admin for staff)."""
    return is_reviewer(user)
