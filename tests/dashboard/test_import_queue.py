"""Queuing an uploaded extract: published once committed; a broker that cannot take it fails the import, in French.

And an import whose worker never came (or died) does not stay « en attente » / « en cours » forever.
"""

from __future__ import annotations

import zipfile
from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from kombu.exceptions import OperationalError

from cnml.celery import app as celery_app
from cnml.models import Role
from dashboard import tasks
from dashboard.models import ExtractImport, ImportStatus
from dashboard.services import QUEUE_UNAVAILABLE, extract_import_create, extract_import_submit
from tests.clock import frozen
from tests.dashboard.conftest import zip_extract
from tests.dashboard.test_import_admin import upload

pytestmark = pytest.mark.usefixtures("private_media")

UNAVAILABLE = (
    "Le service de traitement est indisponible : l'import n'a pas pu être lancé. "
    "Déposez à nouveau l'extraction quand il sera rétabli."
)


@pytest.fixture
def sample_zip(sample_extract, tmp_path):
    return zip_extract(sample_extract, tmp_path / "extraction-2011-10.zip")


@pytest.fixture
def with_a_worker():
    """Celery as in production: tasks are published to a broker, not run here."""
    celery_app.conf.task_always_eager = False  # put back by the autouse fixture celery_eager


@pytest.fixture
def broker_down(with_a_worker, monkeypatch):
    attempts = []

    def refuse(*args, **kwargs):
        attempts.append((args, kwargs))
        raise OperationalError("Error 111 connecting to 127.0.0.1:6399. Connection refused.")

    monkeypatch.setattr(tasks.run_extract_import, "apply_async", refuse)
    return attempts


def stored_files(root):
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


def test_the_reason_is_the_one_promised():
    assert QUEUE_UNAVAILABLE == UNAVAILABLE


@pytest.mark.django_db(transaction=True)
def test_an_upload_the_broker_cannot_take_fails_in_french_and_the_page_answers(
    users, client_for, sample_zip, broker_down, private_media
):
    client = client_for(users[Role.ADMINISTRATEUR])

    response = upload(client, sample_zip)

    extract_import = ExtractImport.objects.get()
    assert broker_down, "the upload tried to publish the task"
    assert response.status_code == 302
    assert response.url == reverse("admin:dashboard_extractimport_change", args=[extract_import.pk])
    # No green « déposée » for an import that never started: its page opens on the red reason.
    assert [str(message) for message in get_messages(response.wsgi_request)] == []
    assert (extract_import.status, extract_import.errors, extract_import.error_count) == (
        ImportStatus.FAILED,
        [UNAVAILABLE],
        1,
    )
    assert extract_import.finished_at is not None
    assert not extract_import.archive and stored_files(private_media) == []
    page = client.get(response.url)
    assert page.status_code == 200
    assert "Échoué" in page.content.decode()
    alert = page.content.decode().split('class="fr-alert fr-alert--error', 1)[1].split("</div>", 1)[0]
    assert 'role="alert"' in alert
    assert UNAVAILABLE.replace("'", "&#x27;") in alert


@pytest.mark.django_db(transaction=True)
def test_a_broker_on_a_closed_port_fails_the_import_instead_of_answering_500(
    users, client_for, sample_zip, with_a_worker, private_media
):
    saved = (celery_app.conf.broker_url, celery_app._pool, celery_app.amqp._producer_pool)
    celery_app.conf.broker_url = "redis://127.0.0.1:6399/0"
    celery_app._pool = celery_app.amqp._producer_pool = None
    try:
        response = upload(client_for(users[Role.ADMINISTRATEUR]), sample_zip)
    finally:
        celery_app.conf.broker_url = saved[0]
        celery_app._pool, celery_app.amqp._producer_pool = saved[1:]

    extract_import = ExtractImport.objects.get()
    assert response.status_code == 302
    assert (extract_import.status, extract_import.errors) == (ImportStatus.FAILED, [UNAVAILABLE])
    assert stored_files(private_media) == []


@pytest.mark.django_db
def test_the_service_marks_the_import_failed_once_committed_when_the_broker_refuses(
    tmp_path, sample_zip, broker_down, django_capture_on_commit_callbacks
):
    from django.core.files import File

    with django_capture_on_commit_callbacks(execute=True), open(sample_zip, "rb") as file, transaction.atomic():
        extract_import = extract_import_submit(archive=File(file, name=sample_zip.name), extracted_on=None)
        assert broker_down == []  # nothing published before the commit

    extract_import.refresh_from_db()
    assert len(broker_down) == 1
    assert (extract_import.status, extract_import.errors) == (ImportStatus.FAILED, [UNAVAILABLE])


@pytest.mark.django_db
def test_with_a_worker_the_upload_records_and_queues_without_reading_the_archive(
    users, client_for, sample_zip, with_a_worker, monkeypatch, django_capture_on_commit_callbacks
):
    published = []
    monkeypatch.setattr(tasks.run_extract_import, "apply_async", lambda *a, **kw: published.append((a, kw)))

    def never(*args, **kwargs):
        raise AssertionError("a member was decompressed during the request")

    monkeypatch.setattr(zipfile.ZipFile, "open", never)
    client = client_for(users[Role.RELECTEUR_CNML])

    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, sample_zip)

    extract_import = ExtractImport.objects.get()
    assert response.status_code == 302
    assert extract_import.status == ImportStatus.PENDING
    assert [args for args, _ in published] == [()]
    assert [kwargs["args"] for _, kwargs in published] == [[extract_import.pk]]
    assert extract_import.archive  # kept for the worker


@pytest.mark.django_db
@frozen
def test_imports_a_dead_worker_left_waiting_or_running_are_marked_failed_when_listed(users, client_for, tmp_path):
    now = timezone.now()
    waiting = extract_import_create(path=tmp_path, extracted_on=None)
    running = extract_import_create(path=tmp_path, extracted_on=None)
    recent = extract_import_create(path=tmp_path, extracted_on=None)
    ExtractImport.objects.filter(pk=waiting.pk).update(created_at=now - timedelta(hours=3))
    ExtractImport.objects.filter(pk=running.pk).update(
        status=ImportStatus.RUNNING, created_at=now - timedelta(hours=3), started_at=now - timedelta(hours=3)
    )

    page = client_for(users[Role.ADMINISTRATEUR]).get(reverse("admin:dashboard_extractimport_changelist"))

    assert page.status_code == 200
    states = dict(ExtractImport.objects.values_list("pk", "status"))
    assert states == {waiting.pk: ImportStatus.FAILED, running.pk: ImportStatus.FAILED, recent.pk: ImportStatus.PENDING}
    waiting.refresh_from_db()
    running.refresh_from_db()
    assert waiting.errors == [
        "Import jamais lancé : aucun service de traitement ne l'a pris en charge dans les 2\u00a0heures "
        "qui ont suivi le dépôt. Déposez à nouveau l'extraction."
    ]
    assert running.errors[0].startswith("Import interrompu avant la fin (processus arrêté)")


@pytest.mark.django_db
@frozen
def test_a_stale_import_is_marked_failed_when_its_page_is_read(users, client_for, tmp_path):
    waiting = extract_import_create(path=tmp_path, extracted_on=None)
    ExtractImport.objects.filter(pk=waiting.pk).update(created_at=timezone.now() - timedelta(hours=3))
    client = client_for(users[Role.RELECTEUR_CNML])

    progress = client.get(reverse("admin:dashboard_extractimport_progress", args=[waiting.pk])).json()

    assert (progress["status"], progress["finished"]) == (ImportStatus.FAILED, True)
