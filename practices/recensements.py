"""Recensements: the CNML's calls for good practices (the newsletter's page 7), gathered through the regions.

A recensement has its themes, its instructions, its opening and closing dates, the fiche template its
fiches follow (:mod:`practices.fiche_templates`) and the regions and comités de pilotage asked (neither:
the whole network). A region asked asks its missions locales and its committees. Authors of the structures
and members of the committees asked attach their fiches to it while it is open; its page shows, per region
and per committee, how many fiches are drafted, submitted and published, and who has not answered; they
are reminded by e-mail before the deadline; once closed it no longer takes fiches but keeps them, and its
published fiches make a summary (XLSX, PDF).

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
from cnml.models import Committee, Region
from cnml.workflows import Workflow
from practices.fiche_templates import STANDARD, TEMPLATE_CHOICES, FicheTemplate, fiche_template

# Days before the closing date at which authors who have not answered are reminded, by default.
REMINDER_DAYS = 7


class RecensementStatus(models.TextChoices):
    OPEN = "ouvert", "Ouvert"
    CLOSED = "clos", "Clos"


class RecensementQuerySet(models.QuerySet):
    def asking(self, *, regions=(), committees=()):
        """Recensements asking the whole network, one of ``regions`` or one of ``committees`` (ids or querysets)."""
        asked_regions = Recensement.regions.through.objects.values("recensement_id")
        asked_committees = Recensement.committees.through.objects.values("recensement_id")
        condition = ~Q(pk__in=asked_regions) & ~Q(pk__in=asked_committees)
        condition |= Q(pk__in=asked_regions.filter(region__in=regions))
        condition |= Q(pk__in=asked_committees.filter(committee__in=committees))
        return self.filter(condition)

    def open_today(self, *, today=None):
        """Open recensements whose dates include today: those that take fiches."""
        today = today or timezone.localdate()
        return self.filter(status=RecensementStatus.OPEN, opens_on__lte=today, closes_on__gte=today)

    def accepting(self, region_id: int | None, committee_id: int | None = None, *, today=None):
        """Recensements taking fiches from the region ``region_id`` (a structure's, or the committee's), from
        the committee ``committee_id``, or from the whole network."""
        return self.asking(
            regions=[region_id] if region_id else [], committees=[committee_id] if committee_id else []
        ).open_today(today=today)


class Recensement(models.Model):
    title = models.CharField("titre", max_length=200)
    instructions = models.TextField(
        "consignes", help_text="Ce que le CNML attend des fiches : le sujet, le public, ce qu'il faut décrire."
    )
    themes = models.ManyToManyField("practices.Theme", verbose_name="thèmes", blank=True, related_name="recensements")
    regions = models.ManyToManyField(
        Region,
        verbose_name="régions sollicitées",
        blank=True,
        related_name="recensements",
        help_text="Leurs missions locales et leurs comités de pilotage. Ni région ni comité : tout le réseau.",
    )
    committees = models.ManyToManyField(
        Committee,
        verbose_name="comités de pilotage sollicités",
        blank=True,
        related_name="recensements",
        help_text="Des comités sollicités en plus des régions (ou seuls).",
    )
    template = models.CharField(
        "modèle de fiche",
        max_length=30,
        choices=TEMPLATE_CHOICES,
        default=STANDARD,
        help_text="Les rubriques de la fiche, leurs consignes et le texte proposé aux rédacteurs.",
    )
    opens_on = models.DateField("ouverture")
    closes_on = models.DateField("clôture")
    reminder_days = models.PositiveSmallIntegerField(
        "relance",
        default=REMINDER_DAYS,
        help_text="Nombre de jours avant la clôture où les structures et comités sans fiche soumise sont relancés "
        "par courriel.",
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

    @property
    def fiche_template(self) -> FicheTemplate:
        return fiche_template(self.template)

    def asks_whole_network(self) -> bool:
        return not self.regions.exists() and not self.committees.exists()

    def asked_regions(self):
        """The regions whose missions locales are asked (every region for the whole network)."""
        return Region.objects.all() if self.asks_whole_network() else self.regions.all()

    def asked_committees(self):
        """The active committees asked: those named, those of the regions asked, or all of them."""
        committees = Committee.objects.filter(active=True)
        if self.asks_whole_network():
            return committees
        return committees.filter(Q(pk__in=self.committees.values("pk")) | Q(region__in=self.regions.values("pk")))

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
