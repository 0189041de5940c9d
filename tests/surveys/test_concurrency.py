"""Single-use codes under concurrent submissions: exactly one answer, the others a clear page, never a 500.

Real threads with their own connections, on PostgreSQL and on a SQLite file (the embedded default;
see :mod:`tests.concurrency`): the in-memory test database of SQLite would serialise everything.
"""

from __future__ import annotations

import pytest
from django.test import Client

from surveys.models import AccessCode, Response
from surveys.services import CodeAlreadyUsed, access_codes_generate, response_submit
from surveys.spec import current_version
from tests.concurrency import Browser, run_together
from tests.surveys.conftest import PHARES_POST

pytestmark = pytest.mark.django_db(transaction=True)

THREADS = 8
BURSTS = 5
CODE_USED = "Ce code a déjà été utilisé"


def test_parallel_posts_of_one_code_to_a_live_server_store_one_answer_and_explain_the_others(
    concurrent_server, make_campaign, network
):
    campaign = make_campaign()
    point = campaign.points.get(structure=network.antenne_a1)
    # Several bursts, one code each: a race shows up in one burst or another.
    for burst, access in enumerate(access_codes_generate(point=point, count=BURSTS), start=1):
        path = f"/e/{access.code}/2/"
        # Each visitor opens the last screen first (its cookie and CSRF token), then all send at once.
        visitors = [Browser(concurrent_server) for _ in range(THREADS)]
        for visitor in visitors:
            assert visitor.get(path)[0] == 200

        senders = iter(visitors)
        results = run_together(lambda senders=senders, path=path: next(senders).post(path, PHARES_POST), THREADS)

        assert all(not isinstance(result, Exception) for result in results), results
        statuses = sorted(status for status, _, _ in results)
        errors = [body for status, body, _ in results if status >= 500]
        assert not errors, (burst, statuses, errors[0][:3000])
        assert [location for status, _, location in results if status == 302] == [f"/e/{access.code}/merci/"]
        assert len([body for status, body, _ in results if status == 200 and CODE_USED in body]) == THREADS - 1
        assert AccessCode.objects.get(pk=access.pk).used_at is not None
        assert Response.objects.filter(campaign=campaign).count() == burst


def test_concurrent_submissions_with_one_code_store_exactly_one_answer(file_database, make_campaign, network):
    campaign = make_campaign()
    point = campaign.points.get(structure=network.antenne_a1)
    access = access_codes_generate(point=point, count=1)[0]

    def submit():
        return Client(raise_request_exception=False).post(f"/e/{access.code}/2/", PHARES_POST)

    responses = run_together(submit, THREADS)
    assert all(not isinstance(response, Exception) for response in responses), responses
    stored = [r for r in responses if r.status_code == 302 and r["Location"].endswith("/merci/")]
    refused = [r for r in responses if r.status_code == 200 and CODE_USED in r.content.decode()]
    assert len(stored) == 1, [r.status_code for r in responses]
    assert len(refused) == THREADS - 1, [r.status_code for r in responses]
    assert Response.objects.filter(campaign=campaign).count() == 1


def test_concurrent_service_calls_spend_a_code_once(file_database, make_campaign, network):
    campaign = make_campaign()
    point = campaign.points.get(structure=network.antenne_a1)
    access = access_codes_generate(point=point, count=1)[0]
    version_id, _ = current_version(campaign.questionnaire)

    def submit():
        return response_submit(
            point=point, version_id=version_id, answers={"recommande": "oui"}, access_code_id=access.pk
        )

    results = run_together(submit, THREADS)
    assert sum(isinstance(result, Response) for result in results) == 1, results
    assert sum(isinstance(result, CodeAlreadyUsed) for result in results) == THREADS - 1, results
    assert Response.objects.count() == 1
