"""Writes of the surveys app (``<entity>_<action>(*, ...)``).

A campaign's moves are the transitions of :class:`surveys.models.Campaign` (:mod:`cnml.workflows`):
the services here apply them and owe the work they bring (the results, on closing) in the same
transaction. The tasks of :mod:`surveys.tasks` call these services; the services name the task
they owe (:data:`AGGREGATE_RESULTS`) and never import that module: no import cycle.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import date
from itertools import groupby
from operator import attrgetter

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from cnml import outbox
from cnml.audit import log_transition
from cnml.emails import notify
from cnml.links import absolute_url
from cnml.models import Structure, StructureKind
from cnml.workflows import TransitionRefused
from surveys import selectors
from surveys.aggregation import AggregationReport, aggregate_campaign
from surveys.models import (
    AccessCode,
    Audience,
    Campaign,
    CampaignStatus,
    Choice,
    DistributionPoint,
    Questionnaire,
    Response,
    ResultsPublication,
    Section,
    StaffInvitation,
)

# Codes people type from a poster or a slip: no 0/O, 1/I/L, no vowels-only words.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
POINT_CODE_LENGTH = 6
ACCESS_CODE_LENGTH = 10
MAX_CODES_PER_BATCH = 2000


# The task owed when a campaign closes or its results are asked for (a name: surveys.tasks calls us).
AGGREGATE_RESULTS = "surveys.tasks.aggregate_campaign_results"
AUTO_CLOSE_COMMENT = "Clôture automatique à la date prévue."


class CampaignError(Exception):
    """An action on a campaign's codes that cannot be done now (not a move: those raise
    :class:`cnml.workflows.TransitionRefused`); the message is for the user."""


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


# --- Campaigns -----------------------------------------------------------------------------------


def distribution_structures(participants: Iterable[Structure]) -> list[Structure]:
    """The structures that get a link: each participating antenne, mission locale and PAIO. A mission
    locale receives young people at its head office too: beside its antennes' links it has its own,
    whose answers make its « siège » group in the results (``surveys.aggregation.build_tree``)."""
    local = (StructureKind.ANTENNE, StructureKind.ML, StructureKind.PAIO)
    return sorted((s for s in participants if s.kind in local), key=lambda s: s.code)


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


def campaign_open(*, campaign: Campaign, actor, seen_status: str | None = None) -> Campaign:
    """Open a draft (the ``open`` transition); raises :class:`~cnml.workflows.TransitionRefused`.

    ``seen_status``: the state shown to the actor when they chose; when the campaign has left
    it meanwhile, the refusal says that another decision came first.
    """
    return campaign.open(actor, seen_state=seen_status)


@transaction.atomic
def campaign_close(*, campaign: Campaign, actor, comment: str = "", seen_status: str | None = None) -> Campaign:
    """Close the campaign (``actor`` None: the hourly pass); its results are owed with the move.

    Raises :class:`~cnml.workflows.TransitionRefused`: of two closes at once, the second waits
    for the first, then is refused; nothing is owed twice.
    """
    closed = campaign.close(actor, comment=comment, seen_state=seen_status)
    outbox.enqueue(AGGREGATE_RESULTS, campaign_id=closed.pk)
    return closed


@transaction.atomic
def results_publish(*, campaign: Campaign, actor, seen_status: str | None = None) -> ResultsPublication:
    """Open a closed campaign's computed results to the public; raises :class:`TransitionRefused`."""
    publication, _ = ResultsPublication.objects.get_or_create(campaign=campaign)
    return publication.publish(actor, seen_state=seen_status, now=timezone.now())


@transaction.atomic
def results_withdraw(*, campaign: Campaign, actor, comment: str, seen_status: str | None = None) -> ResultsPublication:
    """Take published results back from the public, saying why; raises :class:`TransitionRefused` (the
    workflow's « not published » when they never were: the row made to ask is rolled back with it)."""
    publication, _ = ResultsPublication.objects.get_or_create(campaign=campaign)
    return publication.withdraw(actor, comment=comment, seen_state=seen_status)


def campaigns_close_due(*, today: date | None = None) -> list[int]:
    """Close every open campaign whose closing date has passed; return their ids."""
    today = today or timezone.localdate()
    closed = []
    for campaign in Campaign.objects.filter(status=CampaignStatus.OPEN, closes_on__lt=today):
        try:
            campaign_close(campaign=campaign, actor=None, comment=AUTO_CLOSE_COMMENT)
        except TransitionRefused:  # closed meanwhile
            continue
        closed.append(campaign.pk)
    return closed


def campaign_aggregate(*, campaign_id: int) -> AggregationReport:
    return aggregate_campaign(Campaign.objects.select_related("questionnaire", "region").get(pk=campaign_id))


@transaction.atomic
def campaign_request_aggregation(*, campaign: Campaign) -> None:
    """Owe the computation of the results (done by a worker, even if the broker is down right now)."""
    outbox.enqueue(AGGREGATE_RESULTS, campaign_id=campaign.pk)


# --- Single-use codes ----------------------------------------------------------------------------


@transaction.atomic
def access_codes_generate(*, point: DistributionPoint, count: int) -> list[AccessCode]:
    """A new batch of ``count`` single-use codes for one distribution point (not once its campaign is closed)."""
    if not 1 <= count <= MAX_CODES_PER_BATCH:
        raise CampaignError(f"Un lot compte de 1 à {MAX_CODES_PER_BATCH} codes.")
    if Campaign.objects.filter(pk=point.campaign_id, status=CampaignStatus.CLOSED).exists():
        raise CampaignError("La campagne est close : aucun nouveau code.")
    last = point.access_codes.order_by("-batch").values_list("batch", flat=True).first() or 0
    batch = last + 1
    codes: set[str] = set()
    while len(codes) < count:
        candidates = {random_code(ACCESS_CODE_LENGTH) for _ in range(count - len(codes))} - codes
        taken = set(AccessCode.objects.filter(code__in=candidates).values_list("code", flat=True))
        codes |= candidates - taken
    return AccessCode.objects.bulk_create(AccessCode(point=point, code=code, batch=batch) for code in sorted(codes))


# --- Surveys of professionals --------------------------------------------------------------------

STAFF_INVITATION_TEMPLATE = "surveys/emails/staff_invitation.txt"


@transaction.atomic
def campaign_invite_staff(*, campaign: Campaign, actor) -> int:
    """E-mail each member of staff of the participating structures not yet invited a personal link.

    One single-use code each, hence one answer each; re-inviting reaches only staff not yet invited.
    What is kept says who was invited (:class:`StaffInvitation`, so that no one is invited twice),
    never with which code: a point's codes are made as one batch and dealt at random, and a spent
    code of a survey of professionals keeps no time of use (:func:`response_submit`). Returns the
    number of e-mails owed (through the outbox); raises :class:`CampaignError` when the campaign is
    not a survey of professionals or is not open.
    """
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)  # two clicks at once: one invitation
    if campaign.audience != Audience.PROFESSIONNELS:
        raise CampaignError("Cette campagne ne s'adresse pas aux professionnels.")
    if campaign.status != CampaignStatus.OPEN:
        raise CampaignError("Seule une campagne ouverte invite les professionnels : ouvrez-la d'abord.")
    staff = list(selectors.staff_to_invite(campaign))
    points = {point.structure_id: point for point in campaign.points.all()}
    today = timezone.localdate()
    StaffInvitation.objects.bulk_create(
        StaffInvitation(campaign=campaign, user=user, invited_on=today) for user in staff
    )
    context = {"campaign": campaign, "sender": actor.get_full_name() if actor else ""}
    by_structure = attrgetter("structure_id")
    for structure_id, members in groupby(sorted(staff, key=by_structure), key=by_structure):
        members = list(members)
        codes = access_codes_generate(point=points[structure_id], count=len(members))
        secrets.SystemRandom().shuffle(codes)
        for user, access in zip(members, codes, strict=True):
            notify(
                recipients=[user.email],
                subject=f"Enquête des professionnels : {campaign.title}",
                template=STAFF_INVITATION_TEMPLATE,
                context=context | {"url": absolute_url("surveys_public:entry", access.code)},
            )
    return len(staff)


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
        # A professional's code was e-mailed to a named person: its time of use would single out
        # their answer among their structure's, so it keeps none (spent « when it was made »).
        spent_at = F("created_at") if campaign.audience == Audience.PROFESSIONNELS else timezone.now()
        spent = (
            AccessCode.objects.filter(pk=access_code_id, used_at__isnull=True).update(used_at=spent_at) if locked else 0
        )
        if not spent:
            raise CodeAlreadyUsed()
        response.save(force_insert=True)
    return response
