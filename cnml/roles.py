"""Django groups of each role, with their permissions declared in code.

``python manage.py sync_roles`` (run by ``make run`` and the demo, safe to
re-run) makes each role's group hold exactly the permissions listed here plus
those each feature app declares in ``FeatureAppConfig.role_permissions``.
Object-level rules (which structures) live in :mod:`cnml.permissions`.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.models import Group, Permission
from django.db import transaction

from cnml.models import Role
from cnml.registry import feature_apps

ALL = "*"

# app label -> role -> codenames ("*" for every permission of the app).
CORE_PERMISSIONS: dict[str, dict[str, Iterable[str]]] = {
    "cnml": {
        Role.CONSEILLER: ["view_region", "view_structure"],
        Role.DIRECTEUR: ["view_region", "view_structure"],
        Role.ANIMATEUR_REGIONAL: ["view_region", "view_structure"],
        Role.RELECTEUR_CNML: ["view_region", "view_structure", "view_user", "view_committee"],
        Role.ADMINISTRATEUR: [ALL],
    },
    "auth": {Role.ADMINISTRATEUR: ["view_group"]},
    "axes": {Role.ADMINISTRATEUR: [ALL]},
    "django_celery_beat": {Role.ADMINISTRATEUR: [ALL]},
}


def declared_permissions() -> dict[str, dict[str, list[str]]]:
    """role -> app label -> codenames, gathered from the core and every feature app."""
    declared: dict[str, dict[str, list[str]]] = {role: {} for role in Role.values}
    sources = list(CORE_PERMISSIONS.items())
    sources += [(config.label, config.role_permissions) for config in feature_apps()]
    for app_label, by_role in sources:
        for role, codenames in by_role.items():
            declared[role].setdefault(app_label, []).extend(codenames)
    # Administrators hold every permission of every feature app.
    for config in feature_apps():
        declared[Role.ADMINISTRATEUR][config.label] = [ALL]
    return declared


def _resolve(app_label: str, codenames: Iterable[str]) -> list[Permission]:
    codenames = list(codenames)
    queryset = Permission.objects.filter(content_type__app_label=app_label)
    if ALL in codenames:
        return list(queryset)
    found = list(queryset.filter(codename__in=codenames))
    missing = set(codenames) - {permission.codename for permission in found}
    if missing:
        raise ValueError(f"Permissions inconnues pour {app_label} : {', '.join(sorted(missing))}")
    return found


@transaction.atomic
def sync_role_groups() -> dict[str, int]:
    """Give each role's group exactly its declared permissions; return counts per role."""
    counts = {}
    for role, by_app in declared_permissions().items():
        group, _ = Group.objects.get_or_create(name=role)
        permissions = [perm for app_label, codenames in by_app.items() for perm in _resolve(app_label, codenames)]
        group.permissions.set(permissions)
        counts[role] = len(permissions)
    return counts
