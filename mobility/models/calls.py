"""Calls for projects (one a year, public once published) and their selection criteria."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from cnml.audit import recorded_by
from cnml.workflows import Workflow
from mobility.models.catalogues import Funder
from mobility.models.common import ROLE_REFUSAL

__all__ = ["Call", "CallStatus", "SelectionCriterion"]


class CallStatus(models.TextChoices):
    BROUILLON = "brouillon", "En préparation"
    PUBLIE = "publie", "Publié"


class Call(models.Model):
    """A call for projects of the CNML, one a year; public once published."""

    year = models.PositiveSmallIntegerField(
        "année",
        unique=True,
        validators=[
            MinValueValidator(2000, "L'année doit être comprise entre 2000 et 2100."),
            MaxValueValidator(2100, "L'année doit être comprise entre 2000 et 2100."),
        ],
    )
    title = models.CharField("titre", max_length=200)
    text = models.TextField("texte de l'appel")
    opens_on = models.DateField("ouverture des candidatures")
    closes_on = models.DateField("clôture des candidatures")
    eligibility_criteria = models.TextField("critères d'éligibilité")
    formation_action_places = models.PositiveSmallIntegerField(
        "places de formation-action",
        help_text="Nombre de projets qui peuvent bénéficier d'une formation-action par un expert de la FARE.",
    )
    funders = models.ManyToManyField(Funder, verbose_name="financeurs", blank=True, related_name="calls")
    status = models.CharField("statut", max_length=20, choices=CallStatus.choices, default=CallStatus.BROUILLON)
    published_at = models.DateTimeField("publié le", null=True, blank=True)
    created_by = recorded_by("créé par")
    created_at = models.DateTimeField("créé le", auto_now_add=True)

    class Meta:
        verbose_name = "appel à projets"
        verbose_name_plural = "appels à projets"
        ordering = ["-year"]
        constraints = [
            models.CheckConstraint(
                name="mobility_call_dates_in_order", condition=Q(closes_on__gte=models.F("opens_on"))
            )
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.year})"

    def get_absolute_url(self) -> str:
        return reverse("mobility:call_detail", args=[self.year])

    def clean(self) -> None:
        if self.opens_on and self.closes_on and self.closes_on < self.opens_on:
            raise ValidationError({"closes_on": "La date de clôture doit suivre la date d'ouverture."})

    @property
    def is_published(self) -> bool:
        return self.status == CallStatus.PUBLIE

    def is_open(self, today: date | None = None) -> bool:
        today = today or timezone.localdate()
        return self.is_published and self.opens_on <= today <= self.closes_on

    @property
    def formation_action_places_taken(self) -> int:
        return self.projects.filter(fare_support__formation_action=True).count()

    @property
    def formation_action_places_left(self) -> int:
        return max(self.formation_action_places - self.formation_action_places_taken, 0)

    # Workflow (who may move it: mobility.permissions) ---------------------

    workflow = Workflow(
        field="status", states=CallStatus, refused_by_role=ROLE_REFUSAL, wrong_state="Cet appel est déjà publié."
    )

    def _has_criteria(self, user) -> list[str]:
        if self.criteria.exists():
            return []
        return ["Ajoutez au moins un critère de sélection avant de publier l'appel."]

    @workflow.transition(
        source=[CallStatus.BROUILLON],
        target=CallStatus.PUBLIE,
        permission="mobility.permissions.cnml_decides",
        guard=_has_criteria,
        label="Publier l'appel",
    )
    def publish(self, user, **_) -> None:
        """brouillon → publie: the call is public, applications open on its dates."""
        self.published_at = timezone.now()


class SelectionCriterion(models.Model):
    """A criterion reviewers score each application against, from 0 to ``max_score``."""

    call = models.ForeignKey(Call, verbose_name="appel", on_delete=models.CASCADE, related_name="criteria")
    label = models.CharField("critère", max_length=200)
    description = models.TextField("précisions", blank=True)
    max_score = models.PositiveSmallIntegerField(
        "note maximale",
        default=5,
        validators=[
            MinValueValidator(1, "La note maximale est au moins 1."),
            MaxValueValidator(20, "La note maximale est au plus 20."),
        ],
    )
    order = models.PositiveSmallIntegerField("ordre", default=0)

    class Meta:
        verbose_name = "critère de sélection"
        verbose_name_plural = "critères de sélection"
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return self.label
