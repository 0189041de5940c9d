"""Query-count guards of the surveys pages at a realistic size (see tests/querycounts.py).

One world for the module (``kept_for_module``): a regional campaign over two missions locales of
twelve antennes each (24 distribution points, 20 to 40 answers each, comments), aggregated; two
batches of single-use codes on a point; a dozen other campaigns for the list. A page whose queries
grow with its rows goes far past its ceiling. None did when these were written: results are stored
per group (``ResultNode``) and read a page at a time.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.apps import apps
from django.utils import timezone

from cnml.models import Role
from surveys import spec as spec_module
from surveys.aggregation import aggregate_campaign
from surveys.models import Campaign, CampaignScope, CampaignStatus, Questionnaire
from surveys.services import access_codes_generate
from tests.conftest import build_network_and_users, kept_for_module
from tests.factories import AntenneFactory
from tests.querycounts import ANONYMOUS
from tests.surveys.conftest import PHARES_ANSWER, campaign_over, load_instruments, store_responses

# The module's data is built once (kept_for_module): its tests stay on one pytest-xdist worker.
pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("surveys-query-counts")]

ANTENNES_PER_ML = 12
# Without a comment: a third of the answers get one of their own.
ANSWERS = {key: value for key, value in PHARES_ANSWER.items() if key != "commentaire"}


def month_long_campaign(structures, *, questionnaire, region, title: str, status: str) -> Campaign:
    today = timezone.localdate()
    return campaign_over(
        structures,
        questionnaire,
        title=title,
        scope=CampaignScope.REGION,
        region=region,
        opens_on=today - timedelta(days=30),
        closes_on=today + timedelta(days=30),
        target=500,
        status=status,
        access_mode="lien",
    )


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with kept_for_module(django_db_blocker):
        spec_module._cache.clear()
        network, users = build_network_and_users()
        load_instruments(apps, None)
        phares = Questionnaire.objects.get(code="questions-phares")
        antennes = [
            AntenneFactory(code=f"ANT{ml.code}{n:02d}", name=f"Antenne {ml.name} {n:02d}", parent=ml)
            for ml in (network.ml_a1, network.ml_a2)
            for n in range(ANTENNES_PER_ML)
        ]
        campaign = month_long_campaign(
            antennes, questionnaire=phares, region=network.region_a, title="Enquête 2011", status=CampaignStatus.OPEN
        )
        for index, point in enumerate(campaign.points.all()):
            store_responses(
                campaign,
                point,
                (
                    {**ANSWERS, "commentaire": f"Commentaire {index}-{n}"} if n % 3 == 0 else ANSWERS
                    for n in range(20 + index % 21)
                ),
            )
        aggregate_campaign(campaign)
        point = campaign.points.order_by("code").first()
        access_codes_generate(point=point, count=60)
        access_codes_generate(point=point, count=40)
        for n in range(12):
            month_long_campaign(
                [network.antenne_a1, network.antenne_a2],
                questionnaire=phares,
                region=network.region_a,
                title=f"Campagne {n:02d}",
                status=[CampaignStatus.DRAFT, CampaignStatus.OPEN, CampaignStatus.CLOSED][n % 3],
            )
        yield {"users": users, "campaign": campaign, "point": point}
        spec_module._cache.clear()


def pages(world) -> dict[str, str]:
    campaign, point = world["campaign"], world["point"]
    base = f"/enquetes/campagnes/{campaign.pk}"
    return {
        "campagnes": "/enquetes/",
        "campagne": f"{base}/",
        "codes": f"{base}/diffusion/{point.code}/codes/",
        "résultats de la région": f"{base}/resultats/region-{campaign.region.code}/",
        "résultats d'une mission locale": f"{base}/resultats/structure-MLA1/",
        "résultats d'une antenne": f"{base}/resultats/structure-ANTMLA100/",
        "questionnaire public": f"/e/{point.code}/",
    }


# (visitor, page): the most queries the page may make, and a text that shows its rows are there.
CEILINGS = {
    (Role.ANIMATEUR_REGIONAL, "campagnes"): (4, "Campagne 11"),
    (Role.ANIMATEUR_REGIONAL, "campagne"): (
        12,
        "Antenne Mission locale Alpha 2 11",
    ),  # + the publication guard: results computed
    (Role.ANIMATEUR_REGIONAL, "codes"): (8, "Lot"),
    (Role.ANIMATEUR_REGIONAL, "résultats de la région"): (11, "Mission locale Alpha 2"),
    (Role.ANIMATEUR_REGIONAL, "résultats d'une mission locale"): (11, "Antenne Mission locale Alpha 1 11"),
    (Role.ANIMATEUR_REGIONAL, "résultats d'une antenne"): (11, "Commentaire 0-0"),
    (Role.DIRECTEUR, "campagnes"): (4, "Campagne 11"),
    (Role.DIRECTEUR, "campagne"): (7, "Antenne Mission locale Alpha 1 11"),
    (Role.DIRECTEUR, "résultats d'une mission locale"): (10, "Antenne Mission locale Alpha 1 11"),
    (Role.RELECTEUR_CNML, "campagnes"): (3, "Campagne 11"),
    (ANONYMOUS, "questionnaire public"): (10, "accueil"),
}


@pytest.mark.parametrize(("visitor", "page"), list(CEILINGS))
def test_each_page_makes_a_bounded_number_of_queries_at_a_realistic_size(world, bounded_page, visitor, page):
    bounded_page(world["users"], visitor, pages(world)[page], *CEILINGS[visitor, page])
