"""Membership of the network: a user's structure and role are set by an administrator, nowhere else.

``cnml.User.structure`` decides which structures a user reads and acts for (``cnml.permissions``),
and the role decides what they may do. No page lets a user choose them: there is no sign-up and
no profile form, only the admin, where only administrators change accounts. See docs/permissions.md.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from cnml.models import Role
from tests.factories import DEMO_PASSWORD
from tests.routes import url_patterns

pytestmark = pytest.mark.django_db


def _user_change_data(user, **changes) -> dict:
    data = {
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "structure": str(user.structure_id or ""),
        "role": user.role,
        "is_active": "on" if user.is_active else "",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value != ""}


def test_only_an_administrator_moves_a_user_to_another_structure(client_for, users, network):
    conseiller = users[Role.CONSEILLER]
    url = reverse("admin:cnml_user_change", args=[conseiller.pk])
    data = _user_change_data(conseiller, structure=str(network.ml_b1.pk))

    # A CNML reviewer reads the accounts, and changes none.
    assert client_for(users[Role.RELECTEUR_CNML]).post(url, data).status_code == 403
    conseiller.refresh_from_db()
    assert conseiller.structure == network.ml_a1

    response = client_for(users[Role.ADMINISTRATEUR]).post(url, data)

    assert response.status_code == 302
    conseiller.refresh_from_db()
    assert conseiller.structure == network.ml_b1


@pytest.mark.parametrize("role", [Role.CONSEILLER, Role.DIRECTEUR, Role.ANIMATEUR_REGIONAL])
def test_local_roles_do_not_reach_the_accounts_admin(client_for, users, network, role):
    user = users[role]

    response = client_for(user).post(
        reverse("admin:cnml_user_change", args=[user.pk]), _user_change_data(user, structure=str(network.cnml.pk))
    )

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
    user.refresh_from_db()
    assert user.structure != network.cnml


def test_the_admin_sets_no_group_and_no_superuser_flag_beside_the_role(client_for, users):
    conseiller = users[Role.CONSEILLER]
    admin_group = Group.objects.get(name=Role.ADMINISTRATEUR)

    client_for(users[Role.ADMINISTRATEUR]).post(
        reverse("admin:cnml_user_change", args=[conseiller.pk]),
        _user_change_data(conseiller, groups=[str(admin_group.pk)], is_superuser="on", is_staff="on"),
    )

    conseiller.refresh_from_db()
    assert list(conseiller.groups.values_list("name", flat=True)) == [Role.CONSEILLER]
    assert not conseiller.is_superuser
    assert not conseiller.is_staff


def test_the_account_pages_never_change_the_structure_or_the_role(client_for, users, network):
    conseiller = users[Role.CONSEILLER]

    client_for(conseiller).post(
        "/compte/mot-de-passe/modifier/",
        {
            "old_password": DEMO_PASSWORD,
            "new_password1": "Un-nouveau-mot-de-passe-2011",
            "new_password2": "Un-nouveau-mot-de-passe-2011",
            "structure": str(network.cnml.pk),
            "role": Role.ADMINISTRATEUR,
        },
    )

    conseiller.refresh_from_db()
    assert (conseiller.structure, conseiller.role) == (network.ml_a1, Role.CONSEILLER)


def test_there_is_no_self_service_route_to_an_account():
    """No sign-up, no profile form: a new account page is a permission decision (docs/permissions.md)."""
    account_routes = {route for name, route in url_patterns() if name and route.startswith("compte/")}

    assert account_routes == {
        "compte/connexion/",
        "compte/deconnexion/",
        "compte/mot-de-passe/oublie/",
        "compte/mot-de-passe/oublie/envoye/",
        "compte/mot-de-passe/reinitialiser/<uidb64>/<token>/",
        "compte/mot-de-passe/reinitialise/",
        "compte/mot-de-passe/modifier/",
        "compte/mot-de-passe/modifie/",
        # ProConnect signs an existing account in, never creates one (tests/cnml/test_proconnect.py).
        "compte/proconnect/connexion/",
        "compte/proconnect/retour/",
        "compte/proconnect/deconnecte/",
    }
