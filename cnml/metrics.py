"""Prometheus metrics on ``/metrics/``, for the monitoring host only.

Two kinds, one page:

- the web requests (count, duration, status, by view), counted by django-prometheus' two
  middlewares. gunicorn runs several processes: with ``PROMETHEUS_MULTIPROC_DIR`` (the gunicorn
  unit sets it to a folder emptied at each start) each process writes its counters there and the
  page adds them up; without it (development, tests), the page shows this process' own.
  django-prometheus' database and cache wrappers are not used: they would replace the engines
  of ``DATABASES`` and ``CACHES``;
- the state of the machinery, read when the page is asked (:class:`OperationsCollector`): owed
  work waiting and given up, the workers' last sign of life, the broker's queue, the uploads'
  disk, each app's last long job (``operations_status``), the same facts as ``/exploitation/``.

Only the addresses of ``METRICS_ALLOWED_IPS`` (the client as ``cnml/clientip.py`` sees it) read the
page; any other gets a 404, as nginx does (``deploy/nginx/cnml.conf``).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator

import prometheus_client
from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector

from cnml import operations, outbox, registry
from cnml.clientip import address_in, client_ip

logger = logging.getLogger(__name__)


def allowed(request: HttpRequest) -> bool:
    return address_in(client_ip(request), settings.METRICS_ALLOWED_IPS)


def _gauge(name: str, documentation: str, value: float, **labels: str) -> GaugeMetricFamily:
    gauge = GaugeMetricFamily(name, documentation, labels=list(labels))
    gauge.add_metric(list(labels.values()), value)
    return gauge


class OperationsCollector:
    """The machinery's state, read at each scrape; a part that cannot be read is left out (and logged)."""

    def collect(self) -> Iterator[GaugeMetricFamily]:
        for name, part in (
            ("outbox", self._outbox),
            ("workers", self._workers),
            ("queue", self._queue),
            ("disk", self._disk),
            ("jobs", self._jobs),
        ):
            try:
                yield from part()
            except Exception:
                logger.exception("metrics: %s unreadable", name)

    def _outbox(self):
        pending = outbox.pending_report()
        yield _gauge("cnml_outbox_pending", "Travaux différés en attente.", pending["en_attente"])
        yield _gauge(
            "cnml_outbox_oldest_pending_age_seconds",
            "Âge du plus ancien travail différé en attente (0 sans attente).",
            pending["plus_ancien_secondes"] or 0,
        )
        yield _gauge("cnml_outbox_abandoned", "Travaux différés abandonnés.", pending["abandonnes"])

    def _workers(self):
        workers = operations.workers()
        yield _gauge("cnml_workers_alive", "Workers ayant donné signe de vie récemment.", sum(w.alive for w in workers))
        if workers:
            age = (timezone.now() - workers[0].seen_at).total_seconds()
            yield _gauge("cnml_worker_last_heartbeat_age_seconds", "Âge du dernier signe de vie d'un worker.", age)

    def _queue(self):
        length = operations.queue_length()
        if length is not None:
            yield _gauge("cnml_broker_queue_length", "Messages en attente dans la file du broker.", length)

    def _disk(self):
        disk = operations.upload_disk()
        yield _gauge("cnml_uploads_disk_free_bytes", "Espace libre du disque des fichiers déposés.", disk.free)
        yield _gauge("cnml_uploads_disk_total_bytes", "Taille du disque des fichiers déposés.", disk.total)

    def _jobs(self):
        finished = GaugeMetricFamily(
            "cnml_job_last_finished_timestamp_seconds", "Fin de la dernière exécution du traitement.", labels=["job"]
        )
        failed = GaugeMetricFamily("cnml_job_last_failed", "1 si la dernière exécution a échoué.", labels=["job"])
        for run in registry.operations_status():
            if not run.code:
                continue
            failed.add_metric([run.code], int(run.failed))
            if run.finished_at:
                finished.add_metric([run.code], run.finished_at.timestamp())
        yield finished
        yield failed


def _request_metrics() -> bytes:
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if not directory:
        return prometheus_client.generate_latest(prometheus_client.REGISTRY)
    collected = prometheus_client.CollectorRegistry()
    MultiProcessCollector(collected, path=directory)
    return prometheus_client.generate_latest(collected)


@never_cache
@require_GET
def metrics(request: HttpRequest) -> HttpResponse:
    if not allowed(request):
        raise Http404
    state = prometheus_client.CollectorRegistry()
    state.register(OperationsCollector())
    body = _request_metrics() + prometheus_client.generate_latest(state)
    return HttpResponse(body, content_type=prometheus_client.CONTENT_TYPE_LATEST)
