"""Checks behind the health page ``/sante/``; each returns a small JSON-able dict.

They never include URLs, hosts or exception texts that could carry secrets:
only a status, counts, ages in seconds and a French sentence. The page answers
503 when the database or (with ``REDIS_URL``) the broker is down, or when no
worker gave a sign of life recently.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.db import connection
from django.db.models import Count, Max, Q
from django.utils import timezone

from cnml import outbox
from cnml.celery import HEARTBEAT_SECONDS
from cnml.celery import app as celery_app
from cnml.models import WorkerHeartbeat

logger = logging.getLogger(__name__)


def check_database() -> dict:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # any failure means "down"; details go to the log only
        logger.exception("health: database check failed")
        return {"ok": False, "detail": "La base de données ne répond pas."}
    return {"ok": True, "moteur": connection.vendor}


def check_broker() -> dict:
    if not settings.REDIS_URL:
        return {"ok": True, "configure": False, "detail": "Aucun broker : les tâches s'exécutent immédiatement."}
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0.2, timeout=2)
    except Exception:
        logger.exception("health: broker check failed")
        return {"ok": False, "configure": True, "detail": "Le broker ne répond pas."}
    return {"ok": True, "configure": True}


# A worker writes its sign of life every HEARTBEAT_SECONDS (cnml/celery.py): three missed, it is taken for gone.
WORKER_SILENCE_MAX = timedelta(seconds=3 * HEARTBEAT_SECONDS)
# The clock of the checks (tests move it: a real worker may write its sign of life meanwhile).
current_time = timezone.now


def check_workers(broker: dict, database: dict) -> dict:
    """Whether a worker gave a sign of life recently (read in the database: works with the broker down)."""
    if not broker["configure"]:
        return {"ok": True, "requis": False, "nombre": 0, "detail": "Pas de worker requis (exécution immédiate)."}
    if not database["ok"]:
        return {"ok": False, "requis": True, "nombre": 0, "detail": "Signes de vie illisibles sans la base de données."}
    now = current_time()
    try:
        heartbeats = WorkerHeartbeat.objects.aggregate(
            newest=Max("seen_at"), recent=Count("pk", filter=Q(seen_at__gte=now - WORKER_SILENCE_MAX))
        )
    except Exception:
        logger.exception("health: worker heartbeats unreadable")
        return {"ok": False, "requis": True, "nombre": 0, "detail": "Signes de vie des workers illisibles."}
    newest = heartbeats["newest"]
    age = max(0, int((now - newest).total_seconds())) if newest else None
    if not heartbeats["recent"]:
        seconds = int(WORKER_SILENCE_MAX.total_seconds())
        return {
            "ok": False,
            "requis": True,
            "nombre": 0,
            "dernier_signe_de_vie_secondes": age,
            "detail": f"Aucun worker n'a donné signe de vie depuis {seconds} secondes.",
        }
    return {"ok": True, "requis": True, "nombre": heartbeats["recent"], "dernier_signe_de_vie_secondes": age}


def check_outbox(database: dict) -> dict:
    """Owed work waiting (e-mails, computations): for information, it does not make the service unhealthy."""
    if not database["ok"]:
        return {"detail": "Illisible sans la base de données."}
    try:
        return outbox.pending_report()
    except Exception:
        logger.exception("health: outbox unreadable")
        return {"detail": "Illisible."}


def health_report() -> tuple[dict, bool]:
    database = check_database()
    broker = check_broker()
    workers = check_workers(broker, database)
    healthy = database["ok"] and broker["ok"] and workers["ok"]
    report = {
        "statut": "ok" if healthy else "degrade",
        "base_de_donnees": database,
        "broker": broker,
        "workers": workers,
        "travaux_differes": check_outbox(database),
    }
    return report, healthy
