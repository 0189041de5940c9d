"""A dashboard by code: one access helper per model, 404 outside what the user may read."""

from __future__ import annotations

import pytest
from django.http import Http404

from cnml.models import Role
from dashboard import permissions

pytestmark = pytest.mark.django_db


def test_a_structure_dashboard_is_found_in_scope_only(users, network, outsider):
    assert permissions.get_structure_for(users[Role.DIRECTEUR], "MLA1") == network.ml_a1
    for user, code in ((outsider, "MLA1"), (users[Role.DIRECTEUR], "ANTA1"), (users[Role.DIRECTEUR], "INCONNU")):
        with pytest.raises(Http404):
            permissions.get_structure_for(user, code)


def test_a_region_dashboard_is_found_in_scope_only(users, network):
    assert permissions.get_region_for(users[Role.ANIMATEUR_REGIONAL], network.region_a.code) == network.region_a
    with pytest.raises(Http404):
        permissions.get_region_for(users[Role.ANIMATEUR_REGIONAL], network.region_b.code)


def test_the_regions_page_lists_the_readable_regions_or_is_a_404(users, network):
    assert permissions.get_regions_for(users[Role.RELECTEUR_CNML]) == [network.region_a, network.region_b]
    assert permissions.get_regions_for(users[Role.ANIMATEUR_REGIONAL]) == [network.region_a]
    with pytest.raises(Http404):
        permissions.get_regions_for(users[Role.DIRECTEUR])
