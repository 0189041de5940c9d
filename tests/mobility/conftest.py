"""Fixtures of the mobility tests, on the small network of tests/conftest.py.

- ``cat``: the services and funders catalogues (``tests.mobility.factories.catalogue``);
- ``call``: a published call, open today (every test here lives at the frozen ``tests.clock.NOW``);
- ``carrier_a1``: mission locale A1 as a carrier (its conseiller and director are its users);
- ``outside_carrier``: a maison de l'emploi of region A, outside the network, whose only
  member is ``member`` (a conseiller of ML A2);
- ``project``: the project of ML A1 (partner: ML B1), born from a complete application.
"""

from __future__ import annotations

import pytest

from cnml.models import Role
from mobility.models import Carrier
from tests.clock import NOW, TODAY
from tests.factories import UserFactory
from tests.mobility.factories import CallFactory, CarrierFactory, catalogue, make_project

THIS_YEAR = TODAY.year


@pytest.fixture(autouse=True)
def frozen_clock(time_machine):
    """Calls open "today", reports of "this year", late milestones: every mobility test lives at the frozen
    :data:`tests.clock.NOW` (its clock ticks from there)."""
    time_machine.move_to(NOW)


@pytest.fixture(autouse=True)
def own_media(private_media):
    """Uploads in this test's own temporary folders (``private_media``), never in the project."""


@pytest.fixture
def cat(db) -> dict:
    return catalogue()


@pytest.fixture
def call(db):
    """This year's call (reports of a future year are refused)."""
    return CallFactory(year=THIS_YEAR)


@pytest.fixture
def carrier_a1(network) -> Carrier:
    return Carrier.objects.create(structure=network.ml_a1, name=network.ml_a1.name, region=network.region_a)


@pytest.fixture
def member(network, role_groups):
    return UserFactory(email="membre@porteur.example.fr", role=Role.CONSEILLER, structure=network.ml_a2)


@pytest.fixture
def outside_carrier(network, member) -> Carrier:
    carrier = CarrierFactory(name="Maison de l'emploi Alpha", region=network.region_a)
    carrier.members.add(member)
    return carrier


@pytest.fixture
def project(network, users, call, cat, carrier_a1):
    project = make_project(call=call, user=users[Role.DIRECTEUR], carrier=carrier_a1, cat=cat)
    project.application.partners.add(network.ml_b1)
    project.partners.add(network.ml_b1)
    return project
