"""Campaigns, their points, result groups and code batches by id: one access helper each, on the one core
helper (cnml.permissions.get_in_scope_or_404): missing, out of scope or malformed, the same 404."""

from __future__ import annotations

import re

import pytest
from django.http import Http404

from cnml.models import Role
from surveys import permissions
from surveys.aggregation import aggregate_campaign
from surveys.models import CampaignStatus
from surveys.services import access_codes_generate

pytestmark = pytest.mark.django_db


def without_tokens(response) -> str:
    """The page without what differs on every response (CSP nonce, CSRF token)."""
    return re.sub(r'(nonce|value)="[^"]*"', "", response.content.decode())


def assert_404(call, *args, **kwargs) -> None:
    with pytest.raises(Http404):
        call(*args, **kwargs)


def test_a_campaign_is_found_for_whoever_may_read_or_run_it_else_404(make_campaign, users, outsider):
    campaign = make_campaign()
    draft = make_campaign(status=CampaignStatus.DRAFT)
    animator, director = users[Role.ANIMATEUR_REGIONAL], users[Role.DIRECTEUR]

    assert permissions.get_campaign_for(director, campaign.pk) == campaign
    assert permissions.get_campaign_for(animator, draft.pk, manage=True) == draft
    assert_404(permissions.get_campaign_for, outsider, campaign.pk)  # out of scope
    assert_404(permissions.get_campaign_for, director, draft.pk)  # drafts are their runners'
    assert_404(permissions.get_campaign_for, director, campaign.pk, manage=True)  # reads, does not run
    assert_404(permissions.get_campaign_for, animator, draft.pk + 1000)  # missing
    assert_404(permissions.get_campaign_for, animator, "abc")  # malformed


def test_a_point_is_found_in_its_campaign_for_whoever_may_see_its_link_else_404(make_campaign, users, network):
    campaign = make_campaign()
    other = make_campaign(title="Autre")
    a1 = campaign.points.get(structure=network.antenne_a1)
    a2 = campaign.points.get(structure=network.antenne_a2)
    director = users[Role.DIRECTEUR]  # of ML A1: antenne A1's link, not antenne A2's

    assert permissions.get_point_for(director, campaign, a1.code) == a1
    assert permissions.get_point_for(users[Role.ANIMATEUR_REGIONAL], campaign, a2.code) == a2
    assert_404(permissions.get_point_for, director, campaign, a2.code)  # out of scope
    assert_404(permissions.get_point_for, director, other, a1.code)  # another campaign's
    assert_404(permissions.get_point_for, director, campaign, "ZZZZZZ")  # missing
    assert_404(permissions.get_point_for, director, campaign, "../%00")  # malformed


def test_a_batch_of_codes_to_print_is_found_while_it_has_unused_codes_else_404(make_campaign, network):
    campaign = make_campaign()
    point = campaign.points.get(structure=network.antenne_a1)
    codes = access_codes_generate(point=point, count=2)

    assert [code.code for code in permissions.get_batch_for(point, 1)] == sorted(code.code for code in codes)
    assert_404(permissions.get_batch_for, point, 2)  # missing
    point.access_codes.update(used_at="2025-06-11T10:00:00+02:00")
    assert_404(permissions.get_batch_for, point, 1)  # nothing left to print


def test_a_result_group_is_found_for_whoever_may_read_it_else_404(make_campaign, answer, users, network):
    campaign = make_campaign(status=CampaignStatus.CLOSED)
    answer(campaign, network.antenne_a1, 20)
    answer(campaign, network.antenne_a2, 20)
    aggregate_campaign(campaign)
    director = users[Role.DIRECTEUR]

    assert permissions.get_node_for(director, campaign, "structure-MLA1").key == "structure-MLA1"
    assert permissions.get_node_for(director, campaign, "structure-MLA1", reportable=True).key == "structure-MLA1"
    assert_404(permissions.get_node_for, director, campaign, "structure-MLA2")  # out of scope
    assert_404(permissions.get_node_for, director, campaign, "structure-ANTA1", reportable=True)  # no report
    assert_404(permissions.get_node_for, director, campaign, "inconnu")  # missing
    assert [node.key for node in permissions.get_nodes_for(director, campaign)][:1] == ["structure-MLA1"]
    other = make_campaign(title="Sans résultats")
    assert_404(permissions.get_nodes_for, director, other)  # nothing to export


def test_a_campaign_page_is_the_same_404_when_missing_or_out_of_scope(make_campaign, client_for, outsider):
    campaign = make_campaign()
    client = client_for(outsider)

    out_of_scope = client.get(f"/enquetes/campagnes/{campaign.pk}/")
    missing = client.get(f"/enquetes/campagnes/{campaign.pk + 1000}/")

    assert out_of_scope.status_code == missing.status_code == 404
    assert without_tokens(out_of_scope) == without_tokens(missing)
