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

Everything out of scope answers 404 (cnml.permissions' rule), never 403: views fetch a
campaign with :func:`get_campaign_for`, a point with :func:`get_point_for`, a batch of
codes with :func:`get_batch_for`, result groups with :func:`get_node_for` and
:func:`get_nodes_for`, all on :func:`cnml.permissions.get_in_scope_or_404`.

The campaign's moves (:class:`surveys.models.Campaign`) name their permission here:
:func:`can_manage_campaign`; the publication of its results (:class:`surveys.models.ResultsPublication`)
:func:`can_manage_campaign_of`. Published results are read by anyone: :func:`get_published_campaign`,
:func:`get_public_node` (never the free comments).
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404
from django.shortcuts import get_list_or_404

from cnml.models import Region, Role
from cnml.permissions import AnyUser, get_in_scope_or_404, readable_regions, readable_structures
from surveys.models import (
    AccessCode,
    Audience,
    Campaign,
    CampaignScope,
    CampaignStatus,
    DistributionPoint,
    NodeLevel,
    PublicationStatus,
    ResultNode,
)

# Result groups that have a PDF report (when shown).
REPORT_LEVELS = (NodeLevel.REGION, NodeLevel.ML)

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


def get_campaign_for(user: AnyUser, pk, *, manage: bool = False) -> Campaign:
    """The campaign ``pk`` if the user reads it (runs it, with ``manage``), else 404."""
    campaigns = manageable_campaigns(user) if manage else readable_campaigns(user)
    return get_in_scope_or_404(campaigns.select_related("questionnaire", "region", "publication"), pk=pk)


def can_manage_campaign(user: AnyUser, campaign: Campaign) -> bool:
    return manageable_campaigns(user).filter(pk=campaign.pk).exists()


def can_manage_campaign_of(user: AnyUser, publication) -> bool:
    """Who publishes and withdraws a campaign's results: whoever runs the campaign (CNML, its region's animator)."""
    return can_manage_campaign(user, publication.campaign)


def published_campaigns() -> QuerySet[Campaign]:
    """Campaigns whose results anyone may read, signed in or not."""
    return Campaign.objects.filter(publication__status=PublicationStatus.PUBLISHED, status=CampaignStatus.CLOSED)


def get_published_campaign(pk) -> Campaign:
    """The campaign ``pk`` if its results are published, else 404."""
    return get_in_scope_or_404(published_campaigns().select_related("questionnaire", "region", "publication"), pk=pk)


def get_public_node(campaign: Campaign, key: str, *, reportable: bool = False) -> ResultNode:
    """A group of a published campaign: every group is public, its figures hidden where too small."""
    nodes = ResultNode.objects.filter(campaign=campaign).select_related("parent", "structure", "region")
    if reportable:
        nodes = nodes.filter(level__in=REPORT_LEVELS, suppressed=False)
    return get_in_scope_or_404(nodes, key=key)


def readable_points(user: AnyUser, campaign: Campaign) -> QuerySet[DistributionPoint]:
    """Distribution points whose link, QR code, poster and codes the user may see."""
    points = campaign.points.select_related("structure", "structure__parent")
    if can_manage_campaign(user, campaign):
        return points
    structures = readable_structures(user)
    return points.filter(Q(structure__in=structures) | Q(structure__parent__in=structures))


def get_point_for(user: AnyUser, campaign: Campaign, code: str) -> DistributionPoint:
    """The point of ``campaign`` whose link is ``code``, if the user may see it, else 404."""
    return get_in_scope_or_404(readable_points(user, campaign), code=code)


def prints_codes(campaign: Campaign) -> bool:
    """Whether the campaign's single-use codes are printed on slips. A survey of professionals e-mails
    each code to one person: no one else, not even a colleague of the same structure, may print it."""
    return campaign.audience != Audience.PROFESSIONNELS


def get_batch_for(point: DistributionPoint, batch: int) -> list[AccessCode]:
    """The codes of ``point``'s batch still to print (unused), else 404; the point is already the user's."""
    if not prints_codes(point.campaign):
        raise Http404("Page introuvable.")
    return get_list_or_404(point.access_codes.filter(batch=batch, used_at__isnull=True).order_by("code"))


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


def get_node_for(user: AnyUser, campaign: Campaign, key: str, *, reportable: bool = False) -> ResultNode:
    """The result group ``key`` of ``campaign`` if the user reads it (and it has a report), else 404."""
    nodes = readable_nodes(user, campaign).select_related("parent", "structure", "region")
    if reportable:
        nodes = nodes.filter(level__in=REPORT_LEVELS, suppressed=False)
    return get_in_scope_or_404(nodes, key=key)


def get_nodes_for(user: AnyUser, campaign: Campaign) -> list[ResultNode]:
    """Every result group of ``campaign`` the user reads, in order (an export), else 404."""
    nodes = readable_nodes(user, campaign).select_related("parent", "structure", "region").order_by("position")
    return get_list_or_404(nodes)


def can_read_comments(user: AnyUser, node: ResultNode) -> bool:
    if not _active(user) or node.suppressed or node.level == NodeLevel.OTHERS:
        return False
    if not (user.is_national or user.role in COMMENT_ROLES):
        return False
    return readable_nodes(user, node.campaign).filter(pk=node.pk).exists()
