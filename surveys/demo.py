"""Demo data of the surveys (``python manage.py demo``), idempotent.

- « Enquête de satisfaction des jeunes — PACA 2010 » : the SERVQUAL
  questionnaire with the PACA headline questions, over the demo structures of
  region 93, closed (its past history replayed: created, opened, closed by the
  hourly pass), with generated answers (fixed random seed) shaped like the
  newsletter's figures (46 % very satisfied, about half received at once, 56 %
  would recommend). One antenne of ML93002 stays below 11 answers: it is
  hidden, and its sister antenne with it (secondary suppression), while both
  missions locales and the region show their results. Its results are published
  (public pages, the newsletter's « résultats disponibles au niveau régional et pour
  chacune des missions locales et de ses antennes »).
- « Enquête de satisfaction des employeurs — PACA 2012 » : a draft.
"""

from __future__ import annotations

import random
from datetime import date, datetime
from typing import TextIO

from django.db import transaction
from django.utils import timezone

from cnml.audit import TransitionLog, log_transition, transitions_of
from cnml.demo import ensure_shipped_rows
from cnml.models import Region, Structure, User
from surveys.aggregation import aggregate_campaign
from surveys.models import (
    Campaign,
    CampaignScope,
    CampaignStatus,
    PublicationStatus,
    Questionnaire,
    Response,
    ResultsPublication,
)
from surveys.services import AUTO_CLOSE_COMMENT, campaign_sync_points
from surveys.spec import current_version

YOUTH_TITLE = "Enquête de satisfaction des jeunes — PACA 2010"
EMPLOYER_TITLE = "Enquête de satisfaction des employeurs — PACA 2012"
SEED = 2010
# Answers generated per antenne; ML93002A2 stays below the publication threshold (11).
ANSWERS_PER_POINT = {"ML93001A1": 64, "ML93002A1": 58, "ML93002A2": 7}
# How much each antenne's perceptions differ from the region's (points on the 1–7 scale).
POINT_BIAS = {"ML93001A1": 0.2, "ML93002A1": -0.3, "ML93002A2": 0.0}
DIMENSION_BIAS = {"Tangibles": 0.1, "Fiabilité": -0.6, "Réactivité": -0.9, "Assurance": -0.2, "Empathie": -0.5}

COMMENTS = [
    "Ma conseillère m'a beaucoup aidé pour trouver une formation.",
    "L'attente est parfois longue le lundi matin.",
    "Très bon accueil, je recommande.",
    "Il faudrait plus d'ordinateurs dans l'espace documentation.",
    "Les ateliers CV sont utiles.",
    "J'aimerais des horaires le samedi.",
]


def _pick(rng: random.Random, weighted: list[tuple[str, float]]) -> str:
    return rng.choices([code for code, _ in weighted], weights=[weight for _, weight in weighted])[0]


def _clamp(value: float, low: int, high: int) -> int:
    return max(low, min(high, round(value)))


def generate_answers(spec: dict, rng: random.Random, bias: float = 0.0) -> dict:
    """One plausible answer to the youth SERVQUAL questionnaire (headline questions included)."""
    answers: dict = {}
    for section in spec["sections"]:
        for question in section["questions"]:
            code, kind = question["code"], question["kind"]
            if question["servqual_role"] == "E":
                answers[code] = _clamp(rng.gauss(6.1, 0.8), 1, 7)
            elif question["servqual_role"] == "P":
                shift = DIMENSION_BIAS.get(question["dimension"], 0.0) + bias
                answers[code] = _clamp(rng.gauss(5.6 + shift, 1.1), 1, 7)
            elif kind == "points":
                cuts = sorted(rng.randint(0, 100) for _ in range(len(question["choices"]) - 1))
                parts = [b - a for a, b in zip([0, *cuts], [*cuts, 100], strict=True)]
                answers[code] = {choice["code"]: part for choice, part in zip(question["choices"], parts, strict=True)}
            elif code == "accueil":
                answers[code] = _pick(
                    rng,
                    [
                        ("tres_satisfait", 0.46 + bias / 3),
                        ("plutot_satisfait", 0.40),
                        ("plutot_pas_satisfait", 0.10),
                        ("pas_du_tout_satisfait", 0.04),
                    ],
                )
            elif code == "delai":
                answers[code] = _pick(
                    rng,
                    [
                        ("immediatement", 0.49),
                        ("moins_15_minutes", 0.31),
                        ("plus_15_minutes", 0.12),
                        ("autre_jour", 0.08),
                    ],
                )
            elif code == "connu":
                chances = {
                    "amis": 0.42,
                    "famille": 0.33,
                    "pole_emploi": 0.30,
                    "etablissement_scolaire": 0.14,
                    "travailleur_social": 0.10,
                    "internet": 0.08,
                    "autre": 0.05,
                }
                chosen = [choice for choice, chance in chances.items() if rng.random() < chance]
                answers[code] = chosen or ["amis"]
            elif code == "recommande":
                answers[code] = _pick(rng, [("oui", 0.56), ("non", 0.12), ("nsp", 0.32)])
            elif kind == "multiple":
                chosen = [choice["code"] for choice in question["choices"] if rng.random() < 0.4]
                if chosen:
                    answers[code] = chosen
            elif kind == "text" and rng.random() < 0.2:
                answers[code] = rng.choice(COMMENTS)
    return answers


@transaction.atomic
def demo_load_surveys(*, stdout: TextIO) -> None:
    paca = Region.objects.filter(code="93").first()
    if paca is None:
        stdout.write("Enquêtes : région 93 absente, démonstration ignorée.\n")
        return
    # The instruments are data shipped by a migration; a test database emptied by a transactional test
    # no longer holds them, so the demo ensures them with the migration's own (idempotent) function.
    ensure_shipped_rows("surveys.migrations.0001_squashed", "load_instruments")
    animator = User.objects.filter(email="animateur@demo.cnml.fr").first()
    structures = list(Structure.objects.filter(code__in=["ML93001", "ML93001A1", "ML93002", "ML93002A1", "ML93002A2"]))
    _load_youth_campaign(paca, animator, structures, stdout)
    _load_employer_campaign(paca, animator, structures, stdout)


def _load_youth_campaign(paca: Region, animator: User | None, structures: list[Structure], stdout: TextIO) -> None:
    """The closed SERVQUAL campaign of 2010, with its history, its answers and its results."""
    servqual = Questionnaire.objects.get(code="servqual-jeunes")
    youth, created = _regional_campaign(YOUTH_TITLE, servqual, "jeunes", paca, animator, year=2010, target=150)
    if created:
        _replay_history(
            youth,
            [
                (CampaignStatus.DRAFT, animator, "", datetime(2010, 2, 15, 10, 30)),
                (CampaignStatus.OPEN, animator, "", datetime(2010, 3, 1, 9, 0)),
                (CampaignStatus.CLOSED, None, AUTO_CLOSE_COMMENT, datetime(2010, 7, 1, 1, 0)),
            ],
        )
    youth.participants.set(structures)
    campaign_sync_points(campaign=youth)
    if not youth.responses.exists():
        responses = _generated_responses(youth, servqual)
        Response.objects.bulk_create(responses)
        stdout.write(f"Enquêtes : {len(responses)} réponses générées pour « {YOUTH_TITLE} ».\n")
    if youth.aggregated_at is None:
        report = aggregate_campaign(youth)
        stdout.write(f"Enquêtes : résultats calculés ({report.nodes} groupes, {report.hidden} masqués).\n")
    _publish_results(youth, animator, stdout)


def _publish_results(campaign: Campaign, animator: User | None, stdout: TextIO) -> None:
    """The results published by the region's animator once computed (logged as a move of the publication)."""
    publication, created = ResultsPublication.objects.get_or_create(campaign=campaign)
    if not created:
        return
    moment = campaign.aggregated_at or timezone.now()
    publication.published_at = moment
    ResultsPublication.workflow.record_move(publication, PublicationStatus.PUBLISHED, actor=animator)
    TransitionLog.objects.filter(pk=transitions_of(publication).last().pk).update(at=moment)
    stdout.write(
        f"Enquêtes : résultats de « {campaign.title} » publiés (pages publiques /enquetes/resultats-publies/).\n"
    )


def _generated_responses(youth: Campaign, servqual: Questionnaire) -> list[Response]:
    """ANSWERS_PER_POINT answers at each antenne, from a fixed seed, spread over the campaign's months."""
    version_id, spec = current_version(servqual)
    rng = random.Random(SEED)
    responses = []
    for point in youth.points.select_related("structure").order_by("structure__code"):
        code = point.structure.code
        for index in range(ANSWERS_PER_POINT.get(code, 0)):
            responses.append(
                Response(
                    campaign=youth,
                    point=point,
                    version_id=version_id,
                    submitted_on=date(2010, 3 + index % 4, 1 + index % 28),
                    answers=generate_answers(spec, rng, POINT_BIAS.get(code, 0.0)),
                )
            )
    return responses


def _load_employer_campaign(paca: Region, animator: User | None, structures: list[Structure], stdout: TextIO) -> None:
    """The employers' campaign of 2012, a draft over the two missions locales."""
    employers = Questionnaire.objects.get(code="employeurs")
    employer, created = _regional_campaign(
        EMPLOYER_TITLE, employers, "entreprises", paca, animator, year=2012, target=200
    )
    if created:
        _replay_history(employer, [(CampaignStatus.DRAFT, animator, "", datetime(2012, 1, 10, 14, 0))])
        employer.participants.set([s for s in structures if s.code in ("ML93001", "ML93002")])
        campaign_sync_points(campaign=employer)
        stdout.write(f"Enquêtes : campagne « {EMPLOYER_TITLE} » créée en brouillon.\n")


def _regional_campaign(
    title: str,
    questionnaire: Questionnaire,
    audience: str,
    region: Region,
    animator: User | None,
    *,
    year: int,
    target: int,
) -> tuple[Campaign, bool]:
    """A campaign of the region by its animator, from March to June of the year: created as a draft, or found."""
    return Campaign.objects.get_or_create(
        title=title,
        defaults={
            "questionnaire": questionnaire,
            "audience": audience,
            "scope": CampaignScope.REGION,
            "region": region,
            "opens_on": date(year, 3, 1),
            "closes_on": date(year, 6, 30),
            "target": target,
            "status": CampaignStatus.DRAFT,
            "created_by": animator,
        },
    )


def _replay_history(campaign: Campaign, moves: list[tuple[str, User | None, str, datetime]]) -> None:
    """A past history, replayed without checks (its dates are long gone): the creation, then each move."""
    for to_state, actor, comment, moment in moves:
        if to_state == CampaignStatus.DRAFT:
            log_transition(campaign, actor=actor, from_state="", to_state=to_state)  # the creation
        else:
            Campaign.workflow.record_move(campaign, to_state, actor=actor, comment=comment)
        last = transitions_of(campaign).last()
        TransitionLog.objects.filter(pk=last.pk).update(at=timezone.make_aware(moment))
