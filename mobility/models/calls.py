"""Calls for projects of any theme (one a year per theme, public once published), their
selection criteria and the sections of their application form.

One mechanism for every theme: the mobility platforms' call keeps its four axes (the
application's own fields) and its FARE follow-up on top of it; a call of another theme
(alternance...) asks its own sections (:class:`CallSection`) and is followed against its budget
envelope (``Call.envelope``, the amounts its funders grant to the selected projects).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from cnml.audit import recorded_by
from cnml.workflows import Workflow
from mobility.models.catalogues import Funder
from mobility.models.common import ROLE_REFUSAL, not_negative

__all__ = ["Call", "CallSection", "CallStatus", "CallTheme", "SelectionCriterion"]


class CallTheme(models.TextChoices):
    MOBILITE = "mobilite", "Plateformes de mobilité"
    ALTERNANCE = "alternance", "Alternance"


class CallStatus(models.TextChoices):
    BROUILLON = "brouillon", "En préparation"
    PUBLIE = "publie", "Publié"


class Call(models.Model):
    """A call for projects of the CNML, one a year per theme; public once published."""

    theme = models.CharField(
        "thème",
        max_length=20,
        choices=CallTheme.choices,
        default=CallTheme.MOBILITE,
        help_text="Les plateformes de mobilité suivent les quatre axes de la formation-action ; "
        "les autres thèmes posent les rubriques de l'appel.",
    )
    year = models.PositiveSmallIntegerField(
        "année",
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
        default=0,
        help_text="Plateformes de mobilité seulement : nombre de projets qui peuvent bénéficier d'une "
        "formation-action par un expert de la FARE.",
    )
    envelope = models.DecimalField(
        "enveloppe budgétaire (€)",
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[not_negative],
        help_text="Ce que les financeurs de l'appel consacrent aux projets retenus.",
    )
    funders = models.ManyToManyField(Funder, verbose_name="financeurs", blank=True, related_name="calls")
    status = models.CharField("statut", max_length=20, choices=CallStatus.choices, default=CallStatus.BROUILLON)
    published_at = models.DateTimeField("publié le", null=True, blank=True)
    created_by = recorded_by("créé par")
    created_at = models.DateTimeField("créé le", auto_now_add=True)

    class Meta:
        verbose_name = "appel à projets"
        verbose_name_plural = "appels à projets"
        ordering = ["-year", "theme"]
        constraints = [
            models.CheckConstraint(
                name="mobility_call_dates_in_order", condition=Q(closes_on__gte=models.F("opens_on"))
            ),
            models.UniqueConstraint(
                fields=["theme", "year"],
                name="mobility_call_one_a_year_per_theme",
                violation_error_message="Un appel de ce thème existe déjà pour cette année.",
            ),
            # Formation-action places are the FARE's, for mobility platforms only.
            models.CheckConstraint(
                name="mobility_call_formation_action_for_mobility",
                condition=Q(theme="mobilite") | Q(formation_action_places=0),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.year})"

    def get_absolute_url(self) -> str:
        return reverse("mobility:call_detail", args=[self.theme, self.year])

    @property
    def is_mobility(self) -> bool:
        return self.theme == CallTheme.MOBILITE

    @property
    def label(self) -> str:
        """« appel 2011 » for the mobility platforms (as printed since 2011), « appel Alternance 2012 » otherwise."""
        if self.is_mobility:
            return f"appel {self.year}"
        return f"appel {self.get_theme_display()} {self.year}"

    def clean(self) -> None:
        if self.opens_on and self.closes_on and self.closes_on < self.opens_on:
            raise ValidationError({"closes_on": "La date de clôture doit suivre la date d'ouverture."})
        if not self.is_mobility and self.formation_action_places:
            raise ValidationError(
                {
                    "formation_action_places": "Les places de formation-action ne concernent que les plateformes de mobilité."
                }
            )

    # Budget envelope -------------------------------------------------------

    @property
    def granted_amount(self) -> Decimal:
        """What the call's funders grant to its selected projects: the planned amounts of their budget
        lines funded by one of the call's funders (approved, changed by amendment only)."""
        # Through the app registry, so that calls need not import the budgets (which depend on them).
        budget_lines = apps.get_model("mobility", "BudgetLine").objects
        return budget_lines.filter(project__call=self).granted_amount()

    @property
    def envelope_left(self) -> Decimal | None:
        """What is left of the envelope (negative when overspent); None without an envelope."""
        if self.envelope is None:
            return None
        return self.envelope - self.granted_amount

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


class CallSection(models.Model):
    """A section of the application form of a call (other themes than mobility's four axes):
    each application answers it (:class:`~mobility.models.ApplicationAnswer`)."""

    call = models.ForeignKey(Call, verbose_name="appel", on_delete=models.CASCADE, related_name="sections")
    title = models.CharField("rubrique", max_length=200)
    guidance = models.TextField("ce qui est attendu", blank=True)
    required = models.BooleanField("réponse obligatoire", default=True)
    order = models.PositiveSmallIntegerField("ordre", default=0)

    class Meta:
        verbose_name = "rubrique du dossier de candidature"
        verbose_name_plural = "rubriques du dossier de candidature"
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return self.title
