"""The core's scheduled clean-up: expired sessions and spent password-reset records are deleted."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from cnml.models import PasswordResetRequest
from cnml.tasks import purge_expired
from tests.clock import frozen
from tests.migrations import schedule_everything

pytestmark = pytest.mark.django_db


def session_expiring_in(seconds: int) -> str:
    store = SessionStore()
    store["note"] = "x"
    store.set_expiry(seconds)
    store.save()
    return store.session_key


@frozen
def test_expired_sessions_are_deleted_and_live_ones_kept():
    live = session_expiring_in(3600)
    expired = session_expiring_in(3600)
    Session.objects.filter(session_key=expired).update(expire_date=timezone.now() - timedelta(seconds=1))

    purge_expired.delay()

    assert list(Session.objects.values_list("session_key", flat=True)) == [live]


@frozen
def test_password_reset_records_past_their_window_are_deleted(settings):
    settings.PASSWORD_RESET_THROTTLE_WINDOW = timedelta(hours=1)
    recent = PasswordResetRequest.objects.create(address_key="a" * 64)
    old = PasswordResetRequest.objects.create(address_key="b" * 64)
    PasswordResetRequest.objects.filter(pk=old.pk).update(requested_at=timezone.now() - timedelta(minutes=61))

    purge_expired.delay()

    assert list(PasswordResetRequest.objects.values_list("pk", flat=True)) == [recent.pk]


def test_the_migration_schedules_the_clean_up_every_hour():
    schedule_everything()

    task = PeriodicTask.objects.get(task="cnml.tasks.purge_expired")

    assert task.enabled and (task.interval.every, task.interval.period) == (1, "hours")
    assert task.name == "Socle : supprimer les données personnelles dont la durée de conservation est échue"
