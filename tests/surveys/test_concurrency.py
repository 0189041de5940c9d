"""Single-use codes under concurrent submissions: exactly one answer, on PostgreSQL with real threads.

Run with ``DATABASE_URL=postgres://…`` (marked ``postgresql``; skipped on SQLite,
whose writes are serialised anyway).
"""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections
from django.test import Client

from surveys.models import Response
from surveys.services import CodeAlreadyUsed, access_codes_generate, response_submit
from surveys.spec import current_version
from tests.surveys.conftest import PHARES_POST

pytestmark = [pytest.mark.postgresql, pytest.mark.django_db(transaction=True)]

THREADS = 8


@pytest.fixture(autouse=True)
def postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("Concurrence réelle : lancer avec DATABASE_URL sur PostgreSQL.")


def run_together(target) -> list:
    """Start THREADS threads on ``target`` at the same instant; return their results."""
    barrier = threading.Barrier(THREADS)
    results: list = [None] * THREADS

    def worker(index: int) -> None:
        try:
            barrier.wait()
            results[index] = target()
        except Exception as exc:
            results[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(index,)) for index in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


def test_concurrent_submissions_with_one_code_store_exactly_one_answer(make_campaign, network):
    campaign = make_campaign()
    point = campaign.points.get(structure=network.antenne_a1)
    access = access_codes_generate(point=point, count=1)[0]

    def submit():
        return Client().post(f"/e/{access.code}/2/", PHARES_POST)

    responses = run_together(submit)
    assert all(not isinstance(response, Exception) for response in responses), responses
    stored = [r for r in responses if r.status_code == 302 and r["Location"].endswith("/merci/")]
    refused = [r for r in responses if r.status_code == 200 and "Ce code a déjà été utilisé" in r.content.decode()]
    assert len(stored) == 1
    assert len(refused) == THREADS - 1
    assert Response.objects.filter(campaign=campaign).count() == 1


def test_concurrent_service_calls_spend_a_code_once(make_campaign, network):
    campaign = make_campaign()
    point = campaign.points.get(structure=network.antenne_a1)
    access = access_codes_generate(point=point, count=1)[0]
    version_id, _ = current_version(campaign.questionnaire)

    def submit():
        return response_submit(
            point=point, version_id=version_id, answers={"recommande": "oui"}, access_code_id=access.pk
        )

    results = run_together(submit)
    assert sum(isinstance(result, Response) for result in results) == 1
    assert sum(isinstance(result, CodeAlreadyUsed) for result in results) == THREADS - 1
    assert Response.objects.count() == 1
