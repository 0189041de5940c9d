"""What is deleted once past its time: personal data kept no longer than its use (docs/personal-data.md).

:func:`purge_expired` runs every hour (``cnml.tasks.purge_expired``, scheduled by the core's
migration). The core purges its own
rows and those of the libraries it configures; each feature app purges its own through the registry's
``purge_expired(now=)`` hook (``cnml/registry.py``), since the core imports no app. Each period below
is the one docs/personal-data.md gives, with its reason.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from importlib import import_module

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.utils import timezone

from cnml.models import OutboxMessage
from cnml.password_reset import purge_expired_requests
from cnml.registry import feature_apps

# Sign-ins and sign-outs (address, browser): six months, the low end of the CNIL's recommendation for
# access logs (six months to a year), enough to investigate a misuse reported by a user.
LOGIN_LOG_RETENTION = timedelta(days=183)
# The admin's history of changes (who changed which object, and how): a year, the high end of the same
# recommendation, as changes of roles and accounts are read back at the yearly review of rights.
ADMIN_LOG_RETENTION = timedelta(days=365)
# E-mails abandoned after their retries (their bodies name people): three months for an operator to
# fix the cause and send them again (``outbox_redeliver --abandoned``); older, they tell nothing timely.
ABANDONED_EMAIL_RETENTION = timedelta(days=90)
SEND_EMAIL_TASK = "cnml.tasks.send_email"


def purge_expired(*, now: datetime | None = None) -> dict[str, int]:
    """Delete what has outlived its use; how many rows of each kind (``<app>.<kind>`` for the apps')."""
    now = now or timezone.now()
    # Expired sessions, with what they held (an anonymous respondent's unfinished answers).
    import_module(settings.SESSION_ENGINE).SessionStore.clear_expired()
    purged = {
        "password_reset_requests": purge_expired_requests(),
        "login_attempts": _delete(AccessAttempt.objects.filter(attempt_time__lt=now - settings.AXES_COOLOFF_TIME)),
        "login_logs": _delete(AccessLog.objects.filter(attempt_time__lt=now - LOGIN_LOG_RETENTION))
        + _delete(AccessFailureLog.objects.filter(attempt_time__lt=now - LOGIN_LOG_RETENTION)),
        "admin_log": _delete(LogEntry.objects.filter(action_time__lt=now - ADMIN_LOG_RETENTION)),
        "abandoned_emails": _delete(
            OutboxMessage.objects.filter(
                task=SEND_EMAIL_TASK, done_at__isnull=True, failed_at__lt=now - ABANDONED_EMAIL_RETENTION
            )
        ),
    }
    for config in feature_apps():
        purged.update({f"{config.label}.{kind}": count for kind, count in config.purge_expired(now=now).items()})
    return purged


def _delete(rows) -> int:
    deleted, _ = rows.delete()
    return deleted
