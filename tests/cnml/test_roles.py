"""Role groups and their permissions, the user model's invariants, e-mail log-in."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ValidationError
from django.core.management import call_command

from cnml.models import NATIONAL_ROLES, Role, Structure, StructureKind, User
from cnml.roles import ALL, declared_permissions, sync_role_groups
from tests.factories import AntenneFactory, CnmlFactory, MissionLocaleFactory, UserFactory

pytestmark = pytest.mark.django_db


def group_permissions(role: str) -> set[str]:
    return {
        f"{app_label}.{codename}"
        for app_label, codename in Group.objects.get(name=role).permissions.values_list(
            "content_type__app_label", "codename"
        )
    }


def expected_permissions(role: str) -> set[str]:
    expected = set()
    for app_label, codenames in declared_permissions()[role].items():
        queryset = Permission.objects.filter(content_type__app_label=app_label)
        if ALL not in codenames:
            queryset = queryset.filter(codename__in=codenames)
        expected |= {f"{app_label}.{codename}" for codename in queryset.values_list("codename", flat=True)}
    return expected


def all_group_permissions() -> dict[str, set[str]]:
    return {role: group_permissions(role) for role in Role.values}


def test_sync_roles_creates_one_group_per_role():
    out = io.StringIO()
    call_command("sync_roles", stdout=out)

    assert set(Group.objects.values_list("name", flat=True)) >= set(Role.values)
    output = out.getvalue()
    for role in Role:
        assert f"{role.label} : " in output
    assert "Groupes des rôles à jour." in output


def test_sync_roles_is_safe_to_rerun():
    call_command("sync_roles", stdout=io.StringIO())
    first = all_group_permissions()
    groups = Group.objects.count()

    call_command("sync_roles", stdout=io.StringIO())

    assert all_group_permissions() == first
    assert Group.objects.count() == groups


@pytest.mark.parametrize("role", Role.values)
def test_each_role_group_holds_exactly_its_declared_permissions(role):
    sync_role_groups()

    assert group_permissions(role) == expected_permissions(role)


def test_sync_roles_removes_permissions_added_by_hand():
    sync_role_groups()
    group = Group.objects.get(name=Role.CONSEILLER)
    stray = Permission.objects.get(content_type__app_label="cnml", codename="delete_structure")
    group.permissions.add(stray)

    sync_role_groups()

    assert stray not in group.permissions.all()
    assert group_permissions(Role.CONSEILLER) == {"cnml.view_region", "cnml.view_structure"}


def test_role_permissions_follow_the_declared_rules():
    sync_role_groups()
    perms = all_group_permissions()

    for role in (Role.CONSEILLER, Role.DIRECTEUR, Role.ANIMATEUR_REGIONAL):
        assert {"cnml.view_region", "cnml.view_structure"} <= perms[role]
        assert "cnml.view_user" not in perms[role]
        assert "cnml.change_structure" not in perms[role]
    assert "cnml.view_user" in perms[Role.RELECTEUR_CNML]
    assert "cnml.change_user" not in perms[Role.RELECTEUR_CNML]
    cnml_models = {"region", "structure", "user", "workerprobe"}
    for model in cnml_models:
        for action in ("add", "change", "delete", "view"):
            assert f"cnml.{action}_{model}" in perms[Role.ADMINISTRATEUR]
    assert "auth.view_group" in perms[Role.ADMINISTRATEUR]
    assert "auth.change_group" not in perms[Role.ADMINISTRATEUR]


def test_user_permissions_come_from_their_role_group(network):
    sync_role_groups()
    conseiller = UserFactory(role=Role.CONSEILLER, structure=network.ml_a1)
    admin = UserFactory(role=Role.ADMINISTRATEUR, structure=network.cnml)

    assert conseiller.has_perm("cnml.view_structure")
    assert not conseiller.has_perm("cnml.change_structure")
    assert admin.has_perm("cnml.change_structure")
    assert admin.has_perm("cnml.add_user")


def test_user_save_puts_the_user_in_exactly_their_role_group(network):
    user = UserFactory(role=Role.CONSEILLER, structure=network.ml_a1)
    other = Group.objects.create(name="groupe-libre")
    user.groups.add(other)
    assert set(user.groups.values_list("name", flat=True)) == {Role.CONSEILLER, "groupe-libre"}

    user.role = Role.DIRECTEUR
    user.save()

    # The previous role's group is left; a group that is not a role is kept.
    assert set(user.groups.values_list("name", flat=True)) == {Role.DIRECTEUR, "groupe-libre"}


def test_user_save_repairs_a_stray_role_group(network):
    user = UserFactory(role=Role.CONSEILLER, structure=network.ml_a1)
    user.groups.add(Group.objects.get_or_create(name=Role.ADMINISTRATEUR)[0])

    user.save()

    assert list(user.groups.values_list("name", flat=True)) == [Role.CONSEILLER]


def test_a_save_of_other_fields_leaves_the_groups_alone(network, django_assert_num_queries):
    user = UserFactory(role=Role.CONSEILLER, structure=network.ml_a1)
    user.groups.add(Group.objects.get_or_create(name=Role.ADMINISTRATEUR)[0])

    # A log-in saves last_login only: one UPDATE, no group rewritten (the role cannot have changed).
    with django_assert_num_queries(1):
        user.save(update_fields=["last_login"])
    assert set(user.groups.values_list("name", flat=True)) == {Role.CONSEILLER, Role.ADMINISTRATEUR}

    user.role = Role.DIRECTEUR
    user.save(update_fields=["role"])

    assert list(user.groups.values_list("name", flat=True)) == [Role.DIRECTEUR]


@pytest.mark.parametrize("role", Role.values)
def test_is_staff_follows_the_role(network, role):
    structure = network.cnml if role in NATIONAL_ROLES else network.ml_a1
    user = UserFactory(role=role, structure=structure)

    assert user.is_staff is (role in (Role.RELECTEUR_CNML, Role.ADMINISTRATEUR))
    user.refresh_from_db()
    assert user.is_staff is (role in (Role.RELECTEUR_CNML, Role.ADMINISTRATEUR))


def test_is_staff_cannot_drift_from_the_role(network):
    user = UserFactory(role=Role.CONSEILLER, structure=network.ml_a1)
    user.is_staff = True
    user.save()
    user.refresh_from_db()
    assert not user.is_staff

    user.role = Role.RELECTEUR_CNML
    user.save()
    user.refresh_from_db()
    assert user.is_staff

    user.role = Role.ANIMATEUR_REGIONAL
    user.save()
    user.refresh_from_db()
    assert not user.is_staff


def test_create_superuser_is_an_administrator_with_admin_access():
    CnmlFactory(code="CNML")
    user = User.objects.create_superuser("Chef@Exemple.FR", "un-mot-de-passe-solide")

    assert user.email == "chef@exemple.fr"
    assert user.role == Role.ADMINISTRATEUR
    assert user.is_staff
    assert user.is_superuser
    assert list(user.groups.values_list("name", flat=True)) == [Role.ADMINISTRATEUR]


def test_create_user_stores_the_email_in_lower_case(network):
    user = User.objects.create_user("Camille.Martin@Exemple.FR", "un-mot-de-passe-solide", structure=network.ml_a1)

    assert user.email == "camille.martin@exemple.fr"
    assert User.objects.get_by_natural_key("CAMILLE.MARTIN@exemple.fr") == user


def test_email_log_in_is_case_insensitive(client, network):
    UserFactory(email="camille.martin@exemple.fr", structure=network.ml_a1, password="un-mot-de-passe-solide")

    response = client.post(
        "/compte/connexion/", {"username": "CAMILLE.Martin@EXEMPLE.FR", "password": "un-mot-de-passe-solide"}
    )

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.get("/enquetes/").status_code == 200


# --- Model validation --------------------------------------------------------------------


def test_antenne_without_parent_is_invalid(network):
    antenne = Structure(code="ANTX", name="Antenne orpheline", kind=StructureKind.ANTENNE, region=network.region_a)

    with pytest.raises(ValidationError) as excinfo:
        antenne.full_clean()

    assert excinfo.value.message_dict["parent"] == ["Une antenne doit être rattachée à une mission locale ou une PAIO."]


def test_antenne_of_an_antenne_is_invalid(network):
    antenne = Structure(
        code="ANTX", name="Sous-antenne", kind=StructureKind.ANTENNE, region=network.region_a, parent=network.antenne_a1
    )

    with pytest.raises(ValidationError) as excinfo:
        antenne.full_clean()

    assert "parent" in excinfo.value.message_dict


def test_antenne_of_a_mission_locale_is_valid(network):
    antenne = Structure(
        code="ANTX", name="Antenne", kind=StructureKind.ANTENNE, region=network.region_a, parent=network.ml_a1
    )

    antenne.full_clean()


def test_mission_locale_with_a_parent_is_invalid(network):
    ml = Structure(
        code="MLX", name="Mission locale", kind=StructureKind.ML, region=network.region_a, parent=network.ml_a1
    )

    with pytest.raises(ValidationError) as excinfo:
        ml.full_clean()

    assert excinfo.value.message_dict["parent"] == ["Seule une antenne a une structure de rattachement."]


def test_local_structure_without_region_is_invalid():
    ml = Structure(code="MLX", name="Mission locale", kind=StructureKind.ML)

    with pytest.raises(ValidationError) as excinfo:
        ml.full_clean()

    assert excinfo.value.message_dict["region"] == ["Cette structure doit appartenir à une région."]


def test_cnml_without_region_is_valid():
    Structure(code="CNML2", name="Conseil national", kind=StructureKind.CNML).full_clean()


def test_database_refuses_an_antenne_without_parent(network):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Structure.objects.create(code="ANTX", name="Antenne", kind=StructureKind.ANTENNE, region=network.region_a)


def test_database_refuses_a_mission_locale_with_parent(network):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        MissionLocaleFactory(code="MLX", region=network.region_a, parent=network.ml_a1)


def test_antenne_factory_builds_a_valid_antenne():
    antenne = AntenneFactory()

    antenne.full_clean()
    assert antenne.parent.kind == StructureKind.ML
    assert antenne.region == antenne.parent.region


@pytest.mark.parametrize("role", [Role.CONSEILLER, Role.DIRECTEUR, Role.ANIMATEUR_REGIONAL, Role.RELECTEUR_CNML])
def test_user_without_structure_is_invalid(role):
    user = User(email="sans.structure@exemple.fr", role=role)
    user.set_password("un-mot-de-passe-solide")

    with pytest.raises(ValidationError) as excinfo:
        user.full_clean()

    assert excinfo.value.message_dict["structure"] == ["Chaque utilisateur est rattaché à une structure."]


def test_administrateur_without_structure_is_valid():
    user = User(email="admin.seul@exemple.fr", role=Role.ADMINISTRATEUR)
    user.set_password("un-mot-de-passe-solide")

    user.full_clean()


def test_animateur_regional_on_the_national_structure_is_invalid(network):
    user = User(email="animateur@exemple.fr", role=Role.ANIMATEUR_REGIONAL, structure=network.cnml)
    user.set_password("un-mot-de-passe-solide")

    with pytest.raises(ValidationError) as excinfo:
        user.full_clean()

    assert "structure" in excinfo.value.message_dict


def test_full_clean_lowers_the_email(network):
    user = User(email="Camille@Exemple.FR", role=Role.CONSEILLER, structure=network.ml_a1)
    user.set_password("un-mot-de-passe-solide")

    user.full_clean()

    assert user.email == "camille@exemple.fr"
