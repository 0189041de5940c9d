"""The health page /sante/: a JSON report for monitoring, never leaking a secret."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.db import OperationalError
from django.utils import timezone

from cnml import health
from cnml.models import OutboxMessage, WorkerHeartbeat

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
    assert set(report) == {"statut", "base_de_donnees", "broker", "workers", "travaux_differes"}
    assert report["statut"] == "ok"
    assert report["base_de_donnees"]["ok"] is True
    assert report["base_de_donnees"]["moteur"] in ("sqlite", "postgresql")
    assert report["broker"] == {
        "ok": True,
        "configure": False,
        "detail": "Aucun broker : les tâches s'exécutent immédiatement.",
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


def test_health_answers_503_when_the_broker_is_down_without_leaking_its_url(client, settings, monkeypatch, later):
    # later: the signs of life of .ci/run's real worker are old on the checks' clock.
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


class ReachableBroker:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def ensure_connection(self, **kwargs):
        return self


@pytest.fixture
def broker_up(settings, monkeypatch):
    settings.REDIS_URL = "redis://:jeton-redis-secret@redis.interne:6379/0"
    monkeypatch.setattr(health.celery_app, "connection_for_write", ReachableBroker)


@pytest.fixture
def later(monkeypatch):
    """The checks' clock a day ahead: signs of life a real worker (.ci/run) writes meanwhile are old there."""
    moment = timezone.now() + timedelta(days=1)
    monkeypatch.setattr(health, "current_time", lambda: moment)
    return moment


def test_health_answers_503_when_no_worker_ever_gave_a_sign_of_life(client, broker_up, later):
    WorkerHeartbeat.objects.all().delete()

    response = client.get(URL)

    assert response.status_code == 503
    report = response.json()
    assert report["broker"]["ok"] is True
    workers = report["workers"]
    assert (workers["ok"], workers["requis"], workers["nombre"]) == (False, True, 0)
    assert workers["detail"] == "Aucun worker n'a donné signe de vie depuis 90 secondes."
    if not WorkerHeartbeat.objects.exists():  # else a real worker (.ci/run) wrote meanwhile, a day "ago"
        assert workers["dernier_signe_de_vie_secondes"] is None


def test_health_answers_503_when_the_last_sign_of_life_is_too_old(client, broker_up, later):
    WorkerHeartbeat.objects.create(hostname="celery@a", seen_at=later - timedelta(minutes=5))

    response = client.get(URL)

    assert response.status_code == 503
    workers = response.json()["workers"]
    assert workers == {
        "ok": False,
        "requis": True,
        "nombre": 0,
        "dernier_signe_de_vie_secondes": 300,
        "detail": "Aucun worker n'a donné signe de vie depuis 90 secondes.",
    }


def test_health_counts_the_workers_alive_without_naming_them(client, broker_up, later):
    WorkerHeartbeat.objects.create(hostname="celery@a", seen_at=later - timedelta(seconds=20))
    WorkerHeartbeat.objects.create(hostname="celery@b", seen_at=later - timedelta(seconds=5))
    WorkerHeartbeat.objects.create(hostname="celery@vieux", seen_at=later - timedelta(hours=2))

    response = client.get(URL)

    assert response.status_code == 200
    assert response.json()["workers"] == {"ok": True, "requis": True, "nombre": 2, "dernier_signe_de_vie_secondes": 5}
    assert "celery@" not in response.content.decode()


def test_a_worker_sign_of_life_is_read_even_with_the_broker_down(client, settings, monkeypatch, later):
    settings.REDIS_URL = "redis://redis.interne:6379/0"
    WorkerHeartbeat.objects.create(hostname="celery@a", seen_at=later)

    def refuse(*args, **kwargs):
        raise ConnectionError("refused")

    monkeypatch.setattr(health.celery_app, "connection_for_write", refuse)

    response = client.get(URL)

    assert response.status_code == 503
    assert response.json()["broker"]["ok"] is False
    assert response.json()["workers"] == {"ok": True, "requis": True, "nombre": 1, "dernier_signe_de_vie_secondes": 0}


def test_health_reports_the_owed_work_waiting_without_failing_for_it(client, eager):
    now = timezone.now()
    OutboxMessage.objects.create(task="cnml.tasks.send_email", created_at=now - timedelta(minutes=10))
    OutboxMessage.objects.create(task="cnml.tasks.send_email", created_at=now)
    OutboxMessage.objects.create(task="cnml.tasks.send_email", failed_at=now)
    OutboxMessage.objects.create(task="cnml.tasks.send_email", done_at=now)

    response = client.get(URL)

    assert response.status_code == 200
    owed = response.json()["travaux_differes"]
    assert owed["en_attente"] == 2
    assert 600 <= owed["plus_ancien_secondes"] < 610
    assert owed["abandonnes"] == 1
