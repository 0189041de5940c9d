"""Reviewers deciding on one fiche at the same instant: one decision, the others a clear French message.

Real threads with their own connections, on PostgreSQL and on a SQLite file (see :mod:`tests.concurrency`).
"""

from __future__ import annotations

import itertools

import pytest
from django.utils.html import escape

from cnml.audit import transitions_of
from cnml.models import Role
from cnml.workflows import TransitionRefused
from practices import services
from practices.models import Fiche, Status
from tests.concurrency import run_together
from tests.factories import UserFactory
from tests.practices.factories import make_fiche

pytestmark = pytest.mark.django_db(transaction=True)

REVIEWERS = 6
ROUNDS = 3
DECISIONS = {"publish": "publier", "reject": "refuser"}
TOO_LATE = "Une autre décision vient d'être prise sur cette fiche"
SEEN_IN_REVIEW = 'name="seen_status" value="en_relecture"'


@pytest.fixture
def reviewers(file_database, network, role_groups) -> list:
    return [
        UserFactory(email=f"relecteur{index}@test.cnml.fr", role=Role.RELECTEUR_CNML, structure=network.cnml)
        for index in range(REVIEWERS)
    ]


def decided_once(fiche: Fiche) -> None:
    fiche.refresh_from_db()
    moves = [(entry.from_state, entry.to_state) for entry in transitions_of(fiche)]
    assert fiche.status in (Status.PUBLIEE, Status.REFUSEE)
    assert moves[-1] == (Status.EN_RELECTURE, fiche.status)
    assert moves.count((Status.EN_RELECTURE, Status.PUBLIEE)) + moves.count((Status.EN_RELECTURE, Status.REFUSEE)) == 1


def confirm_at_once(posts: list) -> list:
    """Every reviewer has the confirmation page open (``posts``: a client and its page), then all confirm at once."""
    for client, url in posts:
        assert SEEN_IN_REVIEW in client.get(url).content.decode()
    pending = iter(posts)

    def decide():
        client, url = next(pending)
        client.raise_request_exception = False
        return client.post(url, {"comment": "Décision du comité.", "seen_status": Status.EN_RELECTURE})

    return run_together(decide, len(posts))


def test_reviewers_deciding_at_once_through_the_service_decide_once(reviewers, network):
    for _ in range(ROUNDS):
        fiche = make_fiche(Status.EN_RELECTURE, structure=network.ml_a1)
        calls = iter([(reviewer, verb) for reviewer, verb in zip(reviewers, itertools.cycle(DECISIONS), strict=False)])

        def decide(calls=calls, fiche=fiche):
            reviewer, verb = next(calls)
            # Each decided on the fiche as shown to them: under review (the pages post it as seen_status).
            return services.fiche_apply(
                fiche=fiche, actor=reviewer, verb=verb, comment="Décision du comité.", seen_status=Status.EN_RELECTURE
            )

        results = run_together(decide, REVIEWERS)

        assert sum(isinstance(result, Fiche) for result in results) == 1, results
        refused = [result for result in results if isinstance(result, TransitionRefused)]
        assert len(refused) == REVIEWERS - 1, results
        assert all(str(error).startswith(TOO_LATE) for error in refused), refused
        decided_once(fiche)


def test_reviewers_deciding_at_once_on_the_site_are_told_the_fiche_was_decided(reviewers, network, client_for):
    for _ in range(ROUNDS):
        fiche = make_fiche(Status.EN_RELECTURE, structure=network.ml_a1)
        posts = [
            (client_for(reviewer), f"/bonnes-pratiques/fiche/{fiche.pk}/{DECISIONS[verb]}/")
            for reviewer, verb in zip(reviewers, itertools.cycle(DECISIONS), strict=False)
        ]
        responses = confirm_at_once(posts)

        assert all(not isinstance(response, Exception) for response in responses), responses
        statuses = sorted(response.status_code for response in responses)
        assert statuses == [302] + [400] * (REVIEWERS - 1), statuses
        for response in responses:
            if response.status_code == 400:
                content = response.content.decode()
                assert escape(TOO_LATE) in content
                assert "Décision du comité." in content  # the comment typed is still there
        decided_once(fiche)


def test_reviewers_deciding_at_once_in_the_admin_are_told_the_fiche_was_decided(reviewers, network, client_for):
    fiche = make_fiche(Status.EN_RELECTURE, structure=network.ml_a1)
    clients = [client_for(reviewer) for reviewer in reviewers]
    posts = [
        (client, f"/admin/practices/fiche/{fiche.pk}/decision/{verb}/")
        for client, verb in zip(clients, itertools.cycle(DECISIONS), strict=False)
    ]
    responses = confirm_at_once(posts)

    assert all(not isinstance(response, Exception) for response in responses), responses
    assert [response.status_code for response in responses] == [302] * REVIEWERS
    pages = [client.get(f"/admin/practices/fiche/{fiche.pk}/change/").content.decode() for client in clients]
    assert sum("1\u00a0fiche traitée" in page for page in pages) == 1
    assert sum(escape(TOO_LATE) in page for page in pages) == REVIEWERS - 1
    decided_once(fiche)
