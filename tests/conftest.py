"""Fixtures shared by every test package.

- Passwords are hashed with MD5 (fast) for the whole session; the password policy still applies.
- Under pytest-xdist (``make test``), each worker has its own test database (pytest-django names it
  ``test_<name>_gw0``…) and, with Redis, its own Redis database for the cache.
- Celery runs eagerly in every test (tasks execute in the calling process),
  except in tests marked ``real_worker`` which talk to a real broker and worker.
- ``network``: a small network of two regions, each with an ARML and two
  missions locales with one antenne each, plus the national CNML structure.
- ``users``: one active user per role on that network, keyed by role value;
  ``conseiller``: its conseiller; ``outsider``: a conseiller of the other region;
  ``antenne_user``: a conseiller of an antenne.
- ``client_for``: ``client_for(user)`` returns a test client logged in as
  ``user`` (``force_login``: django-axes refuses ``client.login`` without a request).
- ``kept_for_module(django_db_blocker)``: rows written once for a module's read-mostly tests
  (``build_network()``, ``build_users(network)`` build the fixtures' network and users there).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.conf import settings as django_settings
from django.db import transaction
from django.test import Client
from django.test.utils import override_settings
from django.utils.functional import empty

from cnml.models import Region, Role, Structure, StructureKind, User
from tests.concurrency import (  # noqa: F401  (fixtures of the concurrency tests)
    concurrent_server,
    file_database,
    keep_migrated_copy,
)
from tests.factories import (
    UserFactory,
)
from tests.outage import outage_phase, redis_down  # noqa: F401  (fixtures of the outage tests)
from tests.querycounts import bounded_page  # noqa: F401  (fixture of the query-count tests)


def pytest_configure(config):
    # WhiteNoise warns on every request when collectstatic has not been run (STATIC_ROOT missing).
    config.addinivalue_line("filterwarnings", "ignore:No directory at:UserWarning:whitenoise.*")


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker, tmp_path_factory):
    """The session's test database (pytest-django), and on SQLite a file copy of it, freshly migrated,
    for the tests that need a database in a file (tests/concurrency.py, a command run as a process);
    then the role groups of ``role_groups``, written once rather than in every test that has users."""
    from cnml.roles import sync_role_groups

    with django_db_blocker.unblock():
        keep_migrated_copy(tmp_path_factory)
        sync_role_groups()


@pytest.fixture(autouse=True)
def celery_eager(request):
    """Run Celery tasks in-process, unless the test is marked ``real_worker``."""
    if request.node.get_closest_marker("real_worker"):
        yield
        return
    from cnml.celery import app

    saved = (app.conf.task_always_eager, app.conf.task_eager_propagates)
    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True
    try:
        yield
    finally:
        app.conf.task_always_eager, app.conf.task_eager_propagates = saved


@pytest.fixture(scope="session", autouse=True)
def fast_password_hasher():
    """Hash passwords with MD5 in tests, data of a module or a session included: PBKDF2 is slow by design."""
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


@pytest.fixture(scope="session", autouse=True)
def cache_per_xdist_worker():
    """With Redis (.ci/run's second phase) and pytest-xdist, each worker's cache on a Redis database of its own.

    Tests empty the cache (``cache.clear()`` flushes the whole Redis database): two workers sharing one
    would empty each other's cache in the middle of a test.
    """
    worker_id = os.environ.get("PYTEST_XDIST_WORKER", "")
    if not django_settings.REDIS_URL or not worker_id:
        yield
        return
    from cnml.settings import redis_cache

    with override_settings(CACHES={"default": redis_cache(redis_url_of_worker(django_settings.REDIS_URL, worker_id))}):
        yield


@pytest.fixture(scope="session", autouse=True)
def media_outside_the_project(tmp_path_factory):
    """Uploads of every test in a temporary folder of its own pytest-xdist worker: never in the project,
    never shared by two workers (app fixtures may still give a test its own folder)."""
    from cnml.uploads import private_storage

    root = tmp_path_factory.mktemp("media")
    with override_settings(MEDIA_ROOT=root / "public", PRIVATE_MEDIA_ROOT=root / "private"):
        private_storage._wrapped = empty
        yield
    private_storage._wrapped = empty


@pytest.fixture
def private_media(settings, tmp_path):
    """This test's own temporary folders for private uploads and public media (requested, or made
    automatic by an app's conftest); the private folder."""
    from cnml.uploads import private_storage

    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    settings.MEDIA_ROOT = tmp_path / "media"
    private_storage._wrapped = empty
    yield settings.PRIVATE_MEDIA_ROOT
    private_storage._wrapped = empty


def redis_url_of_worker(url: str, worker_id: str) -> str:
    """``redis://host:port/15`` for xdist worker ``gw0`` -> database 14, ``gw1`` -> 13... (the broker keeps 15)."""
    parts = urlsplit(url)
    base = int(parts.path.strip("/") or 0)
    database = (base - 1 - int(worker_id.removeprefix("gw"))) % 16
    return urlunsplit(parts._replace(path=f"/{database}"))


@contextmanager
def kept_for_module(django_db_blocker) -> Iterator[None]:
    """Rows written once for a module's tests (Django's ``setUpTestData``): rolled back after the module.

    Use in a module-scoped fixture whose tests use ``db`` (not ``transactional_db``): each test runs in
    a savepoint inside this transaction, so what a test writes is undone after it, and the module's rows
    after the module. Python objects are shared: tests must not change them in memory. Mark the module
    ``pytest.mark.xdist_group(...)`` so that its tests stay on one worker (the data is built once).
    """
    with django_db_blocker.unblock(), transaction.atomic():
        yield
        transaction.set_rollback(True)


@dataclass
class Network:
    """Two regions; in each an ARML and two MLs with one antenne each; and the CNML."""

    region_a: Region
    region_b: Region
    cnml: Structure
    arml_a: Structure
    ml_a1: Structure
    antenne_a1: Structure
    ml_a2: Structure
    antenne_a2: Structure
    arml_b: Structure
    ml_b1: Structure
    antenne_b1: Structure
    ml_b2: Structure
    antenne_b2: Structure

    def structures_of(self, region: Region) -> list[Structure]:
        return [s for s in vars(self).values() if isinstance(s, Structure) and s.region_id == region.pk]

    @property
    def all_structures(self) -> list[Structure]:
        return [s for s in vars(self).values() if isinstance(s, Structure)]


@pytest.fixture
def network(db) -> Network:
    return build_network()


# The network of most tests: (field, code, name, kind, region's field, parent's field). The structures
# are written level by level, each level in one statement (a test's set-up runs this a thousand times).
NETWORK_REGIONS = (("region_a", "901", "Région Alpha"), ("region_b", "902", "Région Bêta"))
NETWORK_STRUCTURES = (
    ("cnml", "CNML", "Conseil national des missions locales", StructureKind.CNML, None, None),
    ("arml_a", "ARMLA", "ARML Alpha", StructureKind.ARML, "region_a", None),
    ("ml_a1", "MLA1", "Mission locale Alpha 1", StructureKind.ML, "region_a", None),
    ("ml_a2", "MLA2", "Mission locale Alpha 2", StructureKind.ML, "region_a", None),
    ("arml_b", "ARMLB", "ARML Bêta", StructureKind.ARML, "region_b", None),
    ("ml_b1", "MLB1", "Mission locale Bêta 1", StructureKind.ML, "region_b", None),
    ("ml_b2", "MLB2", "Mission locale Bêta 2", StructureKind.ML, "region_b", None),
    ("antenne_a1", "ANTA1", "Antenne Alpha 1", StructureKind.ANTENNE, "region_a", "ml_a1"),
    ("antenne_a2", "ANTA2", "Antenne Alpha 2", StructureKind.ANTENNE, "region_a", "ml_a2"),
    ("antenne_b1", "ANTB1", "Antenne Bêta 1", StructureKind.ANTENNE, "region_b", "ml_b1"),
    ("antenne_b2", "ANTB2", "Antenne Bêta 2", StructureKind.ANTENNE, "region_b", "ml_b2"),
)


def _written_by_code(model, rows: dict) -> dict:
    """``rows`` (code → unsaved instance) written in one statement; a code already there keeps its row
    (a module's data built once, ``kept_for_module``), as ``get_or_create`` would."""
    existing = model.objects.in_bulk(list(rows), field_name="code")
    model.objects.bulk_create([row for code, row in rows.items() if code not in existing])
    return {code: existing.get(code, row) for code, row in rows.items()}


def build_network() -> Network:
    by_field: dict = {}
    regions = _written_by_code(Region, {code: Region(code=code, name=name) for _, code, name in NETWORK_REGIONS})
    by_field.update({field: regions[code] for field, code, _ in NETWORK_REGIONS})
    for parents in (False, True):  # the parents first, then the antennes
        level = [row for row in NETWORK_STRUCTURES if (row[5] is not None) == parents]
        written = _written_by_code(
            Structure,
            {
                code: Structure(
                    code=code,
                    name=name,
                    kind=kind,
                    region=by_field.get(region),
                    parent=by_field.get(parent),
                    active=True,
                )
                for _, code, name, kind, region, parent in level
            },
        )
        by_field.update({field: written[code] for field, code, *_ in level})
    return Network(**by_field)


def ensure_role_groups() -> None:
    """Each role's group with its declared permissions (``sync_roles``): written with the test database
    (``django_db_setup``), written again when a transactional test has emptied the tables."""
    from django.contrib.auth.models import Group

    from cnml.roles import sync_role_groups

    groups = Group.objects.filter(name__in=Role.values)
    if groups.count() < len(Role.values) or not groups.filter(name=Role.ADMINISTRATEUR, permissions__isnull=False):
        sync_role_groups()


@pytest.fixture
def role_groups(db) -> None:
    ensure_role_groups()


@pytest.fixture
def users(network: Network, role_groups) -> dict[str, User]:
    """One user per role, keyed by role value; the local ones in region A, ML A1."""
    return build_users(network)


@pytest.fixture
def conseiller(users) -> User:
    """The conseiller of ``users`` (ML A1), the tests' most common actor."""
    return users[Role.CONSEILLER]


def build_network_and_users() -> tuple[Network, dict[str, User]]:
    """The ``network`` and ``users`` fixtures' data with the role groups, for a module's data built
    once (``kept_for_module``)."""
    ensure_role_groups()
    network = build_network()
    return network, build_users(network)


def build_users(network: Network) -> dict[str, User]:
    """The users of the ``users`` fixture (the role groups must exist: ``sync_role_groups()``)."""
    return {
        Role.CONSEILLER: UserFactory(
            email="conseiller@test.cnml.fr", role=Role.CONSEILLER, structure=network.ml_a1, first_name="Camille"
        ),
        Role.DIRECTEUR: UserFactory(
            email="directeur@test.cnml.fr", role=Role.DIRECTEUR, structure=network.ml_a1, first_name="Dominique"
        ),
        Role.ANIMATEUR_REGIONAL: UserFactory(
            email="animateur@test.cnml.fr",
            role=Role.ANIMATEUR_REGIONAL,
            structure=network.arml_a,
            first_name="Alex",
        ),
        Role.RELECTEUR_CNML: UserFactory(
            email="relecteur@test.cnml.fr", role=Role.RELECTEUR_CNML, structure=network.cnml, first_name="Claude"
        ),
        Role.ADMINISTRATEUR: UserFactory(
            email="admin@test.cnml.fr", role=Role.ADMINISTRATEUR, structure=network.cnml, first_name="Sacha"
        ),
    }


@pytest.fixture
def outsider(network: Network, role_groups) -> User:
    """A conseiller of the other region (B)."""
    return UserFactory(email="ailleurs@test.cnml.fr", role=Role.CONSEILLER, structure=network.ml_b1)


@pytest.fixture
def partner(network: Network, role_groups) -> User:
    """A partner of comités de pilotage (a Pôle emploi agent): no structure, member of no committee yet."""
    return UserFactory(email="partenaire@test.cnml.fr", role=Role.PARTENAIRE, structure=None, first_name="Morgane")


@pytest.fixture
def antenne_user(network: Network, role_groups) -> User:
    """A conseiller of antenne A1 (of mission locale A1)."""
    return UserFactory(email="antenne@test.cnml.fr", role=Role.CONSEILLER, structure=network.antenne_a1)


@pytest.fixture
def client_for():
    """``client_for(user)``: a fresh test client logged in as ``user`` (or anonymous for None)."""

    def make(user: User | None) -> Client:
        client = Client()
        if user is not None:
            client.force_login(user)
        return client

    return make
