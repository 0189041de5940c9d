"""The health page /sante/: a JSON report for monitoring, never leaking a secret."""

from __future__ import annotations

import json

import pytest
from django.db import OperationalError

from cnml import health

pytestmark = pytest.mark.django_db

URL = "/sante/"
SECRET_URLS = ("postgres://", "postgresql://", "redis://", "rediss://", "amqp://")


@pytest.fixture
def eager(settings):
    """No broker configured: tasks run in-process (the default without REDIS_URL)."""
    settings.REDIS_URL = ""


def assert_no_secret(body: str, settings, *secrets: str) -> None:
    assert settings.SECRET_KEY not in body
    for fragment in (*SECRET_URLS, *secrets):
        assert fragment not in body, fragment
    database = settings.DATABASES["default"]
    if database.get("PASSWORD"):
        assert database["PASSWORD"] not in body


def test_health_is_ok_in_eager_mode(client, eager, settings):
    response = client.get(URL)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    report = response.json()
    assert set(report) == {"statut", "base_de_donnees", "broker", "workers"}
    assert report["statut"] == "ok"
    assert report["base_de_donnees"]["ok"] is True
    assert report["base_de_donnees"]["moteur"] in ("sqlite", "postgresql")
    assert report["broker"] == {
        "ok": True,
        "configure": False,
        "detail": "Aucun broker : les tâches s'exécutent immédiatement.",
    }
    assert report["workers"]["ok"] is True
    assert report["workers"]["requis"] is False
    assert_no_secret(response.content.decode(), settings)


def test_health_is_open_to_anonymous_monitoring_and_never_cached(client, eager):
    response = client.get(URL)

    assert response.status_code == 200
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


def test_health_answers_get_only(client, eager):
    assert client.post(URL).status_code == 405


def test_health_keeps_accents_readable(client, eager):
    body = client.get(URL).content.decode()

    assert "s'exécutent immédiatement" in body
    assert "\\u00e9" not in body


class BrokenConnection:
    vendor = "postgresql"

    def cursor(self):
        raise OperationalError('could not connect to "postgres://cnml:motdepasse-tres-secret@db.interne:5432/cnml"')


def test_health_answers_503_when_the_database_is_down(client, eager, settings, monkeypatch):
    monkeypatch.setattr(health, "connection", BrokenConnection())

    response = client.get(URL)

    assert response.status_code == 503
    report = json.loads(response.content)
    assert report["statut"] == "degrade"
    assert report["base_de_donnees"] == {"ok": False, "detail": "La base de données ne répond pas."}
    assert "moteur" not in report["base_de_donnees"]
    assert_no_secret(response.content.decode(), settings, "motdepasse-tres-secret", "db.interne")


def test_health_answers_503_when_the_broker_is_down_without_leaking_its_url(client, settings, monkeypatch):
    redis_url = "redis://:jeton-redis-secret@redis.interne:6379/0"
    settings.REDIS_URL = redis_url

    def refuse(*args, **kwargs):
        raise ConnectionError(f"Error 111 connecting to {redis_url}")

    monkeypatch.setattr(health.celery_app, "connection_for_write", refuse)

    response = client.get(URL)

    assert response.status_code == 503
    report = response.json()
    assert report["statut"] == "degrade"
    assert report["broker"] == {"ok": False, "configure": True, "detail": "Le broker ne répond pas."}
    assert report["workers"]["ok"] is False
    assert report["base_de_donnees"]["ok"] is True
    assert_no_secret(response.content.decode(), settings, "jeton-redis-secret", "redis.interne")


def test_health_answers_503_when_no_worker_replies(client, settings, monkeypatch):
    settings.REDIS_URL = "redis://:jeton-redis-secret@redis.interne:6379/0"

    class Connection:
        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def ensure_connection(self, **kwargs):
            return self

    monkeypatch.setattr(health.celery_app, "connection_for_write", Connection)
    monkeypatch.setattr(health.celery_app.control, "ping", lambda timeout: [])

    response = client.get(URL)

    assert response.status_code == 503
    report = response.json()
    assert report["broker"]["ok"] is True
    assert report["workers"] == {"ok": False, "requis": True, "nombre": 0, "detail": "Aucun worker ne répond."}


def test_health_counts_replying_workers(client, settings, monkeypatch):
    settings.REDIS_URL = "redis://localhost:6379/0"

    class Connection:
        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def ensure_connection(self, **kwargs):
            return self

    monkeypatch.setattr(health.celery_app, "connection_for_write", Connection)
    monkeypatch.setattr(
        health.celery_app.control, "ping", lambda timeout: [{"celery@a": {"ok": "pong"}}, {"celery@b": {"ok": "pong"}}]
    )

    response = client.get(URL)

    assert response.status_code == 200
    assert response.json()["workers"] == {"ok": True, "requis": True, "nombre": 2}
    assert "celery@a" not in response.content.decode()
