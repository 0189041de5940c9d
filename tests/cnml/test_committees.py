"""Comités de pilotage and partner accounts: no structure, nothing of the network's scope, membership by administrators."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from cnml.models import Committee, CommitteeLevel, Role
from cnml.permissions import readable_regions, readable_structures
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_a_partner_account_belongs_to_no_structure(network):
    partner = UserFactory.build(email="pe@test.cnml.fr", role=Role.PARTENAIRE, structure=None)
    partner.clean()  # valid without a structure

    partner.structure = network.ml_a1
    with pytest.raises(ValidationError) as error:
        partner.clean()
    assert "Un partenaire n'appartient à aucune structure" in str(error.value)


def test_a_partner_reads_no_structure_and_no_region_even_as_a_committee_member(partner, network):
    committee = Committee.objects.create(
        name="Comité régional Alpha", level=CommitteeLevel.REGIONAL, region=network.region_a
    )
    committee.structures.add(network.ml_a1, network.ml_a2)
    committee.members.add(partner)

    assert not readable_structures(partner).exists()
    assert not readable_regions(partner).exists()
    assert not partner.is_staff


def test_administrators_grant_membership_in_the_admin(client_for, users, partner, network):
    committee = Committee.objects.create(name="Comité local Alpha", level=CommitteeLevel.LOCAL, region=network.region_a)
    client = client_for(users[Role.ADMINISTRATEUR])

    response = client.post(
        f"/admin/cnml/committee/{committee.pk}/change/",
        {
            "name": committee.name,
            "level": CommitteeLevel.LOCAL,
            "region": network.region_a.pk,
            "territory": "Alpha-Nord",
            "structures": [network.ml_a1.pk],
            "members": [partner.pk],
            "active": "on",
        },
    )

    assert response.status_code == 302
    assert list(partner.committees.all()) == [committee]


def test_a_cnml_reviewer_may_not_change_a_committee_membership(client_for, users, partner, network):
    committee = Committee.objects.create(name="Comité local Alpha", level=CommitteeLevel.LOCAL, region=network.region_a)

    response = client_for(users[Role.RELECTEUR_CNML]).post(
        f"/admin/cnml/committee/{committee.pk}/change/",
        {"name": committee.name, "level": "local", "region": network.region_a.pk, "members": [partner.pk]},
    )

    assert response.status_code == 403
    assert not committee.members.exists()


def test_the_home_page_names_the_partner_committees(client_for, partner, network):
    committee = Committee.objects.create(name="Comité local Alpha", level=CommitteeLevel.LOCAL, region=network.region_a)
    committee.members.add(partner)

    content = client_for(partner).get("/").content.decode()

    assert "</strong> : <strong>Comité local Alpha</strong>." in content
