"""Prometheus metrics on /metrics/: for the monitoring host's addresses only."""

from __future__ import annotations

import pytest
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from cnml.models import OutboxMessage, WorkerHeartbeat
from dashboard.models import ExtractImport, ImportStatus

pytestmark = pytest.mark.django_db

URL = "/metrics/"
MONITORING = "10.20.0.5"


@pytest.fixture
def monitoring(settings):
    settings.METRICS_ALLOWED_IPS = [MONITORING, "192.0.2.0/24"]
    settings.TRUSTED_PROXIES = ["127.0.0.1"]


def samples(response) -> dict[tuple[str, tuple], float]:
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.content.decode())
        for sample in family.samples
    }


def test_the_monitoring_host_reads_the_metrics(client, monitoring):
    response = client.get(URL, REMOTE_ADDR=MONITORING)

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


def test_a_network_of_the_list_is_allowed(client, monitoring):
    assert client.get(URL, REMOTE_ADDR="192.0.2.77").status_code == 200


@pytest.mark.parametrize("address", ["10.20.0.6", "203.0.113.1", "::1"])
def test_any_other_address_gets_a_404(client, monitoring, address):
    assert client.get(URL, REMOTE_ADDR=address).status_code == 404


def test_nobody_reads_them_when_no_address_is_allowed(client, settings):
    settings.METRICS_ALLOWED_IPS = []

    assert client.get(URL, REMOTE_ADDR="127.0.0.1").status_code == 404


def test_a_forged_forwarded_for_is_not_believed(client, monitoring):
    response = client.get(URL, REMOTE_ADDR="203.0.113.1", HTTP_X_FORWARDED_FOR=MONITORING)

    assert response.status_code == 404


def test_behind_the_trusted_proxy_the_client_address_counts(client, monitoring):
    allowed = client.get(URL, REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=MONITORING)
    refused = client.get(URL, REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.1")

    assert (allowed.status_code, refused.status_code) == (200, 404)


def test_requests_are_counted_by_view_and_status(client, monitoring):
    client.get("/sante/")
    values = samples(client.get(URL, REMOTE_ADDR=MONITORING))

    by_view = [
        value
        for (name, labels), value in values.items()
        if name == "django_http_responses_total_by_status_view_method_total" and ("view", "health") in labels
    ]
    assert by_view and by_view[0] >= 1


def test_the_state_of_the_machinery_is_exported(client, monitoring, settings):
    settings.REDIS_URL = ""  # no broker (in .ci/run's second phase there is one: its queue is counted)
    now = timezone.now()
    OutboxMessage.objects.create(task="cnml.tasks.send_email")
    OutboxMessage.objects.create(task="cnml.tasks.send_email", failed_at=now, attempts=20)
    WorkerHeartbeat.objects.create(hostname="cnml@serveur", seen_at=now)
    ExtractImport.objects.create(status=ImportStatus.FAILED, started_at=now, finished_at=now)

    values = samples(client.get(URL, REMOTE_ADDR=MONITORING))

    assert values[("cnml_outbox_pending", ())] == 1
    assert values[("cnml_outbox_abandoned", ())] == 1
    assert values[("cnml_workers_alive", ())] == 1
    assert values[("cnml_worker_last_heartbeat_age_seconds", ())] < 60
    assert values[("cnml_uploads_disk_total_bytes", ())] > 0
    assert values[("cnml_job_last_failed", (("job", "extract_import"),))] == 1
    assert values[("cnml_job_last_finished_timestamp_seconds", (("job", "extract_import"),))] == pytest.approx(
        now.timestamp()
    )
    assert values[("cnml_job_last_failed", (("job", "indicator_recompute"),))] == 0
    # Without a broker there is no queue to count.
    assert ("cnml_broker_queue_length", ()) not in values
