"""Who reads and follows which agreement.

Everyone reads the signed and renewed agreements. The follow-up (every state, commitments'
results, history) is for CNML roles, on every agreement, and for regional animators, on the
agreements declined in their region, where they see and enter that region's results only.
Agreements and declinations are edited in the admin by CNML roles. Out of scope answers 404.

An agreement's documents: its signed text and annexes are public while the agreement is (signed or
renewed); every document, working ones included, is read by those who follow the agreement. Only CNML
roles deposit and remove them.
"""

from __future__ import annotations

from django.db.models import QuerySet

from alternance.models import PUBLIC_STATUSES, Agreement, AgreementDocument, LocalDeclination
from cnml.models import Role
from cnml.permissions import AnyUser, get_in_scope_or_404, readable_regions


def is_manager(user: AnyUser) -> bool:
    """CNML reviewers and administrators: they move agreements and follow all of them."""
    return bool(user.is_authenticated and user.is_active and user.is_national)


def is_manager_of(user: AnyUser, agreement: Agreement) -> bool:
    """The guard of the agreement's workflow."""
    return is_manager(user)


def may_follow(user: AnyUser) -> bool:
    return is_manager(user) or (
        user.is_authenticated and user.is_active and user.role == Role.ANIMATEUR_REGIONAL and bool(user.structure_id)
    )


def public_agreements() -> QuerySet[Agreement]:
    return Agreement.objects.filter(status__in=PUBLIC_STATUSES)


def followed_declinations(user: AnyUser) -> QuerySet[LocalDeclination]:
    if is_manager(user):
        return LocalDeclination.objects.all()
    if not may_follow(user):
        return LocalDeclination.objects.none()
    return LocalDeclination.objects.filter(region__in=readable_regions(user))


def followed_agreements(user: AnyUser) -> QuerySet[Agreement]:
    if is_manager(user):
        return Agreement.objects.all()
    if not may_follow(user):
        return Agreement.objects.none()
    return Agreement.objects.filter(pk__in=followed_declinations(user).values("agreement_id"))


def get_public_agreement_for(user: AnyUser, pk) -> Agreement:
    return get_in_scope_or_404(public_agreements(), pk=pk)


def get_followed_agreement_for(user: AnyUser, pk) -> Agreement:
    return get_in_scope_or_404(followed_agreements(user), pk=pk)


def get_declination_for(user: AnyUser, pk) -> LocalDeclination:
    """A declination whose results ``user`` may read and enter: CNML roles, or the region's animator."""
    scope = followed_declinations(user).select_related("agreement", "region", "structure")
    return get_in_scope_or_404(scope, pk=pk)


def readable_documents(user: AnyUser) -> QuerySet[AgreementDocument]:
    """The public documents of public agreements, and every document of the agreements ``user`` follows."""
    public = AgreementDocument.objects.public()
    if not may_follow(user):
        return public
    return public | AgreementDocument.objects.filter(agreement__in=followed_agreements(user))


def get_document_for(user: AnyUser, agreement_pk, pk) -> AgreementDocument:
    """A document of the agreement ``agreement_pk`` that ``user`` may download (404 otherwise)."""
    return get_in_scope_or_404(readable_documents(user), agreement_id=agreement_pk, pk=pk)


def get_managed_agreement_for(user: AnyUser, pk) -> Agreement:
    """An agreement whose documents ``user`` deposits and removes: CNML roles only."""
    scope = Agreement.objects.all() if is_manager(user) else Agreement.objects.none()
    return get_in_scope_or_404(scope, pk=pk)
