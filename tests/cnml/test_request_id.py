"""The request id: on every log line of a request, and carried into the work it owes."""

from __future__ import annotations

import io
import json
import logging
import uuid
from types import SimpleNamespace

import pytest
from celery.app.task import Context
from django.conf import settings
from django.core import mail
from pythonjsonlogger.json import JsonFormatter

from cnml import outbox, requestid
from cnml.models import OutboxMessage, WorkerProbe
from cnml.tasks import probe_worker

pytestmark = pytest.mark.django_db

RESET_URL = "/compte/mot-de-passe/oublie/"


@pytest.fixture
def json_lines():
    """The JSON lines the production configuration would write for the project's loggers."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(requestid.RequestIdFilter())
    options = {key: value for key, value in settings.LOGGING["formatters"]["json"].items() if key != "()"}
    handler.setFormatter(JsonFormatter(**options))
    logger = logging.getLogger("cnml")
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


def test_a_response_carries_a_new_request_id_when_nginx_sent_none(client):
    first = client.get("/sante/")["X-Request-ID"]
    second = client.get("/sante/")["X-Request-ID"]

    assert uuid.UUID(first).hex == first
    assert first != second


def test_the_request_id_set_by_nginx_is_kept(client):
    sent = uuid.uuid4().hex

    assert client.get("/sante/", headers={"X-Request-ID": sent})["X-Request-ID"] == sent


def test_a_request_id_that_is_not_a_uuid_is_replaced(client):
    answered = client.get("/sante/", headers={"X-Request-ID": "<script>x</script>"})["X-Request-ID"]

    assert uuid.UUID(answered).hex == answered


def test_the_work_a_request_owes_is_logged_under_the_request_id(
    client, users, json_lines, django_capture_on_commit_callbacks
):
    sent = uuid.uuid4().hex
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(RESET_URL, {"email": users["conseiller"].email}, headers={"X-Request-ID": sent})

    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = OutboxMessage.objects.get(task="cnml.tasks.send_email")
    assert message.request_id == sent
    runs = [line for line in json_lines() if line["message"].startswith("outbox: cnml.tasks.send_email")]
    assert len(runs) == 1
    assert runs[0]["request_id"] == sent
    assert runs[0]["level"] == "INFO"
    assert runs[0]["logger"] == "cnml.outbox"
    assert "timestamp" in runs[0]


def test_a_row_run_later_by_a_worker_is_logged_under_the_id_of_the_request_that_owed_it(json_lines):
    probe = WorkerProbe.objects.create()
    with requestid.bound("a" * 32):
        owed = outbox.enqueue(probe_worker, probe_id=probe.pk)
    assert requestid.current() == ""

    # Another process, later: the periodic pass, a worker.
    with requestid.bound("b" * 32):
        assert outbox.deliver(owed.pk) == outbox.DONE
        after = requestid.current()

    assert after == "b" * 32
    runs = [line for line in json_lines() if line["message"].startswith(f"outbox: {owed}")]
    assert [line["request_id"] for line in runs] == ["a" * 32]


def test_a_line_outside_any_request_says_so(json_lines):
    logging.getLogger("cnml.test").warning("hors requête")

    assert json_lines()[-1]["request_id"] == "-"


def worker_task(**headers) -> SimpleNamespace:
    return SimpleNamespace(request=Context(is_eager=False, **headers))


def test_a_task_published_in_a_request_carries_its_id_in_the_message_and_the_worker_adopts_it():
    headers: dict = {}
    with requestid.bound("c" * 32):
        requestid._carry_into_message(headers=headers)
    task = worker_task(**headers)

    requestid._adopt_from_message(task=task)
    during = requestid.current()
    requestid._forget(task=task)

    assert during == "c" * 32
    assert requestid.current() == ""


def test_a_scheduled_task_gets_an_id_of_its_own_in_the_worker():
    headers: dict = {}
    requestid._carry_into_message(headers=headers)
    assert headers == {}
    task = worker_task()

    requestid._adopt_from_message(task=task)
    during = requestid.current()
    requestid._forget(task=task)

    assert len(during) == 32
    assert requestid.current() == ""


def test_a_task_run_in_the_request_keeps_the_request_id():
    task = SimpleNamespace(request=Context(is_eager=True))
    with requestid.bound("d" * 32):
        requestid._adopt_from_message(task=task)
        requestid._forget(task=task)
        assert requestid.current() == "d" * 32
