"""``python manage.py demo``: the demo network and one account per role, idempotent."""

from __future__ import annotations

import io

import pytest
from django.apps import apps
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from django.db import connection

from cnml.demo import DEMO_ACCOUNTS, DEMO_PASSWORD
from cnml.models import Role, Structure, User

pytestmark = pytest.mark.django_db

EXPECTED_ACCOUNTS = {
    "conseiller@demo.cnml.fr": (Role.CONSEILLER, "ML93001"),
    "directeur@demo.cnml.fr": (Role.DIRECTEUR, "ML93001"),
    "animateur@demo.cnml.fr": (Role.ANIMATEUR_REGIONAL, "ARML93"),
    "relecteur@demo.cnml.fr": (Role.RELECTEUR_CNML, "CNML"),
    "admin@demo.cnml.fr": (Role.ADMINISTRATEUR, "CNML"),
    "partenaire@demo.cnml.fr": (Role.PARTENAIRE, None),
}


def run_demo() -> str:
    out = io.StringIO()
    call_command("demo", stdout=out)
    return out.getvalue()


def row_counts() -> dict[str, int]:
    """Rows of every model of the project (with a table: migrations may be in the making), to compare two runs."""
    tables = set(connection.introspection.table_names())
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models()
        if model._meta.db_table in tables
    }


@pytest.fixture
def debug(settings):
    settings.DEBUG = True


def test_demo_creates_one_account_per_role_with_the_demo_password(debug, client):
    output = run_demo()

    assert {email for email, *_ in DEMO_ACCOUNTS} == set(EXPECTED_ACCOUNTS)
    for email, (role, structure_code) in EXPECTED_ACCOUNTS.items():
        user = User.objects.get(email=email)
        assert user.role == role
        assert (user.structure.code if user.structure_id else None) == structure_code
        assert user.is_active
        assert user.check_password(DEMO_PASSWORD)
        assert user.check_password("demo-cnml-2011")
        assert list(user.groups.values_list("name", flat=True)) == [role]
        assert email in output
    assert {u.role for u in User.objects.filter(email__in=EXPECTED_ACCOUNTS)} == set(Role.values)
    assert "mot de passe : demo-cnml-2011" in output
    assert "Données de démonstration chargées." in output


def test_demo_accounts_can_log_in(debug, client):
    run_demo()

    response = client.post("/compte/connexion/", {"username": "directeur@demo.cnml.fr", "password": DEMO_PASSWORD})

    assert response.status_code == 302
    assert "Dominique" in client.get("/").content.decode()


def test_demo_staff_flags_follow_the_roles(debug):
    run_demo()

    staff = set(User.objects.filter(email__in=EXPECTED_ACCOUNTS, is_staff=True).values_list("email", flat=True))
    assert staff == {"relecteur@demo.cnml.fr", "admin@demo.cnml.fr"}


def test_demo_loads_the_sample_network_the_cnml_and_an_arml(debug):
    run_demo()

    assert Structure.objects.filter(code="CNML", kind="CNML", region__isnull=True).exists()
    assert Structure.objects.get(code="ARML93").region.code == "93"
    # The 15 structures of the sample extract, plus the CNML and the ARML.
    assert Structure.objects.filter(code__startswith="ML").count() == 15
    assert Structure.objects.filter(code__in=["CNML", "ARML93"]).count() == 2


def test_demo_syncs_the_role_groups(debug):
    run_demo()

    for role in Role.values:
        assert Group.objects.filter(name=role).exists()
    assert Group.objects.get(name=Role.ADMINISTRATEUR).permissions.filter(codename="change_structure").exists()


def test_demo_is_idempotent(debug):
    run_demo()
    first = row_counts()
    users_before = dict(User.objects.values_list("email", "pk"))

    run_demo()

    assert row_counts() == first
    assert dict(User.objects.values_list("email", "pk")) == users_before
    assert User.objects.filter(email__in=EXPECTED_ACCOUNTS).count() == len(EXPECTED_ACCOUNTS)


def test_demo_restores_a_changed_demo_account(debug):
    run_demo()
    user = User.objects.get(email="conseiller@demo.cnml.fr")
    user.set_password("autre-mot-de-passe-2011")
    user.role = Role.ADMINISTRATEUR
    user.is_active = False
    user.save()

    run_demo()

    user.refresh_from_db()
    assert user.check_password(DEMO_PASSWORD)
    assert user.role == Role.CONSEILLER
    assert user.is_active
    assert not user.is_staff


def test_demo_refuses_to_run_when_debug_is_off(settings):
    settings.DEBUG = False

    with pytest.raises(CommandError) as excinfo:
        run_demo()

    assert "qu'en développement (DEBUG=true)" in str(excinfo.value)
    assert not User.objects.exists()
    assert not Structure.objects.exists()
