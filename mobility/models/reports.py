"""Periodic activity reports of a project (a semester or a year), approved by the CNML, and the
services each period delivered."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone

from cnml.audit import recorded_by
from cnml.workflows import Workflow
from mobility.models.catalogues import Service
from mobility.models.common import ROLE_REFUSAL, not_negative
from mobility.models.projects import Project

__all__ = [
    "AGE_FIELDS",
    "ActivityReport",
    "COUNT_FIELDS",
    "OUTCOME_FIELDS",
    "REFERRER_FIELDS",
    "ReportPeriod",
    "ReportStatus",
    "SEX_FIELDS",
    "ServiceDelivery",
]


class ReportPeriod(models.TextChoices):
    S1 = "S1", "1er semestre"
    S2 = "S2", "2d semestre"
    ANNEE = "A", "Année"


class ReportStatus(models.TextChoices):
    BROUILLON = "brouillon", "Brouillon"
    SOUMIS = "soumis", "Soumis"
    APPROUVE = "approuve", "Approuvé"


# Indicator fields of a report, in the order they are shown and exported, with their groups.
REFERRER_FIELDS = ["people_mission_locale", "people_pole_emploi", "people_conseil_general", "people_other"]
SEX_FIELDS = ["women", "men"]
AGE_FIELDS = ["age_under_18", "age_18_25", "age_26_44", "age_45_plus"]
OUTCOME_FIELDS = [
    "mobility_diagnostics",
    "highway_code_passed",
    "licences_obtained",
    "employment_3_months",
    "training_3_months",
    "employment_6_months",
    "training_6_months",
]
COUNT_FIELDS = REFERRER_FIELDS + SEX_FIELDS + AGE_FIELDS + OUTCOME_FIELDS


def _count(label: str) -> models.PositiveIntegerField:
    return models.PositiveIntegerField(label, default=0)


class ActivityReport(models.Model):
    """A periodic activity report of a project (a semester or a year), approved by the CNML."""

    project = models.ForeignKey(Project, verbose_name="projet", on_delete=models.CASCADE, related_name="reports")
    year = models.PositiveSmallIntegerField("année")
    period = models.CharField("période", max_length=2, choices=ReportPeriod.choices)
    status = models.CharField("statut", max_length=20, choices=ReportStatus.choices, default=ReportStatus.BROUILLON)

    people_mission_locale = _count("orientées par une mission locale")
    people_pole_emploi = _count("orientées par Pôle emploi")
    people_conseil_general = _count("orientées par le conseil général")
    people_other = _count("orientées par un autre prescripteur")
    women = _count("femmes")
    men = _count("hommes")
    age_under_18 = _count("moins de 18 ans")
    age_18_25 = _count("18 à 25 ans")
    age_26_44 = _count("26 à 44 ans")
    age_45_plus = _count("45 ans et plus")
    mobility_diagnostics = _count("diagnostics mobilité réalisés")
    highway_code_passed = _count("examens du code de la route réussis")
    licences_obtained = _count("permis de conduire obtenus")
    employment_3_months = _count("en emploi à 3 mois")
    training_3_months = _count("en formation à 3 mois")
    employment_6_months = _count("en emploi à 6 mois")
    training_6_months = _count("en formation à 6 mois")
    total_cost = models.DecimalField(
        "coût total de la période (€)", max_digits=12, decimal_places=2, default=Decimal(0), validators=[not_negative]
    )
    comment = models.TextField("faits marquants", blank=True)

    created_by = recorded_by("rédigé par")
    created_at = models.DateTimeField("créé le", auto_now_add=True)
    submitted_at = models.DateTimeField("soumis le", null=True, blank=True)
    approved_at = models.DateTimeField("approuvé le", null=True, blank=True)
    review_comment = models.TextField("commentaire du CNML", blank=True)
    # The content as it was sent back (``content()``): what the carrier changed since is told to the reviewer.
    sent_back_content = models.JSONField("contenu renvoyé", default=dict, blank=True, editable=False)

    class Meta:
        verbose_name = "bilan d'activité"
        verbose_name_plural = "bilans d'activité"
        ordering = ["project", "year", "period"]
        constraints = [
            models.UniqueConstraint(fields=["project", "year", "period"], name="mobility_one_report_per_period")
        ]

    def __str__(self) -> str:
        return f"Bilan {self.period_label} — {self.project}"

    def get_absolute_url(self) -> str:
        return reverse("mobility:report_detail", args=[self.project_id, self.pk])

    @property
    def period_label(self) -> str:
        if self.period == ReportPeriod.ANNEE:
            return f"de l'année {self.year}"
        return f"du {self.get_period_display()} {self.year}"

    @property
    def people_total(self) -> int:
        return sum(getattr(self, name) for name in REFERRER_FIELDS)

    @property
    def cost_per_person(self) -> Decimal | None:
        total = self.people_total
        return (self.total_cost / total) if total else None

    def clean(self) -> None:
        errors: dict[str, list[str]] = {}
        total = self.people_total
        if sum(getattr(self, name) or 0 for name in SEX_FIELDS) != total:
            errors.setdefault("men", []).append(
                f"Femmes et hommes doivent faire le total des personnes accompagnées ({total})."
            )
        if sum(getattr(self, name) or 0 for name in AGE_FIELDS) != total:
            errors.setdefault("age_45_plus", []).append(
                f"Les tranches d'âge doivent faire le total des personnes accompagnées ({total})."
            )
        for months in (3, 6):
            exits = (getattr(self, f"employment_{months}_months") or 0) + (
                getattr(self, f"training_{months}_months") or 0
            )
            if exits > total:
                errors.setdefault(f"training_{months}_months", []).append(
                    f"Les sorties à {months} mois (emploi et formation) dépassent les {total} personnes accompagnées."
                )
        if self.project_id and not self.project.is_mobility:
            # The indicators are the mobility platforms' (diagnostics, driving licences...); a project
            # of another theme reports its budget against the call's envelope (mobility/README.md).
            errors.setdefault("project", []).append(
                "Les bilans d'activité sont ceux des plateformes de mobilité\u00a0: un projet de l'"
                f"{self.project.call.label} suit son budget face à l'enveloppe de l'appel."
            )
        if self.year and self.project_id:
            if self.year < self.project.call.year:
                errors.setdefault("year", []).append(
                    f"Le projet est né de l'appel {self.project.call.year} : pas de bilan avant cette année."
                )
            if self.year > timezone.localdate().year:
                errors.setdefault("year", []).append("On ne peut pas rédiger le bilan d'une année à venir.")
            siblings = ActivityReport.objects.filter(project_id=self.project_id, year=self.year).exclude(pk=self.pk)
            if self.period == ReportPeriod.ANNEE and siblings.exists():
                errors.setdefault("period", []).append(
                    f"Des bilans semestriels existent déjà pour {self.year} : complétez-les plutôt qu'un bilan annuel."
                )
            elif self.period != ReportPeriod.ANNEE and siblings.filter(period=ReportPeriod.ANNEE).exists():
                errors.setdefault("period", []).append(f"Un bilan annuel existe déjà pour {self.year}.")
        if errors:
            raise ValidationError(errors)

    # Workflow (who may move it: mobility.permissions) ---------------------

    def _wrong_state_for_review(self) -> str:
        if self.status == ReportStatus.APPROUVE:
            return "Ce bilan a déjà été approuvé."
        return "Seul un bilan soumis peut être approuvé ou renvoyé."

    workflow = Workflow(field="status", states=ReportStatus, refused_by_role=ROLE_REFUSAL)

    def _submission_refusals(self, user) -> list[str]:
        if self.people_total == 0:
            return ["Le bilan ne compte encore aucune personne accompagnée."]
        try:
            self.full_clean()
        except ValidationError as error:
            return [message for messages in error.message_dict.values() for message in messages]
        return []

    @workflow.transition(
        source=[ReportStatus.BROUILLON],
        target=ReportStatus.SOUMIS,
        permission="mobility.permissions.acts_for_report",
        guard=_submission_refusals,
        wrong_state="Ce bilan a déjà été soumis.",
        label="Soumettre au CNML",
    )
    def submit(self, user, **_) -> None:
        self.submitted_at = timezone.now()

    @workflow.transition(
        source=[ReportStatus.SOUMIS],
        target=ReportStatus.APPROUVE,
        permission="mobility.permissions.cnml_decides",
        wrong_state=_wrong_state_for_review,
        label="Approuver le bilan",
    )
    def approve(self, user, *, comment: str) -> None:
        """soumis → approuve: its figures count in the totals of the call, the region and the nation."""
        self.approved_at = timezone.now()
        if comment:
            self.review_comment = comment

    @workflow.transition(
        source=[ReportStatus.SOUMIS],
        target=ReportStatus.BROUILLON,
        permission="mobility.permissions.cnml_decides",
        wrong_state=_wrong_state_for_review,
        comment_required="Expliquez au porteur ce qu'il doit corriger.",
        label="Renvoyer au porteur",
    )
    def send_back(self, user, *, comment: str) -> None:
        """soumis → brouillon: back to the carrier, with what to correct (and the content it corrects)."""
        self.review_comment = comment
        self.sent_back_content = self.content()

    def content(self) -> dict[str, str]:
        """The report's figures and texts as French texts, by the keys of :func:`content_labels`."""
        from cnml.formatting import format_number

        content = {name: format_number(getattr(self, name)) for name in COUNT_FIELDS}
        content["total_cost"] = f"{format_number(self.total_cost, 2)}\u00a0€"
        content["comment"] = self.comment
        content["deliveries"] = "\n".join(
            f"{delivery.service.name} : {format_number(delivery.quantity, 1)} {delivery.service.unit}"
            for delivery in self.deliveries.select_related("service")
        )
        return content


def content_labels() -> dict[str, str]:
    """The parts of a report a reviewer is told the changes of, in the order of the form, with their labels."""
    fields = {field.name: str(field.verbose_name) for field in ActivityReport._meta.fields}
    labels = {name: ("Personnes " if name in REFERRER_FIELDS else "") + fields[name] for name in COUNT_FIELDS}
    labels |= {"total_cost": "Coût total de la période", "comment": "Faits marquants", "deliveries": "Services rendus"}
    return {key: label[0].upper() + label[1:] for key, label in labels.items()}


class ServiceDelivery(models.Model):
    """How much of one service a report's period delivered, in the service's own unit."""

    report = models.ForeignKey(ActivityReport, on_delete=models.CASCADE, related_name="deliveries")
    service = models.ForeignKey(Service, verbose_name="service", on_delete=models.PROTECT, related_name="+")
    quantity = models.DecimalField("quantité", max_digits=10, decimal_places=1, validators=[not_negative])

    class Meta:
        verbose_name = "service rendu"
        verbose_name_plural = "services rendus"
        ordering = ["service__order", "service__name"]
        constraints = [models.UniqueConstraint(fields=["report", "service"], name="mobility_one_delivery_per_service")]

    def __str__(self) -> str:
        return f"{self.service} : {self.quantity} {self.service.unit}"
