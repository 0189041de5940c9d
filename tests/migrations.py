"""What the migrations install beside the schema (shipped rows, periodic tasks), for tests that install it again.

Each app has one migration, squashed (docs/migrations.md): its shipped rows' loaders live there.
"""

from __future__ import annotations

from importlib import import_module
from types import ModuleType

from django.apps import apps
from django.db.migrations.loader import MigrationLoader


def shipped(app: str) -> ModuleType:
    """The app's migration module, with the loaders of the rows it ships (``load_instruments``, ``seed``…)."""
    return import_module(f"{app}.migrations.0001_squashed")


def scheduling_operations() -> list:
    """Every periodic task a migration schedules (the operations made by ``cnml.schedules.every``)."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    return [
        operation
        for migration in loader.disk_migrations.values()
        for operation in migration.operations
        if getattr(getattr(operation, "code", None), "__qualname__", "").startswith("every.")
    ]


def schedule_everything() -> None:
    """Schedule every periodic task again: a transactional test may have emptied the tables (it is idempotent)."""
    for operation in scheduling_operations():
        operation.code(apps, None)
