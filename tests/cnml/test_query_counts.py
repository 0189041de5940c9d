"""Query-count guards of the core's pages (see tests/querycounts.py): the role-aware home page, the
legal pages, the login page and the health check, for every visitor.

The core's pages list nothing that grows: the home page asks each app for its links
(``home_links``), which count with one query each; a ceiling per visitor keeps it so.
"""

from __future__ import annotations

import pytest

from cnml.models import Role
from tests.conftest import build_network_and_users, kept_for_module
from tests.querycounts import ANONYMOUS

# The module's data is built once (kept_for_module): its tests stay on one pytest-xdist worker.
pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("cnml-query-counts")]


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with kept_for_module(django_db_blocker):
        _, users = build_network_and_users()
        yield {"users": users}


# (visitor, url): the most queries the page may make, and a text it shows.
CEILINGS = {
    (ANONYMOUS, "/"): (0, "Se connecter"),
    (Role.CONSEILLER, "/"): (3, "Camille"),
    (Role.DIRECTEUR, "/"): (3, "Dominique"),
    (Role.ANIMATEUR_REGIONAL, "/"): (4, "Alex"),
    (Role.RELECTEUR_CNML, "/"): (3, "Claude"),
    (Role.ADMINISTRATEUR, "/"): (3, "Sacha"),
    (ANONYMOUS, "/compte/connexion/"): (0, "Mot de passe"),
    (ANONYMOUS, "/accessibilite/"): (0, "accessibilité"),
    (ANONYMOUS, "/mentions-legales/"): (0, "Mentions légales"),
    (ANONYMOUS, "/donnees-personnelles/"): (0, "Données personnelles"),
    (ANONYMOUS, "/plan-du-site/"): (0, "Plan du site"),
    # With a broker (REDIS_URL), one more: the workers' signs of life.
    (ANONYMOUS, "/sante/"): (4, "base_de_donnees"),
}


@pytest.mark.parametrize(("visitor", "url"), list(CEILINGS))
def test_each_page_makes_a_bounded_number_of_queries(world, bounded_page, visitor, url):
    # /sante/ answers 503 when a service is missing
    bounded_page(world["users"], visitor, url, *CEILINGS[visitor, url], statuses=(200, 503))
