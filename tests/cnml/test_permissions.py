"""Scope rules of cnml.permissions, role by role, on the small network of conftest."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from cnml.models import Region, Role, Structure
from cnml.permissions import (
    actionable_structures,
    active_users,
    can_act_for_structure,
    can_read_structure,
    get_readable_region_or_404,
    get_readable_structure_or_404,
    readable_regions,
    readable_structures,
)
from tests.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def users(users, partner):
    """Every role's user, the partner of comités de pilotage (who has no structure) included."""
    return {**users, Role.PARTENAIRE: partner}


def codes(queryset) -> set[str]:
    return set(queryset.values_list("code", flat=True))


@pytest.mark.parametrize("role", [Role.CONSEILLER, Role.DIRECTEUR])
def test_local_roles_read_their_structure_and_its_antennes_only(users, network, role):
    user = users[role]

    assert codes(readable_structures(user)) == {"MLA1", "ANTA1"}
    assert codes(actionable_structures(user)) == {"MLA1", "ANTA1"}
    assert can_read_structure(user, network.antenne_a1)
    assert can_act_for_structure(user, network.ml_a1)


@pytest.mark.parametrize("role", [Role.CONSEILLER, Role.DIRECTEUR])
def test_local_roles_cannot_read_sibling_structures_nor_other_regions(users, network, role):
    user = users[role]

    for structure in (network.ml_a2, network.antenne_a2, network.arml_a, network.ml_b1, network.cnml):
        assert not can_read_structure(user, structure), structure.code
        assert not can_act_for_structure(user, structure), structure.code


@pytest.mark.parametrize("role", [Role.CONSEILLER, Role.DIRECTEUR])
def test_local_roles_read_no_region(users, role):
    assert not readable_regions(users[role]).exists()


def test_antenne_user_reads_only_their_antenne(antenne_user, network):
    assert codes(readable_structures(antenne_user)) == {"ANTA1"}
    # Not the parent mission locale, nor a sibling antenne.
    assert not can_read_structure(antenne_user, network.ml_a1)
    assert not can_read_structure(antenne_user, network.antenne_a2)


def test_directeur_of_an_antenne_reads_only_their_antenne(network):
    directeur = make_user(Role.DIRECTEUR, network.antenne_b2)

    assert codes(readable_structures(directeur)) == {"ANTB2"}


def test_animateur_regional_reads_their_whole_region(users, network):
    animateur = users[Role.ANIMATEUR_REGIONAL]

    expected = {s.code for s in network.structures_of(network.region_a)}
    assert expected == {"ARMLA", "MLA1", "ANTA1", "MLA2", "ANTA2"}
    assert codes(readable_structures(animateur)) == expected
    assert codes(actionable_structures(animateur)) == expected


def test_animateur_regional_reads_nothing_of_other_regions(users, network):
    animateur = users[Role.ANIMATEUR_REGIONAL]

    for structure in network.structures_of(network.region_b) + [network.cnml]:
        assert not can_read_structure(animateur, structure), structure.code
    assert codes(readable_regions(animateur)) == {network.region_a.code}
    with pytest.raises(Http404):
        get_readable_region_or_404(animateur, network.region_b.code)
    assert get_readable_region_or_404(animateur, network.region_a.code) == network.region_a


@pytest.mark.parametrize("role", [Role.RELECTEUR_CNML, Role.ADMINISTRATEUR])
def test_national_roles_read_the_whole_network(users, network, role):
    user = users[role]

    assert codes(readable_structures(user)) == set(Structure.objects.values_list("code", flat=True))
    assert len(codes(readable_structures(user))) == len(network.all_structures)
    assert codes(readable_regions(user)) == {network.region_a.code, network.region_b.code}
    for structure in network.all_structures:
        assert get_readable_structure_or_404(user, structure.code) == structure


def test_superuser_without_role_structure_reads_everything(network):
    superuser = make_user(Role.CONSEILLER, network.ml_b2, is_superuser=True)

    assert superuser.is_national
    assert readable_structures(superuser).count() == Structure.objects.count()
    assert readable_regions(superuser).count() == Region.objects.count()


def test_anonymous_reads_nothing(network):
    anonymous = AnonymousUser()

    assert not readable_structures(anonymous).exists()
    assert not actionable_structures(anonymous).exists()
    assert not readable_regions(anonymous).exists()
    assert not can_read_structure(anonymous, network.ml_a1)
    with pytest.raises(Http404):
        get_readable_structure_or_404(anonymous, "MLA1")


@pytest.mark.parametrize("role", list(Role))
def test_inactive_users_read_nothing_whatever_their_role(users, network, role):
    user = users[role]
    user.is_active = False
    user.save()

    assert not readable_structures(user).exists()
    assert not readable_regions(user).exists()
    assert not can_act_for_structure(user, user.structure or network.ml_a1)


def test_user_without_structure_reads_nothing(network):
    user = make_user(Role.CONSEILLER, network.ml_a1)
    user.structure = None

    assert not readable_structures(user).exists()
    assert not readable_regions(user).exists()


def test_get_readable_structure_or_404_returns_in_scope_structure(users, network):
    structure = get_readable_structure_or_404(users[Role.CONSEILLER], "ANTA1")

    assert structure == network.antenne_a1
    assert structure.parent == network.ml_a1


@pytest.mark.parametrize(
    ("role", "code"),
    [
        (Role.CONSEILLER, "MLA2"),
        (Role.CONSEILLER, "MLB1"),
        (Role.DIRECTEUR, "ANTA2"),
        (Role.DIRECTEUR, "CNML"),
        (Role.ANIMATEUR_REGIONAL, "MLB1"),
        (Role.ANIMATEUR_REGIONAL, "ARMLB"),
        (Role.ANIMATEUR_REGIONAL, "CNML"),
    ],
)
def test_get_readable_structure_or_404_raises_404_out_of_scope(users, role, code):
    assert Structure.objects.filter(code=code).exists()
    with pytest.raises(Http404):
        get_readable_structure_or_404(users[role], code)


def test_get_readable_structure_or_404_raises_404_for_unknown_code(users):
    with pytest.raises(Http404):
        get_readable_structure_or_404(users[Role.ADMINISTRATEUR], "INCONNU")


def test_outsider_reads_their_own_region_side_only(outsider, network):
    assert codes(readable_structures(outsider)) == {"MLB1", "ANTB1"}
    with pytest.raises(Http404):
        get_readable_structure_or_404(outsider, "MLA1")


def test_active_users_are_the_active_accounts_of_the_roles_asked_by_email_within_the_regions_asked(users, network):
    second = make_user(Role.ANIMATEUR_REGIONAL, network.arml_a, email="aa-animateur@example.fr")
    make_user(Role.ANIMATEUR_REGIONAL, network.arml_a, email="ancien-animateur@example.fr", is_active=False)
    other_region = make_user(Role.ANIMATEUR_REGIONAL, network.arml_b, email="animateur-b@example.fr")
    animator, reviewer = users[Role.ANIMATEUR_REGIONAL], users[Role.RELECTEUR_CNML]

    assert list(active_users(Role.ANIMATEUR_REGIONAL, regions=[network.region_a.pk])) == [second, animator]
    assert list(active_users(Role.ANIMATEUR_REGIONAL, regions=Region.objects.all())) == sorted(
        [second, animator, other_region], key=lambda user: user.email
    )
    assert list(active_users(Role.RELECTEUR_CNML)) == [reviewer]
    assert set(active_users(Role.RELECTEUR_CNML, Role.ANIMATEUR_REGIONAL)) == {reviewer, animator, second, other_region}
