"""Writes of the surveys app (``<entity>_<action>(*, ...)``)."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from cnml import outbox
from cnml.audit import log_transition
from cnml.models import Structure, StructureKind
from surveys.aggregation import AggregationReport, aggregate_campaign
from surveys.models import (
    AccessCode,
    Campaign,
    CampaignStatus,
    Choice,
    DistributionPoint,
    Question,
    Questionnaire,
    Response,
    Section,
)

# Codes people type from a poster or a slip: no 0/O, 1/I/L, no vowels-only words.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
POINT_CODE_LENGTH = 6
ACCESS_CODE_LENGTH = 10
MAX_CODES_PER_BATCH = 2000


class CampaignError(Exception):
    """A campaign action that cannot be done now; the message is for the user."""


class CodeAlreadyUsed(Exception):
    pass


class CampaignNotAccepting(Exception):
    pass


def random_code(length: int) -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(length))


def normalize_code(code: str) -> str:
    return "".join(char for char in code.upper() if char.isalnum())


# --- Questionnaires ------------------------------------------------------------------------------


@transaction.atomic
def questionnaire_copy(*, questionnaire: Questionnaire) -> Questionnaire:
    """A full, unlocked copy (sections, questions, choices) to adapt freely."""
    base = f"{questionnaire.code[:48]}-copie"
    code, number = base, 1
    while Questionnaire.objects.filter(code=code).exists():
        number += 1
        code = f"{base}-{number}"
    copy = Questionnaire.objects.create(
        code=code,
        title=f"{questionnaire.title} (copie)",
        audience=questionnaire.audience,
        instrument=questionnaire.instrument,
        description=questionnaire.description,
        copied_from=questionnaire,
    )
    for section in questionnaire.sections.prefetch_related("questions__choices"):
        new_section = Section.objects.create(
            questionnaire=copy, order=section.order, title=section.title, description=section.description
        )
        for question in section.questions.all():
            choices = list(question.choices.all())
            question.pk = None
            question._state.adding = True
            question.section = new_section
            question.save()
            Choice.objects.bulk_create(
                Choice(
                    question=question,
                    order=choice.order,
                    code=choice.code,
                    label=choice.label,
                    is_key=choice.is_key,
                    dimension=choice.dimension,
                )
                for choice in choices
            )
    copy.bump_revision()
    copy.refresh_from_db()
    return copy


def questionnaire_question_count(questionnaire: Questionnaire) -> int:
    return Question.objects.filter(section__questionnaire=questionnaire).count()


# --- Campaigns -----------------------------------------------------------------------------------


def distribution_structures(participants: Iterable[Structure]) -> list[Structure]:
    """The structures that get a link: each participating antenne, and each participating
    mission locale (or PAIO) none of whose antennes participates."""
    participants = list(participants)
    parents_with_antennes = {s.parent_id for s in participants if s.kind == StructureKind.ANTENNE}
    chosen = [
        s
        for s in participants
        if s.kind == StructureKind.ANTENNE
        or (s.kind in (StructureKind.ML, StructureKind.PAIO) and s.pk not in parents_with_antennes)
    ]
    return sorted(chosen, key=lambda s: s.code)


def _new_point_code() -> str:
    while True:
        code = random_code(POINT_CODE_LENGTH)
        if not DistributionPoint.objects.filter(code=code).exists():
            return code


def campaign_sync_points(*, campaign: Campaign) -> tuple[int, int]:
    """Create the missing distribution points; remove those no longer participating (without answers).

    Returns (created, removed).
    """
    wanted = {s.pk: s for s in distribution_structures(campaign.participants.all())}
    existing = {point.structure_id: point for point in campaign.points.all()}
    created = 0
    for structure_id, structure in wanted.items():
        if structure_id not in existing:
            DistributionPoint.objects.create(campaign=campaign, structure=structure, code=_new_point_code())
            created += 1
    stale = [point for structure_id, point in existing.items() if structure_id not in wanted]
    removable = [point.pk for point in stale if not point.responses.exists()]
    DistributionPoint.objects.filter(pk__in=removable).delete()
    return created, len(removable)


def campaign_participants_in_scope(*, campaign: Campaign, participants: Iterable[Structure]) -> list[Structure]:
    """Participants filtered to the campaign's perimeter (local structures of its region, or anywhere)."""
    allowed = Structure.objects.local().active()
    if campaign.region_id:
        allowed = allowed.filter(region_id=campaign.region_id)
    allowed_ids = set(allowed.values_list("pk", flat=True))
    return [s for s in participants if s.pk in allowed_ids]


@transaction.atomic
def campaign_save(*, campaign: Campaign, participants: Iterable[Structure], actor) -> Campaign:
    """Create or update a campaign and its distribution points.

    Raises ``ValidationError`` (French, by field) when the campaign breaks one of its rules
    (:meth:`surveys.models.Campaign.clean`), whatever the caller checked before.
    """
    creating = campaign.pk is None
    if creating:
        campaign.created_by = actor if getattr(actor, "is_authenticated", False) else None
        campaign.status = CampaignStatus.DRAFT
    else:
        Campaign.objects.select_for_update().filter(pk=campaign.pk).first()  # against a concurrent transition
    campaign.full_clean(exclude=["participants"])  # also sets the scope from the region
    campaign.save()
    campaign.participants.set(campaign_participants_in_scope(campaign=campaign, participants=participants))
    campaign_sync_points(campaign=campaign)
    if creating:
        log_transition(campaign, actor=actor, from_state="", to_state=CampaignStatus.DRAFT)
    return campaign


@transaction.atomic
def campaign_open(*, campaign: Campaign, actor) -> Campaign:
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if campaign.status != CampaignStatus.DRAFT:
        raise CampaignError("Seule une campagne en brouillon peut être ouverte.")
    if not campaign.points.exists():
        raise CampaignError("Choisissez au moins une structure participante avant d'ouvrir la campagne.")
    if not questionnaire_question_count(campaign.questionnaire):
        raise CampaignError("Le questionnaire de cette campagne n'a aucune question.")
    campaign.status = CampaignStatus.OPEN
    try:
        campaign.clean()  # the campaign's rules, as an open one (its closing date is not past)
    except ValidationError as error:
        raise CampaignError("La campagne ne peut pas être ouverte. " + " ".join(error.messages)) from None
    campaign.save(update_fields=["status"])
    log_transition(campaign, actor=actor, from_state=CampaignStatus.DRAFT, to_state=CampaignStatus.OPEN)
    return campaign


@transaction.atomic
def campaign_close(*, campaign: Campaign, actor, comment: str = "") -> Campaign:
    """Close the campaign; its results are owed (computed by a worker once committed)."""
    from surveys.tasks import aggregate_campaign_results

    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if campaign.status != CampaignStatus.OPEN:
        raise CampaignError("Seule une campagne ouverte peut être close.")
    campaign.status = CampaignStatus.CLOSED
    campaign.save(update_fields=["status"])
    log_transition(
        campaign, actor=actor, from_state=CampaignStatus.OPEN, to_state=CampaignStatus.CLOSED, comment=comment
    )
    outbox.enqueue(aggregate_campaign_results, campaign_id=campaign.pk)
    return campaign


def campaigns_close_due(*, today: date | None = None) -> list[int]:
    """Close every open campaign whose closing date has passed; return their ids."""
    today = today or timezone.localdate()
    closed = []
    for campaign in Campaign.objects.filter(status=CampaignStatus.OPEN, closes_on__lt=today):
        try:
            campaign_close(campaign=campaign, actor=None, comment="Clôture automatique à la date prévue.")
        except CampaignError:  # closed meanwhile
            continue
        closed.append(campaign.pk)
    return closed


def campaign_aggregate(*, campaign_id: int) -> AggregationReport:
    return aggregate_campaign(Campaign.objects.select_related("questionnaire", "region").get(pk=campaign_id))


@transaction.atomic
def campaign_request_aggregation(*, campaign: Campaign) -> None:
    """Owe the computation of the results (done by a worker, even if the broker is down right now)."""
    from surveys.tasks import aggregate_campaign_results

    outbox.enqueue(aggregate_campaign_results, campaign_id=campaign.pk)


# --- Single-use codes ----------------------------------------------------------------------------


@transaction.atomic
def access_codes_generate(*, point: DistributionPoint, count: int) -> list[AccessCode]:
    """A new batch of ``count`` single-use codes for one distribution point (not once its campaign is closed)."""
    if not 1 <= count <= MAX_CODES_PER_BATCH:
        raise CampaignError(f"Un lot compte de 1 à {MAX_CODES_PER_BATCH} codes.")
    if Campaign.objects.filter(pk=point.campaign_id, status=CampaignStatus.CLOSED).exists():
        raise CampaignError("La campagne est close : aucun nouveau code.")
    last = point.access_codes.order_by("-batch").values_list("batch", flat=True).first() or 0
    batch = last + 1
    codes: set[str] = set()
    while len(codes) < count:
        candidates = {random_code(ACCESS_CODE_LENGTH) for _ in range(count - len(codes))} - codes
        taken = set(AccessCode.objects.filter(code__in=candidates).values_list("code", flat=True))
        codes |= candidates - taken
    return AccessCode.objects.bulk_create(AccessCode(point=point, code=code, batch=batch) for code in sorted(codes))


# --- Answers -------------------------------------------------------------------------------------


def response_submit(
    *, point: DistributionPoint, version_id: int, answers: dict, access_code_id: int | None = None, today=None
) -> Response:
    """Store one anonymous answer; a single-use code is spent in the same transaction.

    Concurrent submissions with the same code: the row is locked (``SELECT … FOR
    UPDATE`` on PostgreSQL) and spent with a conditional UPDATE, so exactly one
    of them stores its answer; the others raise :class:`CodeAlreadyUsed`.
    """
    today = today or timezone.localdate()
    campaign = point.campaign
    if not campaign.is_accepting_answers(today):
        raise CampaignNotAccepting()
    response = Response(
        campaign_id=campaign.pk, point=point, version_id=version_id, submitted_on=today, answers=answers
    )
    if access_code_id is None:
        # One INSERT is its own transaction: no BEGIN/COMMIT round trips on the open links' hot path.
        response.save(force_insert=True)
        return response
    with transaction.atomic():
        locked = AccessCode.objects.select_for_update().filter(pk=access_code_id, used_at__isnull=True).first()
        spent = (
            AccessCode.objects.filter(pk=access_code_id, used_at__isnull=True).update(used_at=timezone.now())
            if locked
            else 0
        )
        if not spent:
            raise CodeAlreadyUsed()
        response.save(force_insert=True)
    return response
