"""Redis down, for real or simulated: the fixture of the outage tests (registered in tests/conftest.py).

``redis_down``: the cache and the Celery broker are unreachable and tasks are not eager.

- In .ci/run's third phase (``CNML_OUTAGE=1``), Redis on ``REDIS_URL`` has really been stopped:
  the fixture checks that it is down and that the database is PostgreSQL, and changes nothing.
- Elsewhere it points the cache and the broker at a closed port of this machine, which fails the
  same way (connection refused), so the same tests guard every run.

Markers: ``outage`` for the tests of this fixture (selected by the third phase, which runs them
against the stopped Redis); ``outage_backlog`` and ``outage_recovery`` for the two steps around
the restart (tests/cnml/test_outage_recovery.py), which only make sense there. Those use
``outage_phase``: they skip elsewhere, and fail in that phase when Redis still answers.
"""

from __future__ import annotations

import os
import socket
import time

import pytest
import redis
from django.conf import settings as django_settings
from django.db import connection

OUTAGE = os.environ.get("CNML_OUTAGE") == "1"
NEEDS_OUTAGE_PHASE = "Needs .ci/run's third phase: Redis stopped (CNML_OUTAGE=1)."


def closed_port() -> int:
    """A port nothing listens on (the OS just handed it out and it was released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def redis_answers(url: str) -> bool:
    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1).ping())
    except redis.exceptions.RedisError:
        return False


def reset_celery_connections(app) -> None:
    """Forget the pooled broker connections and the result backend, built for the previous settings."""
    app._after_fork()
    app._backend_cache = None
    app._local.__dict__.pop("backend", None)


def assert_real_outage() -> None:
    assert django_settings.REDIS_URL, "REDIS_URL must point at the stopped Redis in the outage phase"
    assert not redis_answers(django_settings.REDIS_URL), "Redis still answers: the outage phase stops it first"
    assert connection.vendor == "postgresql", "the outage phase runs on PostgreSQL"


@pytest.fixture
def redis_down(settings):
    from cnml.celery import app
    from cnml.settings import redis_cache

    saved = {name: app.conf[name] for name in ("broker_url", "result_backend", "task_always_eager")}
    if OUTAGE:
        assert_real_outage()
    else:
        url = f"redis://127.0.0.1:{closed_port()}/0"
        settings.REDIS_URL = url
        settings.CACHES = {"default": redis_cache(url)}
        app.conf.broker_url = url
        app.conf.result_backend = None
    app.conf.task_always_eager = False
    reset_celery_connections(app)
    try:
        yield settings.REDIS_URL
    finally:
        for name, value in saved.items():
            app.conf[name] = value
        reset_celery_connections(app)


@pytest.fixture
def outage_phase():
    """For tests that only make sense with the real Redis stopped (``outage_backlog``)."""
    if not OUTAGE:
        pytest.skip(NEEDS_OUTAGE_PHASE)
    assert_real_outage()


def delayed_notice(what: str) -> str:
    """The "delayed" notice (``cnml.outbox.DelayedWorkMiddleware``) for the owed work ``what``."""
    return f"Votre demande est bien enregistrée. Un service est momentanément indisponible : {what} se fera dès son rétablissement."


def owed(task: str) -> list:
    """The owed work (outbox rows) of ``task`` not done yet."""
    from cnml.models import OutboxMessage

    return list(OutboxMessage.objects.filter(task=task, done_at__isnull=True))


def wait_for(predicate, timeout: float = 30.0) -> bool:
    """Whether ``predicate()`` comes true within ``timeout`` seconds (a real worker's work, polled)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False
