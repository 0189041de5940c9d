"""The budget of a project, planned against actual by funder, and the amendments (« avenants »)
that alone change its approved planned amounts."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q, Sum

from cnml.audit import recorded_by
from cnml.workflows import TransitionRefused, Workflow
from mobility.models.applications import FundingStatus
from mobility.models.catalogues import Funder
from mobility.models.common import ROLE_REFUSAL, not_negative, record_decision
from mobility.models.projects import Project

__all__ = ["APPROVED_ONLY", "AmendmentStatus", "BudgetAmendment", "BudgetAmendmentLine", "BudgetLine"]

APPROVED_ONLY = "Le prévu approuvé ne change que par un avenant approuvé par le CNML."


class BudgetLineQuerySet(models.QuerySet):
    def from_call_funders(self) -> BudgetLineQuerySet:
        """The lines funded by one of their project's call's funders: what the call grants."""
        return self.filter(funder__calls=F("project__call"))

    def granted_amount(self) -> Decimal:
        """What the call's funders grant through these lines: their planned (approved) amounts."""
        return self.from_call_funders().aggregate(total=Sum("planned_amount"))["total"] or Decimal(0)


class BudgetLine(models.Model):
    """A line of the budget, planned against actual, by funder.

    The planned amount is the approved one (the project exists because its application was
    selected): it changes only when a CNML role approves a :class:`BudgetAmendment`, which
    writes it with :meth:`BudgetAmendment.approve`. ``clean``, ``save`` and ``delete`` refuse
    any other change; the actual amount stays the carrier's to follow.
    """

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="budget_lines")
    funder = models.ForeignKey(Funder, verbose_name="financeur", on_delete=models.PROTECT, related_name="+")
    label = models.CharField("objet", max_length=200, blank=True)
    planned_amount = models.DecimalField("prévu (€)", max_digits=12, decimal_places=2, validators=[not_negative])
    actual_amount = models.DecimalField(
        "réalisé (€)", max_digits=12, decimal_places=2, default=Decimal(0), validators=[not_negative]
    )
    status = models.CharField("statut", max_length=10, choices=FundingStatus.choices, default=FundingStatus.SOLLICITE)

    objects = BudgetLineQuerySet.as_manager()

    class Meta:
        verbose_name = "ligne de budget"
        verbose_name_plural = "lignes de budget"
        ordering = ["funder__order", "funder__name", "pk"]
        constraints = [
            models.CheckConstraint(
                name="mobility_budget_amounts_not_negative",
                condition=Q(planned_amount__gte=0) & Q(actual_amount__gte=0),
            )
        ]

    def __str__(self) -> str:
        return f"{self.funder} : {self.planned_amount} €"

    def save(self, *args, **kwargs) -> None:
        update_fields = kwargs.get("update_fields")
        if update_fields is None or "planned_amount" in update_fields:
            stored = self._stored_planned()
            if stored is not None and stored != self.planned_amount:
                raise ValidationError({"planned_amount": APPROVED_ONLY}, code="approved")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self._stored_planned():
            raise ValidationError(
                "Une ligne du budget approuvé ne se supprime pas : un avenant peut ramener son prévu à 0.",
                code="approved",
            )
        return super().delete(*args, **kwargs)

    def _stored_planned(self) -> Decimal | None:
        if self._state.adding or self.pk is None:
            return None
        return BudgetLine.objects.filter(pk=self.pk).values_list("planned_amount", flat=True).first()

    def clean(self) -> None:
        stored = self._stored_planned()
        if self.planned_amount is None:
            return
        if stored is None and self.project_id and self.planned_amount != 0:
            raise ValidationError({"planned_amount": APPROVED_ONLY}, code="approved")
        if stored is not None and stored != self.planned_amount:
            raise ValidationError({"planned_amount": APPROVED_ONLY}, code="approved")


class AmendmentStatus(models.TextChoices):
    DEMANDE = "demande", "Demandé"
    APPROUVE = "approuve", "Approuvé"
    REFUSE = "refuse", "Refusé"


class BudgetAmendment(models.Model):
    """An amendment (« avenant ») to the approved budget of a project: new planned amounts and a reason.

    Requested by the carrier (or a CNML role), approved or refused by a CNML role other than its
    requester; the approval applies the amounts in its transaction. One waits at a time per project.
    """

    project = models.ForeignKey(
        Project, verbose_name="projet", on_delete=models.CASCADE, related_name="budget_amendments"
    )
    reason = models.TextField("motif")
    status = models.CharField("statut", max_length=20, choices=AmendmentStatus.choices, default=AmendmentStatus.DEMANDE)
    requested_by = recorded_by("demandé par")
    requested_at = models.DateTimeField("demandé le", auto_now_add=True)
    decided_by = recorded_by("décidé par")
    decided_at = models.DateTimeField("décidé le", null=True, blank=True)
    decision_comment = models.TextField("commentaire du CNML", blank=True)

    class Meta:
        verbose_name = "avenant au budget"
        verbose_name_plural = "avenants au budget"
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["project"], condition=Q(status="demande"), name="mobility_one_pending_amendment_per_project"
            )
        ]

    def __str__(self) -> str:
        return f"Avenant au budget de {self.project} ({self.requested_at:%d/%m/%Y})"

    # Workflow (who may move it: mobility.permissions) ---------------------

    workflow = Workflow(
        field="status",
        states=AmendmentStatus,
        refused_by_role=ROLE_REFUSAL,
        wrong_state="Cet avenant a déjà été {state}.",
    )

    def _not_its_requester(self, user) -> list[str]:
        if user.pk == self.requested_by_id:
            return ["Un autre membre du CNML décide d'un avenant que vous avez demandé."]
        return []

    @workflow.transition(
        source=[AmendmentStatus.DEMANDE],
        target=AmendmentStatus.APPROUVE,
        permission="mobility.permissions.decides_amendment",
        guard=_not_its_requester,
        label="Approuver l'avenant",
    )
    def approve(self, user, *, comment: str) -> None:
        """demande → approuve, then write the new planned amounts on the locked budget lines.

        Refused when a line's planned amount changed since the request (it would be overwritten).
        """
        lines = list(self.lines.select_related("funder"))
        current = dict(
            BudgetLine.objects.select_for_update()
            .filter(pk__in=[line.budget_line_id for line in lines if line.budget_line_id])
            .values_list("pk", "planned_amount")
        )
        changed = [
            f"Le prévu de « {line.funder} {line.label} » a changé depuis la demande "
            f"({line.planned_before} € alors, {current.get(line.budget_line_id)} € aujourd'hui) : "
            "refusez cet avenant, le porteur en demandera un autre."
            for line in lines
            if line.budget_line_id and current.get(line.budget_line_id) != line.planned_before
        ]
        if changed:
            raise TransitionRefused(changed)
        record_decision(self, user, comment)
        for line in lines:
            if line.budget_line_id:
                # The one writer of an approved amount (BudgetLine.save refuses to change it).
                BudgetLine.objects.filter(pk=line.budget_line_id).update(planned_amount=line.planned_after)
            else:
                created = BudgetLine.objects.create(
                    project_id=self.project_id, funder=line.funder, label=line.label, planned_amount=line.planned_after
                )
                line.budget_line = created
                line.save(update_fields=["budget_line"])

    @workflow.transition(
        source=[AmendmentStatus.DEMANDE],
        target=AmendmentStatus.REFUSE,
        permission="mobility.permissions.decides_amendment",
        guard=_not_its_requester,
        comment_required="Indiquez au porteur le motif du refus.",
        label="Refuser l'avenant",
    )
    def refuse(self, user, *, comment: str) -> None:
        """demande → refuse, with the reason told to the carrier; the budget stays as approved."""
        record_decision(self, user, comment)


class BudgetAmendmentLine(models.Model):
    """One line of an amendment: a budget line's planned amount before and after (a new line has none)."""

    amendment = models.ForeignKey(BudgetAmendment, on_delete=models.CASCADE, related_name="lines")
    budget_line = models.ForeignKey(
        BudgetLine,
        verbose_name="ligne de budget",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="amendment_lines",
        help_text="Vide pour une ligne que l'avenant ajoute (jusqu'à son approbation).",
    )
    funder = models.ForeignKey(Funder, verbose_name="financeur", on_delete=models.PROTECT, related_name="+")
    label = models.CharField("objet", max_length=200, blank=True)
    planned_before = models.DecimalField("prévu avant (€)", max_digits=12, decimal_places=2)
    planned_after = models.DecimalField("prévu après (€)", max_digits=12, decimal_places=2, validators=[not_negative])

    class Meta:
        verbose_name = "ligne d'avenant"
        verbose_name_plural = "lignes d'avenant"
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                name="mobility_amendment_amounts_not_negative",
                condition=Q(planned_before__gte=0) & Q(planned_after__gte=0),
            )
        ]

    def __str__(self) -> str:
        return f"{self.funder} {self.label} : {self.planned_before} → {self.planned_after} €"

    @property
    def change(self) -> Decimal:
        return self.planned_after - self.planned_before
