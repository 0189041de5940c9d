"""How the core discovers what each app contributes, without importing any app.

Every feature app's ``AppConfig`` subclasses :class:`FeatureAppConfig` and
overrides the hooks it needs. The core walks Django's app registry and asks each
one: navigation entries, links for the home page, role permissions, demo data.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, TextIO

from django.apps import AppConfig, apps

if TYPE_CHECKING:
    from cnml.models import User


@dataclass(frozen=True)
class NavItem:
    """One entry of the main navigation."""

    label: str
    url: str
    # The entry is marked current for every path under this prefix.
    prefix: str = ""


@dataclass(frozen=True)
class HomeLink:
    """One thing a user can do, shown as a card on their home page."""

    title: str
    description: str
    url: str


@dataclass(frozen=True)
class OperationRun:
    """The last run of one of an app's long jobs (an import, a recompute), for ``/exploitation/``."""

    label: str
    # What happened, in French: « Réussi », « Échoué », « En cours », « Aucun ».
    result: str
    started_at: datetime | None = None
    finished_at: datetime | None = None
    failed: bool = False
    # One sentence more: the rows read, the first error.
    detail: str = ""
    # The job's name in the Prometheus metrics (``job`` label of ``cnml_job_*``, cnml/metrics.py).
    code: str = ""

    @property
    def duration(self) -> timedelta | None:
        if self.started_at and self.finished_at:
            return self.finished_at - self.started_at
        return None


class FeatureAppConfig(AppConfig):
    """Base class for the feature apps (dashboard, practices, surveys, mobility)."""

    # Each app's ``apps.py`` imports this class, so Django sees two AppConfig
    # subclasses there and, finding no single one, would fall back to a plain
    # AppConfig (no hooks, no URLs). The base is never a default; its subclasses are.
    default = False

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        cls.default = cls.__dict__.get("default", True)

    default_auto_field = "django.db.models.BigAutoField"
    # Position in the navigation and the home page.
    order: int = 100
    # Where the app's ``urls.py`` is mounted, in French ("tableau-de-bord/").
    url_prefix: str = ""
    # Optional second URL module mounted at the site root, for short public
    # links such as the surveys' ``/e/<code>/`` ("surveys.public_urls").
    root_urls: str = ""
    # role value -> permission codenames of this app ("view_fiche"), or "*" for all.
    role_permissions: dict[str, Iterable[str]] = {}

    def navigation(self, user: User) -> list[NavItem]:
        return []

    def home_links(self, user: User) -> list[HomeLink]:
        return []

    def load_demo(self, *, stdout: TextIO) -> None:
        """Add this app's demo data; must be idempotent."""

    def purge_expired(self, *, now: datetime) -> dict[str, int]:
        """Delete this app's data past its retention (docs/personal-data.md): how many of each kind.

        Called every hour by ``cnml.retention.purge_expired``; say why and for how long in the doc.
        """
        return {}

    def operations_status(self) -> list[OperationRun]:
        """The last run of each of this app's long jobs, for the operators' page (``cnml/operations.py``)."""
        return []


def feature_apps() -> list[FeatureAppConfig]:
    found = [config for config in apps.get_app_configs() if isinstance(config, FeatureAppConfig)]
    return sorted(found, key=lambda config: (config.order, config.label))


def url_includes() -> list:
    """Root URL patterns mounting each feature app's ``urls.py`` at its prefix.

    An app may also declare ``root_urls``, a second URL module mounted at the
    root (its patterns then carry their own first path segment).
    """
    from django.urls import include, path

    patterns = []
    for config in feature_apps():
        patterns.append(path(config.url_prefix, include(f"{config.name}.urls")))
        if config.root_urls:
            patterns.append(path("", include(config.root_urls)))
    return patterns


def navigation(user: User) -> list[NavItem]:
    return [item for config in feature_apps() for item in config.navigation(user)]


def home_links(user: User) -> list[HomeLink]:
    return [link for config in feature_apps() for link in config.home_links(user)]


def operations_status() -> list[OperationRun]:
    return [run for config in feature_apps() for run in config.operations_status()]
