"""Answers kept in the session between screens are dropped after the survey's own time-out.

A respondent who leaves a questionnaire half-way (on a shared computer of a mission
locale, say) leaves answers in the session. Past ``SURVEYS_DRAFT_TIMEOUT`` without a
screen sent, they are no longer shown, and the scheduled session clean-up deletes
the anonymous respondent's session with them.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.utils import timezone

from cnml.models import Role
from tests.surveys.conftest import PHARES_POST

pytestmark = pytest.mark.django_db

TICKED = 'value="plutot_satisfait" checked'


def first_screen(client, point) -> str:
    """The first screen as sent, whitespace collapsed."""
    return re.sub(r"[ \t\r\n\f]+", " ", client.get(f"/e/{point.code}/1/").content.decode())


@pytest.fixture(autouse=True)
def two_hour_time_out(settings):
    settings.SURVEYS_DRAFT_TIMEOUT = timedelta(hours=2)


@pytest.fixture
def point(make_campaign, network):
    return make_campaign().points.get(structure=network.antenne_a1)


@pytest.fixture
def later(time_machine):
    """``later(hours=3)``: the clock of the whole process moves forward from the test's start (time-machine)."""
    start = timezone.now()

    def move(**delta) -> None:
        time_machine.move_to(start + timedelta(**delta))

    return move


def leave_after_the_first_screen(client, point) -> None:
    response = client.post(f"/e/{point.code}/1/", PHARES_POST | {"ecrans": "1"})
    assert response["Location"] == f"/e/{point.code}/2/"
    assert TICKED in first_screen(client, point)


def test_answers_are_kept_within_the_time_out(client, point, later):
    leave_after_the_first_screen(client, point)
    later(hours=1, minutes=50)

    assert TICKED in first_screen(client, point)
    response = client.post(f"/e/{point.code}/2/", {"q-commentaire": "Revenu à temps."})
    assert response["Location"] == f"/e/{point.code}/merci/"


def test_the_time_out_counts_from_the_last_screen_sent(client, point, later):
    leave_after_the_first_screen(client, point)
    later(hours=1, minutes=30)
    client.post(f"/e/{point.code}/2/", {"q-commentaire": "Pas fini", "action": "precedent"})
    later(hours=3)

    assert TICKED in first_screen(client, point)


def test_answers_left_in_the_session_are_not_shown_after_the_time_out(client, point, later):
    leave_after_the_first_screen(client, point)
    later(hours=2, minutes=1)

    assert TICKED not in first_screen(client, point)
    # Sending the last screen alone goes back to the first, now empty.
    response = client.post(f"/e/{point.code}/2/", {"q-commentaire": ""})
    assert response["Location"] == f"/e/{point.code}/1/?verifier=1"


def test_a_signed_in_user_s_answers_are_dropped_after_the_time_out_but_not_their_session(
    client_for, users, point, later
):
    client = client_for(users[Role.CONSEILLER])
    leave_after_the_first_screen(client, point)
    later(hours=3)

    assert TICKED not in first_screen(client, point)
    assert not any(key.startswith("surveys:") for key in client.session.keys())  # noqa: SIM118 (not a dict)
    assert client.session[SESSION_KEY] == str(users[Role.CONSEILLER].pk)


def test_the_scheduled_clean_up_deletes_an_abandoned_respondent_session_after_the_time_out(client, point, later):
    from cnml.tasks import purge_expired

    leave_after_the_first_screen(client, point)

    later(hours=1)
    purge_expired.delay()
    assert Session.objects.count() == 1

    later(hours=2, minutes=1)
    purge_expired.delay()
    assert Session.objects.count() == 0


def test_the_clean_up_keeps_a_signed_in_user_s_session_for_its_own_length(client_for, users, point, later):
    from cnml.tasks import purge_expired

    client = client_for(users[Role.CONSEILLER])
    leave_after_the_first_screen(client, point)

    later(hours=3)
    purge_expired.delay()

    assert Session.objects.count() == 1
    assert client.get("/enquetes/").status_code == 200
