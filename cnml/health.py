"""Checks behind the health page ``/sante/``; each returns a small JSON-able dict.

They never include URLs, hosts or exception texts that could carry secrets:
only a status and a French sentence.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import connection

from cnml.celery import app as celery_app

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
        return {"ok": True, "configure": False, "detail": "Aucun broker : les tâches s'exécutent immédiatement."}
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
    except Exception:
        logger.exception("health: broker check failed")
        return {"ok": False, "configure": True, "detail": "Le broker ne répond pas."}
    return {"ok": True, "configure": True}


def check_workers(broker: dict) -> dict:
    if not broker["configure"]:
        return {"ok": True, "requis": False, "nombre": 0, "detail": "Pas de worker requis (exécution immédiate)."}
    if not broker["ok"]:
        return {"ok": False, "requis": True, "nombre": 0, "detail": "Broker injoignable."}
    try:
        replies = celery_app.control.ping(timeout=1.0) or []
    except Exception:
        logger.exception("health: worker ping failed")
        replies = []
    if not replies:
        return {"ok": False, "requis": True, "nombre": 0, "detail": "Aucun worker ne répond."}
    return {"ok": True, "requis": True, "nombre": len(replies)}


def health_report() -> tuple[dict, bool]:
    database = check_database()
    broker = check_broker()
    workers = check_workers(broker)
    healthy = database["ok"] and broker["ok"] and workers["ok"]
    report = {
        "statut": "ok" if healthy else "degrade",
        "base_de_donnees": database,
        "broker": broker,
        "workers": workers,
    }
    return report, healthy
