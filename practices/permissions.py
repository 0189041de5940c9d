"""Who may do what with a fiche: the one place of the practices app's rules.

The structure scope comes from :mod:`cnml.permissions`; this module adds the roles:

- **authors** are conseillers and directors; they write the fiches of the structures
  they act for (their own and its antennes). Colleagues of those structures edit a
  draft together. A director may also archive a published fiche of the structure.
- **committee authors** are the members of a comité de pilotage (``cnml.Committee``,
  membership granted by administrators only): conseillers, directors, partner accounts
  (Pôle emploi…) and the regional animators of the committee's region. They write the
  fiches carried by their committees and see their drafts; nobody else does.
- **co-authors** of a fiche (chosen by one of its authors among the people of the same
  structure or committee) edit it too.
- **reviewers** are the CNML reviewers and administrators (every fiche) and the
  regional animators (the fiches of their region). They take in review, request
  changes, publish, reject and archive. Nobody reviews a draft.
- **everyone**, anonymous visitors included, reads the published fiches.

A draft is seen by its structure's (or committee's) authors and its co-authors only; a fiche under review (or sent back,
refused, archived) by its authors and its reviewers. Anyone else gets a 404: views fetch
a fiche with :func:`get_fiche_for` and an attachment with :func:`get_attachment_for`.

The workflow's moves (:class:`practices.models.Fiche`) name their permission here:
:func:`is_author_of`, :func:`is_reviewer_of`, :func:`may_archive`; the states they start
from are the model's.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db.models import F, Q, QuerySet

from cnml.models import Committee, Region, Role, Structure, User
from cnml.permissions import actionable_structures, get_in_scope_or_404, readable_regions
from practices.models import EDITABLE_STATES, Attachment, Fiche, Recensement, Status

AUTHOR_ROLES = frozenset({Role.CONSEILLER, Role.DIRECTEUR})
REGIONAL_REVIEWER_ROLES = frozenset({Role.ANIMATEUR_REGIONAL})
# Animators write for a committee only when an administrator made them a member of it.
COMMITTEE_AUTHOR_ROLES = AUTHOR_ROLES | {Role.PARTENAIRE, Role.ANIMATEUR_REGIONAL}


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


def committee_writers() -> QuerySet:
    """Who writes which committee's fiches, as memberships (``Committee.members.through``): active members of a
    writing role, of an active committee, an animator only for a committee of their region. The one statement
    of the rule: :func:`author_committees` reads it for a user, the recensement's progress for its committees.
    """
    return Committee.members.through.objects.filter(
        Q(committee__active=True, user__is_active=True, user__role__in=COMMITTEE_AUTHOR_ROLES),
        ~Q(user__role=Role.ANIMATEUR_REGIONAL) | Q(user__structure__region_id=F("committee__region_id")),
    )


def author_committees(user) -> QuerySet[Committee]:
    """Committees the user writes for (:func:`committee_writers`)."""
    if not _active(user) or user.role not in COMMITTEE_AUTHOR_ROLES:  # spares the query: writes for none
        return Committee.objects.none()
    return Committee.objects.filter(pk__in=committee_writers().filter(user=user).values("committee_id"))


def writes_fiches(user) -> bool:
    """Whether the user writes fiches: for a structure, or for a committee they are a member of.

    Asked by the navigation of every page: the committee query's answer is kept on the request's user
    object (a new one each request), so a page does not pay it twice, and no page pays it for a
    conseiller or a director.
    """
    if is_author(user):
        return True
    if not _active(user) or user.role not in COMMITTEE_AUTHOR_ROLES:
        return False
    if not hasattr(user, "_writes_for_committees"):
        user._writes_for_committees = author_committees(user).exists()
    return user._writes_for_committees


def _authored_condition(user) -> Q:
    """The fiches the user writes: their structures', their committees', those they co-author."""
    condition = Q(committee__in=author_committees(user))
    if is_author(user):
        condition |= Q(structure__in=author_structures(user))
    if _active(user):
        condition |= Q(coauthors=user)
    return condition


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
    condition = Q(status=Status.PUBLIEE) | Q(pk__in=authored_fiches(user).values("pk"))
    if is_reviewer(user):
        condition |= Q(pk__in=reviewable_fiches(user).values("pk"))
    return Fiche.objects.filter(condition)


def followed_fiches(user) -> QuerySet[Fiche]:
    """Fiches whose workflow the user follows (status, history, versions): their authors' and reviewers'."""
    condition = Q(pk__in=authored_fiches(user).values("pk"))
    if is_reviewer(user):
        condition |= Q(pk__in=reviewable_fiches(user).values("pk"))
    return Fiche.objects.filter(condition)


def authored_fiches(user) -> QuerySet[Fiche]:
    """The fiches of the structures and committees the user writes for, and those they co-author."""
    if not _active(user):
        return Fiche.objects.none()
    return Fiche.objects.filter(pk__in=Fiche.objects.filter(_authored_condition(user)).values("pk"))


def get_fiche_for(user, pk, *, among: Callable[..., QuerySet[Fiche]] = visible_fiches) -> Fiche:
    """The fiche ``pk`` if it is ``among`` the user's (the visible ones by default), else 404."""
    return get_in_scope_or_404(among(user).select_related("structure", "committee", "region"), pk=pk)


def get_attachment_for(user, fiche_pk, pk) -> Attachment:
    """An attachment of the fiche ``fiche_pk``, served to whoever may read the fiche, else 404."""
    return get_in_scope_or_404(Attachment.objects.filter(fiche__in=visible_fiches(user)), fiche_id=fiche_pk, pk=pk)


# --- Object rules ----------------------------------------------------------


def writes_for_carrier_of(user, fiche: Fiche) -> bool:
    """Whether the user writes for the fiche's structure or committee (a co-author alone does not)."""
    if fiche.committee_id is not None:
        return author_committees(user).filter(pk=fiche.committee_id).exists()
    return is_author(user) and author_structures(user).filter(pk=fiche.structure_id).exists()


def _is_coauthor_of(user, fiche: Fiche) -> bool:
    # Only the roles that write fiches are chosen as co-authors (coauthor_candidates): reviewers cost no query.
    if fiche.pk is None or user.role not in COMMITTEE_AUTHOR_ROLES:
        return False
    # Read once per fiche object: a page asks several rules about the same fiche.
    if "_coauthor_ids" not in fiche.__dict__:
        fiche.__dict__["_coauthor_ids"] = set(fiche.coauthors.values_list("pk", flat=True))
    return user.pk in fiche.__dict__["_coauthor_ids"]


def is_author_of(user, fiche: Fiche) -> bool:
    if not _active(user):
        return False
    return writes_for_carrier_of(user, fiche) or _is_coauthor_of(user, fiche)


def coauthor_candidates(user, fiche: Fiche) -> QuerySet[User]:
    """Whom an author of ``fiche`` may make a co-author: active people of its structure or committee."""
    if fiche.committee_id is not None:
        people = fiche.committee.members.all()
    elif fiche.structure_id is not None:
        people = User.objects.filter(Q(structure_id=fiche.structure_id) | Q(structure__parent_id=fiche.structure_id))
    else:
        return User.objects.none()
    people = people.filter(is_active=True, role__in=COMMITTEE_AUTHOR_ROLES).exclude(pk=user.pk)
    return people.order_by("last_name", "first_name", "email")


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
    return author_structures(user).exists() or author_committees(user).exists()


def can_edit(user, fiche: Fiche) -> bool:
    return fiche.status in EDITABLE_STATES and is_author_of(user, fiche)


def may_archive(user, fiche: Fiche) -> bool:
    """Its reviewers, and the director of its structure, take a published fiche out of the catalogue."""
    return is_reviewer_of(user, fiche) or (is_author_of(user, fiche) and user.role == Role.DIRECTEUR)


def can_review_any(user) -> bool:
    """Whether the user has a review queue (front-end page, or the admin for staff)."""
    return is_reviewer(user)


# --- Recensements (practices.recensements) ----------------------------------


def may_run_recensements(user, recensement: Recensement | None = None) -> bool:
    """CNML roles launch recensements (in the admin), close them and follow them everywhere."""
    return _active(user) and user.is_national


def _regions_of(user) -> QuerySet[Region]:
    """The regions whose part of a recensement the user sees: a reviewer's, else the author's own region."""
    if is_reviewer(user):
        return Region.objects.all() if user.is_national else readable_regions(user)
    return _own_regions(user)


def _own_regions(user) -> QuerySet[Region]:
    """The regions an author writes in: their structure's, and their committees'."""
    condition = Q(pk__in=author_committees(user).values("region_id"))
    if is_author(user):
        condition |= Q(pk=user.structure.region_id)
    return Region.objects.filter(condition)


def readable_recensements(user) -> QuerySet[Recensement]:
    """Recensements asking a region or a committee of the user's, or the whole network (all for CNML roles)."""
    if may_run_recensements(user):
        return Recensement.objects.all()
    regions = _regions_of(user)
    committees = Q(pk__in=author_committees(user).values("pk"))
    if is_reviewer(user):  # they follow the committees of the regions they review
        committees |= Q(region__in=regions)
    return Recensement.objects.asking(regions=regions, committees=Committee.objects.filter(committees))


def get_recensement_for(user, pk) -> Recensement:
    return get_in_scope_or_404(readable_recensements(user), pk=pk)


def recensement_regions(user, recensement: Recensement) -> list[Region]:
    """The asked regions whose progress the user follows (none for an author: they see their own fiches)."""
    if not is_reviewer(user):
        return []
    regions = _regions_of(user).filter(pk__in=recensement.asked_regions().values("pk"))
    return list(regions.filter(structures__isnull=False).distinct().order_by("name"))


def recensement_committees(user, recensement: Recensement) -> list[Committee]:
    """The asked committees whose progress the user follows: those of the regions they review."""
    if not is_reviewer(user):
        return []
    committees = recensement.asked_committees().filter(region__in=_regions_of(user))
    return list(committees.select_related("region").order_by("region__name", "name"))


def accepting_recensements(user, fiche: Fiche) -> QuerySet[Recensement]:
    """Recensements the author may answer with ``fiche``: open ones asking its porteur, and its own.

    A fiche not saved yet has no porteur: the recensements asking any of the user's are offered, and the
    form checks the one chosen against the porteur chosen (:func:`recensement_accepts`).
    """
    if fiche.committee_id or fiche.structure_id:
        accepting = Recensement.objects.accepting(fiche.carrier.region_id, fiche.committee_id)
    else:
        accepting = Recensement.objects.asking(regions=_own_regions(user), committees=author_committees(user))
        accepting = accepting.open_today()
    condition = Q(pk__in=accepting.values("pk"))
    if fiche.recensement_id:
        condition |= Q(pk=fiche.recensement_id)
    return Recensement.objects.filter(condition)


def recensement_accepts(recensement: Recensement, *, structure=None, committee=None) -> bool:
    """Whether the open ``recensement`` asks the porteur: the structure's region, or the committee."""
    if committee is not None:
        return Recensement.objects.accepting(committee.region_id, committee.pk).filter(pk=recensement.pk).exists()
    region_id = structure.region_id if structure is not None else None
    return Recensement.objects.accepting(region_id).filter(pk=recensement.pk).exists()
