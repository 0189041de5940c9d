"""The operators' page /exploitation/: CNML administrators only; what runs and what waits."""

from __future__ import annotations

import html
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.utils import timezone

from cnml import operations
from cnml.celery import app as celery_app
from cnml.models import OutboxMessage, Role, WorkerHeartbeat
from dashboard.models import ExtractImport, ImportStatus, Snapshot, SnapshotStatus
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

URL = "/exploitation/"


@pytest.mark.parametrize(
    ("role", "status"),
    [
        (Role.CONSEILLER, 404),
        (Role.DIRECTEUR, 404),
        (Role.ANIMATEUR_REGIONAL, 404),
        (Role.RELECTEUR_CNML, 404),
        (Role.ADMINISTRATEUR, 200),
    ],
)
def test_only_administrators_see_the_page(client_for, users, role, status):
    assert client_for(users[role]).get(URL).status_code == status


def test_anonymous_visitors_and_superusers(client_for, network):
    superuser = UserFactory(role=Role.CONSEILLER, structure=network.ml_a1, is_superuser=True)

    assert client_for(None).get(URL).status_code == 404
    assert client_for(superuser).get(URL).status_code == 200


def page(client_for, users) -> str:
    response = client_for(users[Role.ADMINISTRATEUR]).get(URL)
    assert response.status_code == 200
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    return html.unescape(response.content.decode())


def test_without_a_broker_workers_and_queue_are_said_to_be_out_of_scope(client_for, users, settings):
    settings.REDIS_URL = ""

    body = page(client_for, users)

    assert "<h1>Exploitation</h1>" in body
    assert "Sans objet (tâches exécutées dans le processus)." in body
    assert "Sans objet : les tâches s'exécutent dans le processus web" in body
    assert body.count("<p>Aucune.</p>") == 2


def test_workers_are_listed_with_their_last_sign_of_life(client_for, users, settings, monkeypatch):
    settings.REDIS_URL = "redis://127.0.0.1:6379/8"
    monkeypatch.setattr(operations, "queue_length", lambda: 3)
    now = timezone.now()
    WorkerHeartbeat.objects.create(hostname="cnml@serveur", seen_at=now - timedelta(seconds=20))
    WorkerHeartbeat.objects.create(hostname="cnml@ancien", seen_at=now - timedelta(hours=2, minutes=3))

    body = page(client_for, users)

    assert "cnml@serveur" in body and "cnml@ancien" in body
    assert body.index("cnml@serveur") < body.index("cnml@ancien")
    assert "Actif" in body and "Silencieux" in body
    assert "2\u00a0h 03\u00a0min" in body
    assert "3\u00a0messages en attente." in body


def test_an_unreachable_broker_is_told_and_the_rest_still_shows(client_for, users, settings, monkeypatch):
    settings.REDIS_URL = "redis://127.0.0.1:6379/8"

    def down():
        raise ConnectionError("refused")

    monkeypatch.setattr(operations, "queue_length", down)
    body = page(client_for, users)

    assert "Illisible pour le moment (le détail est dans le journal)." in body
    assert "Espace disque des fichiers déposés" in body
    assert "libres sur" in body


def test_the_queue_is_counted_on_the_broker(settings, monkeypatch):
    settings.REDIS_URL = "redis://127.0.0.1:6379/8"  # the tests' broker is Celery's in-memory one
    # A queue of its own: in .ci/run's second phase a real worker empties the default queue at once.
    monkeypatch.setitem(celery_app.conf, "task_default_queue", "cnml-tests-queue-count")
    queue = celery_app.conf.task_default_queue
    with celery_app.connection_for_write() as connection:
        channel = connection.default_channel
        channel.queue_declare(queue=queue)
        before = operations.queue_length()
        for _ in range(2):
            channel.basic_publish(channel.prepare_message("{}"), exchange="", routing_key=queue)
        try:
            assert operations.queue_length() == before + 2
        finally:
            channel.queue_purge(queue)


def test_the_last_import_and_recompute_are_shown_with_duration_and_result(client_for, users):
    start = timezone.now() - timedelta(hours=1)
    ExtractImport.objects.create(
        status=ImportStatus.FAILED,
        started_at=start,
        finished_at=start + timedelta(minutes=3, seconds=5),
        error_count=1204,
        error_details=[["contacts.csv", 12, "date", "31/02/2024", "date invalide « 31/02/2024 »."]],
    )
    Snapshot.objects.create(status=SnapshotStatus.COMPUTED, computed_at=timezone.now(), value_count=958450)

    body = page(client_for, users)

    assert "Dernier import d'extraction" in body
    assert "3\u00a0min 05\u00a0s" in body
    assert "Échoué" in body
    assert "1\u202f204\u00a0erreurs ; la première : contacts.csv, ligne 12" in body
    assert "Dernier calcul des indicateurs" in body
    assert "958\u202f450\u00a0valeurs calculées" in body


def test_nothing_run_yet_says_so(client_for, users):
    body = page(client_for, users)

    assert body.count(">Aucun</p>") == 2


def test_owed_work_waiting_failing_and_given_up(client_for, users):
    now = timezone.now()
    OutboxMessage.objects.create(task="cnml.tasks.send_email", created_at=now - timedelta(minutes=5))
    OutboxMessage.objects.create(
        task="surveys.tasks.aggregate_campaign_results", attempts=2, last_error="OperationalError: timeout"
    )
    OutboxMessage.objects.create(
        task="cnml.tasks.send_email", attempts=20, failed_at=now, last_error="SMTPServerDisconnected: fermé"
    )
    OutboxMessage.objects.create(task="cnml.tasks.send_email", done_at=now)

    body = page(client_for, users)

    assert "2\u00a0travaux en attente" in body
    assert "1\u00a0travail abandonné" in body
    assert "OperationalError: timeout" in body
    assert "SMTPServerDisconnected: fermé" in body
    assert "outbox_redeliver --abandoned" in body


def test_a_disk_nearly_full_is_flagged(monkeypatch, tmp_path, settings):
    settings.PRIVATE_MEDIA_ROOT = tmp_path
    usage = SimpleNamespace(total=100 * 1024**3, free=5 * 1024**3)
    monkeypatch.setattr(operations.shutil, "disk_usage", lambda path: usage)

    disk = operations.upload_disk()

    assert disk.low
    assert disk.summary == "5\u00a0Go libres sur 100\u00a0Go (5,0\u00a0%)"


def test_the_home_page_leads_administrators_there_and_no_one_else(client_for, users):
    link = f'href="{URL}"'

    assert link in client_for(users[Role.ADMINISTRATEUR]).get("/").content.decode()
    for role in (Role.CONSEILLER, Role.DIRECTEUR, Role.ANIMATEUR_REGIONAL, Role.RELECTEUR_CNML):
        assert link not in client_for(users[role]).get("/").content.decode(), role
    assert link not in client_for(None).get("/").content.decode()


def test_the_work_a_request_owed_is_found_in_the_admin_by_its_request_id(client_for, users):
    owed = OutboxMessage.objects.create(task="cnml.tasks.send_email", request_id="e" * 32)
    OutboxMessage.objects.create(task="cnml.tasks.send_email", request_id="f" * 32)
    admin = client_for(users[Role.ADMINISTRATEUR])

    listing = admin.get("/admin/cnml/outboxmessage/", {"q": "e" * 32}).content.decode()
    detail = admin.get(f"/admin/cnml/outboxmessage/{owed.pk}/change/").content.decode()

    assert f"/admin/cnml/outboxmessage/{owed.pk}/change/" in listing
    assert listing.count("/change/") == 1
    assert "e" * 32 in detail
