"""Fixtures of the practices tests: private files in a temporary folder, a network with reviewers, a comité de
pilotage."""

from __future__ import annotations

import pytest

from cnml.models import Committee, CommitteeLevel, Role
from tests.factories import UserFactory


@pytest.fixture(autouse=True)
def own_media(private_media):
    """Uploads in this test's own temporary folders (``private_media``), never in the project."""


@pytest.fixture
def actors(users, outsider, antenne_user, network):
    """Everyone who may try something on a fiche of mission locale A1 (region A), by name.

    - ``conseiller`` and ``directeur``: of ML A1 (the fiche's structure);
    - ``antenne``: a conseiller of antenne A1 (inside ML A1's scope, but ML A1 is outside theirs);
    - ``colleague_a2``: a conseiller of ML A2, same region, other structure;
    - ``outsider``: a conseiller of region B;
    - ``animateur``: the animator of region A; ``animateur_b``: the animator of region B;
    - ``relecteur``, ``administrateur``; ``anonyme``: None.
    """
    from django.contrib.auth.models import AnonymousUser

    return {
        "conseiller": users[Role.CONSEILLER],
        "directeur": users[Role.DIRECTEUR],
        "antenne": antenne_user,
        "colleague_a2": UserFactory(email="a2@test.cnml.fr", role=Role.CONSEILLER, structure=network.ml_a2),
        "outsider": outsider,
        "animateur": users[Role.ANIMATEUR_REGIONAL],
        "animateur_b": UserFactory(
            email="animateur-b@test.cnml.fr", role=Role.ANIMATEUR_REGIONAL, structure=network.arml_b
        ),
        "relecteur": users[Role.RELECTEUR_CNML],
        "administrateur": users[Role.ADMINISTRATEUR],
        "anonyme": AnonymousUser(),
    }


@pytest.fixture
def committee(network, actors, partner):
    """A local committee of region A: ML A1, its conseiller and a Pôle emploi partner as members."""
    committee = Committee.objects.create(
        name="Comité local Alpha", level=CommitteeLevel.LOCAL, region=network.region_a, territory="Alpha-Nord"
    )
    committee.structures.add(network.ml_a1)
    committee.members.add(actors["conseiller"], partner)
    return committee
