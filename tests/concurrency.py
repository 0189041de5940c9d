"""Real concurrency in tests: threads with their own database connections, and a live server whose
requests each get their own connection, on PostgreSQL and on a SQLite *file*.

The test database of SQLite is in memory and shared by every thread of the process through one
connection cache, which serialises everything and hides what a file database does under parallel
writers (``database is locked``). ``file_database`` moves the default database to a migrated file for
one test, as the embedded default (``make run``) has it, with the project's SQLite options; on
PostgreSQL it changes nothing. The fixtures are registered in ``tests/conftest.py``; mark the tests
``django_db(transaction=True)``: the threads only see committed rows.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import closing
from http.cookiejar import CookieJar
from pathlib import Path
from urllib import error, parse, request

import pytest
from django.contrib.contenttypes.models import ContentType
from django.contrib.staticfiles.handlers import StaticFilesHandler
from django.core.management import call_command
from django.db import connection, connections
from django.test.testcases import LiveServerThread

JOIN_TIMEOUT = 60


# The process's migrated SQLite file, copied for each test that needs one: a copy of the session's test
# database taken right after its creation (tests/conftest.py), or else made by the first test that needs it.
# Each pytest-xdist worker has its own (its temporary folder, this module's state).
_migrated: list[Path] = []


def keep_migrated_copy(tmp_path_factory) -> None:
    """On SQLite, copy the session's freshly migrated test database to a file: no second ``migrate``."""
    if connection.vendor != "sqlite" or _migrated:
        return
    connection.ensure_connection()
    target = tmp_path_factory.mktemp("concurrency") / "migrated.sqlite3"
    with closing(sqlite3.connect(target)) as copy:
        connection.connection.backup(copy)
    _migrated.append(target)


def copy_migrated(path: Path) -> bool:
    """Write a migrated SQLite database at ``path`` from the process's copy; False when there is none."""
    if not _migrated:
        return False
    with closing(sqlite3.connect(_migrated[0])) as source, closing(sqlite3.connect(path)) as copy:
        source.backup(copy)
    return True


@pytest.fixture
def file_database(transactional_db, tmp_path, tmp_path_factory) -> Iterator[None]:
    """On SQLite: the default database in a migrated file for the test (its in-memory one set aside)."""
    if connection.vendor != "sqlite":
        yield
        return
    settings_dict = connection.settings_dict  # the dict every thread's connection is built from
    memory_name, memory_connection = settings_dict["NAME"], connection.connection
    # The in-memory database lives as long as this connection: keep it open, aside.
    connection.connection = None
    path = tmp_path / "concurrency.sqlite3"
    ContentType.objects.clear_cache()
    try:
        if not _migrated:
            migrated = tmp_path_factory.mktemp("concurrency") / "migrated.sqlite3"
            settings_dict["NAME"] = str(migrated)
            call_command("migrate", verbosity=0)
            connections.close_all()
            _migrated.append(migrated)
        copy_migrated(path)
        settings_dict["NAME"] = str(path)
        yield
    finally:
        connections.close_all()
        settings_dict["NAME"] = memory_name
        connection.connection = memory_connection
        ContentType.objects.clear_cache()


def run_together(target: Callable[[], object], count: int) -> list:
    """Run ``target`` in ``count`` threads released at the same instant; their results or exceptions."""
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def worker(index: int) -> None:
        try:
            barrier.wait()
            results[index] = target()
        except Exception as exc:  # reported to the test, which asserts on it
            results[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=JOIN_TIMEOUT)
    return results


class Browser:
    """A visitor of the live server: its own cookies, a page read for its CSRF token, then a POST."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.opener = request.build_opener(request.HTTPCookieProcessor(CookieJar()), _NoRedirect)
        self.csrf_token = ""

    def get(self, path: str) -> tuple[int, str]:
        status, body = self._open(request.Request(self.base_url + path))
        marker = 'name="csrfmiddlewaretoken" value="'
        if marker in body:
            self.csrf_token = body.split(marker, 1)[1].split('"', 1)[0]
        return status, body

    def post(self, path: str, data: dict) -> tuple[int, str, str]:
        """(status, body, Location) of a form POST (redirects are not followed)."""
        fields = {"csrfmiddlewaretoken": self.csrf_token, **data}
        body = parse.urlencode(fields, doseq=True).encode()
        req = request.Request(self.base_url + path, data=body, method="POST")
        try:
            with self.opener.open(req, timeout=JOIN_TIMEOUT) as response:
                return response.status, response.read().decode(), ""
        except error.HTTPError as exc:
            return exc.code, exc.read().decode(errors="replace"), exc.headers.get("Location", "")

    def _open(self, req) -> tuple[int, str]:
        try:
            with self.opener.open(req, timeout=JOIN_TIMEOUT) as response:
                return response.status, response.read().decode()
        except error.HTTPError as exc:
            return exc.code, exc.read().decode(errors="replace")


class _NoRedirect(request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


@pytest.fixture
def concurrent_server(file_database, settings) -> Iterator[str]:
    """The URL of a live server answering each request in its own thread, with its own connection."""
    settings.ALLOWED_HOSTS = ["localhost", "127.0.0.1", "testserver"]
    settings.SECURE_SSL_REDIRECT = False
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    server = LiveServerThread("localhost", StaticFilesHandler, connections_override=None, port=0)
    server.daemon = True
    server.start()
    server.is_ready.wait()
    if server.error:
        raise server.error
    try:
        yield f"http://localhost:{server.port}"
    finally:
        server.terminate()
        server.join(timeout=JOIN_TIMEOUT)
