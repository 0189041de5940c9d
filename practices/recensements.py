"""Recensements: the CNML's calls for good practices (the newsletter's page 7), gathered through the regions.

A recensement has its themes, its instructions, its opening and closing dates and the regions asked (none:
the whole network). Authors of the regions asked attach their fiches to it while it is open; its page
shows, per region, how many fiches are drafted, submitted and published, and which missions locales have
not answered; authors who have not answered are reminded by e-mail before the deadline; once closed it no
longer takes fiches but keeps them, and its published fiches make a summary (XLSX, PDF).

Its workflow (ouvert → clos, by a CNML role or by the daily pass past its closing date) is declared with
:mod:`cnml.workflows`. The model is imported by :mod:`practices.models`; its rules of access are in
:mod:`practices.permissions`, its reads in :mod:`practices.recensement_selectors`.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from cnml.audit import recorded_by
from cnml.models import Region
from cnml.workflows import Workflow

# Days before the closing date at which authors who have not answered are reminded, by default.
REMINDER_DAYS = 7


class RecensementStatus(models.TextChoices):
    OPEN = "ouvert", "Ouvert"
    CLOSED = "clos", "Clos"


class RecensementQuerySet(models.QuerySet):
    def accepting(self, region_id: int | None, *, today=None):
        """Open recensements asking the region ``region_id`` (or the whole network) whose dates include today."""
        today = today or timezone.localdate()
        return self.filter(
            Q(regions__isnull=True) | Q(regions=region_id),
            status=RecensementStatus.OPEN,
            opens_on__lte=today,
            closes_on__gte=today,
        ).distinct()


class Recensement(models.Model):
    title = models.CharField("titre", max_length=200)
    instructions = models.TextField(
        "consignes", help_text="Ce que le CNML attend des fiches : le sujet, le public, ce qu'il faut décrire."
    )
    themes = models.ManyToManyField("practices.Theme", verbose_name="thèmes", blank=True, related_name="recensements")
    regions = models.ManyToManyField(
        Region,
        verbose_name="régions sollicitées",
        blank=True,
        related_name="recensements",
        help_text="Aucune : tout le réseau.",
    )
    opens_on = models.DateField("ouverture")
    closes_on = models.DateField("clôture")
    reminder_days = models.PositiveSmallIntegerField(
        "relance",
        default=REMINDER_DAYS,
        help_text="Nombre de jours avant la clôture où les structures sans fiche soumise sont relancées par courriel.",
    )
    reminded_on = models.DateField("relance envoyée le", null=True, blank=True, editable=False)
    status = models.CharField(
        "état", max_length=10, choices=RecensementStatus.choices, default=RecensementStatus.OPEN, editable=False
    )
    created_by = recorded_by("lancé par")
    created_at = models.DateTimeField("lancé le", auto_now_add=True)

    objects = RecensementQuerySet.as_manager()

    class Meta:
        verbose_name = "recensement de bonnes pratiques"
        verbose_name_plural = "recensements de bonnes pratiques"
        ordering = ["-opens_on", "title"]
        constraints = [
            models.CheckConstraint(name="recensement_dates_in_order", condition=Q(closes_on__gte=models.F("opens_on")))
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("practices:recensement", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status == RecensementStatus.OPEN

    workflow = Workflow(field="status", states=RecensementStatus)

    @workflow.transition(
        source=[RecensementStatus.OPEN],
        target=RecensementStatus.CLOSED,
        permission="practices.permissions.may_run_recensements",
        label="Clore le recensement",
        action="clore le recensement",
        wrong_state="Le recensement est déjà clos.",
        by_system=True,
    )
    def close(self, user, **_) -> None:
        """ouvert → clos: it takes no more fiches and keeps those it has."""
