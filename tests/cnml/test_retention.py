"""Personal data past its retention (docs/personal-data.md) is deleted by the hourly clean-up, and what is
still within its time is kept: sign-in logs, lockout attempts, the admin's history, abandoned e-mails."""

from __future__ import annotations

from datetime import timedelta

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from cnml.models import OutboxMessage, User
from cnml.retention import ABANDONED_EMAIL_RETENTION, ADMIN_LOG_RETENTION, LOGIN_LOG_RETENTION
from cnml.tasks import purge_expired
from tests.clock import frozen
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db, frozen]

DAY = timedelta(days=1)


def sign_in_logs(age: timedelta) -> tuple[AccessLog, AccessFailureLog]:
    seen = {"ip_address": "203.0.113.7", "user_agent": "Firefox", "username": "camille@ml.fr", "path_info": "/"}
    access = AccessLog.objects.create(**seen)
    failure = AccessFailureLog.objects.create(**seen, locked_out=False)
    AccessLog.objects.filter(pk=access.pk).update(attempt_time=timezone.now() - age)
    AccessFailureLog.objects.filter(pk=failure.pk).update(attempt_time=timezone.now() - age)
    return access, failure


def test_sign_in_logs_are_kept_six_months_then_deleted():
    old = sign_in_logs(LOGIN_LOG_RETENTION + DAY)
    recent = sign_in_logs(LOGIN_LOG_RETENTION - DAY)

    outcome = purge_expired.delay().get()

    assert outcome["login_logs"] == 2
    assert list(AccessLog.objects.values_list("pk", flat=True)) == [recent[0].pk]
    assert list(AccessFailureLog.objects.values_list("pk", flat=True)) == [recent[1].pk]
    assert not AccessLog.objects.filter(pk=old[0].pk).exists()


def test_lockout_attempts_are_deleted_once_the_lock_would_have_ended(settings):
    seen = {"ip_address": "203.0.113.7", "user_agent": "Firefox", "path_info": "/", "failures_since_start": 5}
    ended = AccessAttempt.objects.create(username="ancien@ml.fr", **seen)
    AccessAttempt.objects.create(username="actuel@ml.fr", **seen)
    AccessAttempt.objects.filter(pk=ended.pk).update(attempt_time=timezone.now() - settings.AXES_COOLOFF_TIME - DAY)

    purge_expired.delay()

    assert list(AccessAttempt.objects.values_list("username", flat=True)) == ["actuel@ml.fr"]


def test_the_admin_history_is_kept_a_year_then_deleted():
    admin = UserFactory(email="admin@cnml.fr")
    user_type = ContentType.objects.get_for_model(User)
    for age in (ADMIN_LOG_RETENTION + DAY, ADMIN_LOG_RETENTION - DAY):
        entry = LogEntry.objects.create(
            user=admin, content_type=user_type, object_id=str(admin.pk), object_repr=f"{age.days}", action_flag=CHANGE
        )
        LogEntry.objects.filter(pk=entry.pk).update(action_time=timezone.now() - age)

    purge_expired.delay()

    assert list(LogEntry.objects.values_list("object_repr", flat=True)) == [str((ADMIN_LOG_RETENTION - DAY).days)]


def test_only_e_mails_abandoned_for_three_months_are_deleted_never_owed_computations():
    long_ago = timezone.now() - ABANDONED_EMAIL_RETENTION - DAY
    body = {"subject": "Votre fiche", "body": "Bonjour Camille", "recipients": ["camille@ml.fr"]}
    stale_email = OutboxMessage.objects.create(task="cnml.tasks.send_email", kwargs=body, failed_at=long_ago)
    fresh_email = OutboxMessage.objects.create(
        task="cnml.tasks.send_email", kwargs=body, failed_at=timezone.now() - ABANDONED_EMAIL_RETENTION + DAY
    )
    waiting_email = OutboxMessage.objects.create(task="cnml.tasks.send_email", kwargs=body, created_at=long_ago)
    computation = OutboxMessage.objects.create(task="surveys.tasks.aggregate", kwargs={"pk": 1}, failed_at=long_ago)

    outcome = purge_expired.delay().get()

    assert outcome["abandoned_emails"] == 1
    assert not OutboxMessage.objects.filter(pk=stale_email.pk).exists()
    assert set(OutboxMessage.objects.values_list("pk", flat=True)) == {fresh_email.pk, waiting_email.pk, computation.pk}


def test_each_app_reports_what_it_purged_under_its_label():
    outcome = purge_expired.delay().get()

    assert outcome["dashboard.extract_archives"] == 0
    assert {"password_reset_requests", "login_attempts", "login_logs", "admin_log", "abandoned_emails"} <= set(outcome)
