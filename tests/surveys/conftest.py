"""Fixtures of the surveys tests.

- ``instruments``: every shipped questionnaire, the professionals' too (the data migration's own
  loaders, re-run because transactional tests empty the tables); ``load_instruments`` and
  ``load_professionals``, those loaders, for the tests that call them themselves;
- ``make_campaign``: a campaign over given structures, opened by default, dated around the frozen
  today of ``tests/clock.py`` (time-machine; the test's clock starts there);
- ``answer``: stores answers directly (``answer(campaign, structure, n, **values)``); ``store_responses``
  stores given ones (generated, varied) at a point.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

import pytest
from django.apps import apps
from django.utils import timezone

from surveys import spec as spec_module
from surveys.models import Campaign, CampaignScope, CampaignStatus, Questionnaire, Response
from surveys.services import campaign_sync_points
from surveys.spec import current_version
from tests.clock import NOW
from tests.migrations import shipped

# The shipped questionnaires, loaded again by the tests whose tables were emptied (transactional,
# browser): the data migrations' own loaders, named here only.
load_instruments = shipped("surveys").load_instruments
load_professionals = shipped("surveys").load_professionals


@pytest.fixture(autouse=True)
def fresh_spec_cache():
    """Compiled specs are cached per process by (questionnaire, revision): tests roll rows back."""
    spec_module._cache.clear()
    yield
    spec_module._cache.clear()


@pytest.fixture(autouse=True)
def no_rate_limit_leak():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def instruments(db) -> dict[str, Questionnaire]:
    load_instruments(apps, None)
    load_professionals(apps, None)
    return {q.code: q for q in Questionnaire.objects.all()}


@pytest.fixture
def make_campaign(instruments, network, time_machine):
    """Campaigns dated around :data:`tests.clock.TODAY`, the test's frozen today (open, due, future...)."""
    time_machine.move_to(NOW)

    def make(
        *,
        questionnaire: str = "questions-phares",
        structures=None,
        region=None,
        status: str = CampaignStatus.OPEN,
        scope: str = CampaignScope.REGION,
        target: int = 100,
        access_mode: str = "lien",
        title: str = "Enquête de test",
        opens_on=None,
        closes_on=None,
    ) -> Campaign:
        today = timezone.localdate()
        return campaign_over(
            structures if structures is not None else [network.antenne_a1, network.antenne_a2],
            instruments[questionnaire],
            title=title,
            scope=scope,
            region=None if scope == CampaignScope.NATION else (region or network.region_a),
            opens_on=opens_on or today - timedelta(days=10),
            closes_on=closes_on or today + timedelta(days=10),
            target=target,
            status=status,
            access_mode=access_mode,
        )

    return make


def campaign_over(structures, questionnaire: Questionnaire, **fields) -> Campaign:
    """A campaign of ``questionnaire`` (for its audience) over ``structures``, with their points of diffusion."""
    campaign = Campaign.objects.create(questionnaire=questionnaire, audience=questionnaire.audience, **fields)
    campaign.participants.set(structures)
    campaign_sync_points(campaign=campaign)
    return campaign


PHARES_ANSWER = {
    "accueil": "tres_satisfait",
    "delai": "immediatement",
    "connu": ["amis", "pole_emploi"],
    "recommande": "oui",
    "services": ["ateliers"],
    "commentaire": "",
}


def store_responses(
    campaign: Campaign, point, answers: Iterable[dict], *, submitted_on: date = date(2011, 5, 2)
) -> list[Response]:
    """One response stored at ``point`` per dict of ``answers``, on the questionnaire's current version."""
    version_id, _ = current_version(campaign.questionnaire)
    return Response.objects.bulk_create(
        Response(campaign=campaign, point=point, version_id=version_id, submitted_on=submitted_on, answers=given)
        for given in answers
    )


@pytest.fixture
def answer():
    def store(campaign: Campaign, structure, n: int, **values) -> list[Response]:
        answers = {**PHARES_ANSWER, **values} if campaign.questionnaire.code == "questions-phares" else values
        answers = {key: value for key, value in answers.items() if value not in ("", None)}
        return store_responses(campaign, campaign.points.get(structure=structure), [answers] * n)

    return store


# What the public form posts for the "questions phares" questionnaire, all screens at once.
PHARES_POST = {
    "q-accueil": "plutot_satisfait",
    "q-delai": "moins_15_minutes",
    "q-connu": ["famille"],
    "q-recommande": "oui",
    "q-services": ["documentation"],
    "q-commentaire": "",
    "ecrans": "1,2",
}
