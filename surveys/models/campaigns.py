"""Campaigns (their rules and workflow), their distribution points and single-use codes."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone

from cnml.audit import recorded_by
from cnml.models import Region, Structure
from cnml.workflows import Workflow
from surveys.models.questionnaires import Audience, Question, Questionnaire


class CampaignScope(models.TextChoices):
    REGION = "region", "Une région"
    NATION = "nation", "Tout le réseau"


class CampaignStatus(models.TextChoices):
    DRAFT = "brouillon", "Brouillon"
    OPEN = "ouverte", "Ouverte"
    CLOSED = "close", "Close"


class AccessMode(models.TextChoices):
    OPEN_LINK = "lien", "Lien ouvert (et codes à usage unique facultatifs)"
    CODES_ONLY = "codes", "Codes à usage unique seulement"


class Campaign(models.Model):
    title = models.CharField("titre", max_length=200)
    questionnaire = models.ForeignKey(
        Questionnaire, verbose_name="questionnaire", on_delete=models.PROTECT, related_name="campaigns"
    )
    audience = models.CharField("public", max_length=20, choices=Audience.choices, default=Audience.JEUNES)
    scope = models.CharField("périmètre", max_length=10, choices=CampaignScope.choices, default=CampaignScope.REGION)
    region = models.ForeignKey(
        Region, verbose_name="région", on_delete=models.PROTECT, null=True, blank=True, related_name="campaigns"
    )
    participants = models.ManyToManyField(
        Structure,
        verbose_name="structures participantes",
        related_name="survey_campaigns",
        blank=True,
        help_text="Missions locales et antennes qui diffusent l'enquête.",
    )
    opens_on = models.DateField("ouverture")
    closes_on = models.DateField("clôture")
    target = models.PositiveIntegerField("objectif de réponses", help_text="Pour l'ensemble de la campagne.")
    access_mode = models.CharField("accès", max_length=10, choices=AccessMode.choices, default=AccessMode.OPEN_LINK)
    status = models.CharField("état", max_length=12, choices=CampaignStatus.choices, default=CampaignStatus.DRAFT)
    created_by = recorded_by("créée par")
    created_at = models.DateTimeField("créée le", auto_now_add=True)
    aggregated_at = models.DateTimeField("résultats calculés le", null=True, blank=True)
    aggregated_responses = models.PositiveIntegerField("réponses prises en compte", default=0)
    # The questionnaire spec the stored results were computed with (labels of pages and exports).
    results_spec = models.JSONField("questionnaire des résultats", null=True, blank=True, editable=False)

    class Meta:
        verbose_name = "campagne"
        ordering = ["-opens_on", "title"]
        constraints = [
            models.CheckConstraint(
                name="campaign_region_matches_scope",
                condition=(Q(scope="region") & Q(region__isnull=False)) | (Q(scope="nation") & Q(region__isnull=True)),
            ),
            models.CheckConstraint(name="campaign_dates_in_order", condition=Q(closes_on__gte=models.F("opens_on"))),
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        """The rules of a campaign, whoever saves it (its pages, the services, the admin).

        Dates in order; an open campaign closes today at the earliest (opening a draft whose
        closing date went by, or moving an open campaign's closing date into the past, is
        refused); the questionnaire suits the audience; professionals answer by codes only; once open, the questionnaire, audience,
        perimeter and access no longer change; a closed campaign no longer changes; the state
        only moves forward (draft → open → closed). The scope is set from the region.
        """
        stored = (
            Campaign.objects.filter(pk=self.pk).values("status", *FROZEN_ONCE_OPEN.values()).first()
            if self.pk is not None
            else None
        )
        if stored and stored["status"] == CampaignStatus.CLOSED:
            raise ValidationError("Une campagne close ne se modifie plus.")
        # The scope follows the region (the database checks they agree): a region, or the whole network.
        self.scope = CampaignScope.REGION if self.region_id else CampaignScope.NATION
        errors: dict[str, str] = {}
        if stored and (stored["status"], self.status) not in ALLOWED_MOVES:
            errors["status"] = "Une campagne ouverte ne revient pas en brouillon."
        today = timezone.localdate()
        if self.opens_on and self.closes_on and self.closes_on < self.opens_on:
            errors["closes_on"] = "La clôture doit suivre l'ouverture."
        elif self.status == CampaignStatus.OPEN and self.closes_on and self.closes_on < today:
            errors["closes_on"] = (
                f"La date de clôture ({self.closes_on:%d/%m/%Y}) est passée : une campagne ouverte se clôt "
                "aujourd'hui au plus tôt. Choisissez une date à venir, ou clôturez la campagne."
            )
        if self.questionnaire_id and self.audience and self.questionnaire.audience != self.audience:
            errors["questionnaire"] = (
                f"Ce questionnaire s'adresse au public « {self.questionnaire.get_audience_display()} »."
            )
        if self.audience == Audience.PROFESSIONNELS and self.access_mode != AccessMode.CODES_ONLY:
            # One answer each: only the personal link of the invitation answers, never an open link.
            errors["access_mode"] = (
                "Une enquête auprès des professionnels se répond par le lien personnel reçu par e-mail : "
                "choisissez « Codes à usage unique seulement »."
            )
        if stored and stored["status"] != CampaignStatus.DRAFT:
            for name, attname in FROZEN_ONCE_OPEN.items():
                if stored[attname] != getattr(self, attname):
                    errors.setdefault(name, "Ne peut plus changer une fois la campagne ouverte.")
        if errors:
            raise ValidationError(errors)

    def rules_broken_as(self, status: str) -> list[str]:
        """What :meth:`clean` would refuse if the campaign were in ``status`` now (French sentences)."""
        current = self.status
        self.status = status
        try:
            self.clean()
        except ValidationError as error:
            return error.messages
        finally:
            self.status = current
        return []

    # --- Workflow (who may move it: surveys.permissions; what a move owes: surveys.services) ------

    workflow = Workflow(field="status", states=CampaignStatus)

    def _ready_to_open(self, user) -> list[str]:
        if not self.points.exists():
            return ["Choisissez au moins une structure participante avant d'ouvrir la campagne."]
        if not Question.objects.filter(section__questionnaire_id=self.questionnaire_id).exists():
            return ["Le questionnaire de cette campagne n'a aucune question."]
        broken = self.rules_broken_as(CampaignStatus.OPEN)  # e.g. its closing date went by
        return ["La campagne ne peut pas être ouverte. " + " ".join(broken)] if broken else []

    @workflow.transition(
        source=[CampaignStatus.DRAFT],
        target=CampaignStatus.OPEN,
        permission="surveys.permissions.can_manage_campaign",
        guard=_ready_to_open,
        label="Ouvrir la campagne",
        action="ouvrir",
        wrong_state="Seule une campagne en brouillon peut être ouverte.",
    )
    def open(self, user, **_) -> None:
        """brouillon → ouverte: its links accept answers between its dates."""

    @workflow.transition(
        source=[CampaignStatus.OPEN],
        target=CampaignStatus.CLOSED,
        permission="surveys.permissions.can_manage_campaign",
        label="Clore la campagne",
        action="clore",
        wrong_state="Seule une campagne ouverte peut être close.",
        by_system=True,
    )
    def close(self, user, **_) -> None:
        """ouverte → close, by whoever runs it or by the hourly pass past its closing date."""

    def is_accepting_answers(self, today) -> bool:
        return self.status == CampaignStatus.OPEN and self.opens_on <= today <= self.closes_on

    @property
    def scope_label(self) -> str:
        return self.region.name if self.region_id else "Tout le réseau"


# What no longer changes once a campaign is open (answers refer to them): field name -> column.
FROZEN_ONCE_OPEN = {
    "questionnaire": "questionnaire_id",
    "audience": "audience",
    "region": "region_id",
    "access_mode": "access_mode",
}
# (stored status, new status) a save may make: staying, or a move of the workflow (only forward).
ALLOWED_MOVES = {(status, status) for status in CampaignStatus} | {
    (source, transition.target) for transition in Campaign.workflow.transitions.values() for source in transition.source
}


class DistributionPoint(models.Model):
    """Where a campaign is distributed: one antenne (or mission locale), one short public link."""

    campaign = models.ForeignKey(Campaign, verbose_name="campagne", on_delete=models.CASCADE, related_name="points")
    structure = models.ForeignKey(
        Structure, verbose_name="structure", on_delete=models.PROTECT, related_name="survey_points"
    )
    code = models.CharField("code du lien", max_length=12, unique=True)
    target = models.PositiveIntegerField(
        "objectif de réponses", null=True, blank=True, help_text="Vide : part égale de l'objectif de la campagne."
    )

    class Meta:
        verbose_name = "point de diffusion"
        verbose_name_plural = "points de diffusion"
        ordering = ["campaign", "structure__code"]
        constraints = [models.UniqueConstraint(fields=["campaign", "structure"], name="point_unique_per_structure")]

    def __str__(self) -> str:
        return f"{self.structure.name} ({self.code})"


class AccessCode(models.Model):
    """A single-use code printed on a slip: it answers the campaign once, for its point."""

    point = models.ForeignKey(
        DistributionPoint, verbose_name="point de diffusion", on_delete=models.CASCADE, related_name="access_codes"
    )
    code = models.CharField("code", max_length=12, unique=True)
    batch = models.PositiveSmallIntegerField("lot", default=1)
    created_at = models.DateTimeField("créé le", auto_now_add=True)
    used_at = models.DateTimeField("utilisé le", null=True, blank=True)

    class Meta:
        verbose_name = "code à usage unique"
        verbose_name_plural = "codes à usage unique"
        ordering = ["point", "batch", "code"]

    def __str__(self) -> str:
        return self.code
