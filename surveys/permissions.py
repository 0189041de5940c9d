"""Who may do what with surveys: the one place for the app's rules, built on cnml.permissions.

- Campaigns are created and run by regional animators for their region and by
  CNML roles (reviewers, administrators) for any region or the nation.
- Mission locale staff (conseillers, directors) see the campaigns their
  structure takes part in — not drafts — with their own links, posters and
  codes, and the results of their structure.
- Results: a user reads the groups of their structures (an animator their
  region, CNML roles everything); each page compares a group with its parent,
  whose figures are shown as a reference.
- Free comments are read by directors, animators and CNML roles, never by a
  conseiller, and only for a group whose results are shown.

Everything out of scope answers 404 (cnml.permissions' rule), never 403.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from cnml.models import Region, Role
from cnml.permissions import AnyUser, readable_regions, readable_structures
from surveys.models import Campaign, CampaignScope, CampaignStatus, DistributionPoint, NodeLevel, ResultNode

COMMENT_ROLES = {Role.DIRECTEUR, Role.ANIMATEUR_REGIONAL, Role.RELECTEUR_CNML, Role.ADMINISTRATEUR}


def _active(user: AnyUser) -> bool:
    return bool(user.is_authenticated and user.is_active)


def is_animator(user: AnyUser) -> bool:
    return _active(user) and user.role == Role.ANIMATEUR_REGIONAL and user.structure_id is not None


def can_create_campaigns(user: AnyUser) -> bool:
    return _active(user) and (user.is_national or is_animator(user))


def creatable_regions(user: AnyUser) -> QuerySet[Region]:
    """Regions a user may run a campaign for (readable_regions: an animator's own, everything for the CNML)."""
    if not can_create_campaigns(user):
        return Region.objects.none()
    return readable_regions(user)


def can_create_national_campaigns(user: AnyUser) -> bool:
    return _active(user) and user.is_national


def manageable_campaigns(user: AnyUser) -> QuerySet[Campaign]:
    """Campaigns the user may edit, open, close, recompute and distribute."""
    if not _active(user):
        return Campaign.objects.none()
    if user.is_national:
        return Campaign.objects.all()
    if is_animator(user):
        return Campaign.objects.filter(scope=CampaignScope.REGION, region_id=user.structure.region_id)
    return Campaign.objects.none()


def readable_campaigns(user: AnyUser) -> QuerySet[Campaign]:
    if not _active(user):
        return Campaign.objects.none()
    if user.is_national:
        return Campaign.objects.all()
    if is_animator(user):
        region_id = user.structure.region_id
        return Campaign.objects.filter(
            Q(scope=CampaignScope.REGION, region_id=region_id)
            | Q(scope=CampaignScope.NATION, points__structure__region_id=region_id) & ~Q(status=CampaignStatus.DRAFT)
        ).distinct()
    structures = readable_structures(user)
    return (
        Campaign.objects.exclude(status=CampaignStatus.DRAFT)
        .filter(Q(points__structure__in=structures) | Q(points__structure__parent__in=structures))
        .distinct()
    )


def get_campaign_or_404(user: AnyUser, pk: int, *, manage: bool = False) -> Campaign:
    queryset = manageable_campaigns(user) if manage else readable_campaigns(user)
    try:
        return queryset.select_related("questionnaire", "region").get(pk=pk)
    except Campaign.DoesNotExist:
        raise Http404("Campagne introuvable.") from None


def can_manage_campaign(user: AnyUser, campaign: Campaign) -> bool:
    return manageable_campaigns(user).filter(pk=campaign.pk).exists()


def readable_points(user: AnyUser, campaign: Campaign) -> QuerySet[DistributionPoint]:
    """Distribution points whose link, QR code, poster and codes the user may see."""
    points = campaign.points.select_related("structure", "structure__parent")
    if can_manage_campaign(user, campaign):
        return points
    structures = readable_structures(user)
    return points.filter(Q(structure__in=structures) | Q(structure__parent__in=structures))


def get_point_or_404(user: AnyUser, campaign: Campaign, code: str) -> DistributionPoint:
    try:
        return readable_points(user, campaign).get(code=code)
    except DistributionPoint.DoesNotExist:
        raise Http404("Point de diffusion introuvable.") from None


def readable_nodes(user: AnyUser, campaign: Campaign) -> QuerySet[ResultNode]:
    """Result groups whose page the user may open."""
    nodes = ResultNode.objects.filter(campaign=campaign)
    if not _active(user):
        return nodes.none()
    if user.is_national:
        return nodes
    structures = readable_structures(user)
    regions = readable_regions(user)
    readable = Q(structure__in=structures) | Q(level=NodeLevel.REGION, region__in=regions)
    if is_animator(user):
        # Remainders of the region's groups are groups of the region too.
        readable |= Q(level=NodeLevel.OTHERS, parent__region__in=regions) | Q(
            level=NodeLevel.OTHERS, parent__structure__in=structures
        )
    else:
        readable |= Q(level=NodeLevel.OTHERS, parent__structure__in=structures)
    return nodes.filter(readable)


def get_node_or_404(user: AnyUser, campaign: Campaign, key: str) -> ResultNode:
    try:
        return readable_nodes(user, campaign).select_related("parent", "structure", "region").get(key=key)
    except ResultNode.DoesNotExist:
        raise Http404("Résultats introuvables.") from None


def can_read_comments(user: AnyUser, node: ResultNode) -> bool:
    if not _active(user) or node.suppressed or node.level == NodeLevel.OTHERS:
        return False
    if not (user.is_national or user.role in COMMENT_ROLES):
        return False
    return readable_nodes(user, node.campaign).filter(pk=node.pk).exists()


def can_export(user: AnyUser, campaign: Campaign) -> bool:
    return readable_nodes(user, campaign).exists()
