"""The CNML reviewers' scores of an application against its call's criteria."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from mobility.models.applications import Application
from mobility.models.calls import SelectionCriterion

__all__ = ["CriterionScore", "Review"]


class Review(models.Model):
    """One CNML reviewer's scores of an application against the call's criteria."""

    application = models.ForeignKey(
        Application, verbose_name="candidature", on_delete=models.CASCADE, related_name="reviews"
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="évaluateur", on_delete=models.PROTECT, related_name="+"
    )
    comment = models.TextField("commentaire")
    created_at = models.DateTimeField("créée le", auto_now_add=True)
    updated_at = models.DateTimeField("modifiée le", auto_now=True)

    class Meta:
        verbose_name = "évaluation"
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(fields=["application", "reviewer"], name="mobility_one_review_per_reviewer")
        ]

    def __str__(self) -> str:
        return f"Évaluation de {self.reviewer}"

    @property
    def total(self) -> int:
        return sum(score.score for score in self.scores.all())

    @property
    def maximum(self) -> int:
        return sum(score.criterion.max_score for score in self.scores.all())


class CriterionScore(models.Model):
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(
        SelectionCriterion, verbose_name="critère", on_delete=models.PROTECT, related_name="+"
    )
    score = models.PositiveSmallIntegerField("note")

    class Meta:
        verbose_name = "note"
        ordering = ["criterion__order", "criterion__pk"]
        constraints = [models.UniqueConstraint(fields=["review", "criterion"], name="mobility_one_score_per_criterion")]

    def __str__(self) -> str:
        return f"{self.criterion} : {self.score}/{self.criterion.max_score}"

    def clean(self) -> None:
        if self.score is not None and self.score > self.criterion.max_score:
            raise ValidationError({"score": f"La note ne peut pas dépasser {self.criterion.max_score}."})
