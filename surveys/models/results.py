"""Anonymous answers and the stored, protected results computed from them."""

from __future__ import annotations

from django.db import models

from cnml.models import Region, Structure
from surveys.models.campaigns import Campaign, DistributionPoint
from surveys.models.questionnaires import QuestionnaireVersion


class Response(models.Model):
    """One anonymous answer: no IP, no identifier beyond the campaign and the point of the link."""

    campaign = models.ForeignKey(Campaign, verbose_name="campagne", on_delete=models.CASCADE, related_name="responses")
    point = models.ForeignKey(
        DistributionPoint, verbose_name="point de diffusion", on_delete=models.PROTECT, related_name="responses"
    )
    version = models.ForeignKey(
        QuestionnaireVersion, verbose_name="version du questionnaire", on_delete=models.PROTECT, related_name="+"
    )
    # The day only: a time of day could single out a visitor of a small antenne.
    submitted_on = models.DateField("date de réponse")
    # question code -> value (int, choice code, list of codes, text, {choice code: points}, "na").
    answers = models.JSONField("réponses")

    class Meta:
        verbose_name = "réponse"
        indexes = [models.Index(fields=["campaign", "point"])]

    def __str__(self) -> str:
        return f"Réponse n° {self.pk}"


class NodeLevel(models.TextChoices):
    NATION = "nation", "Ensemble du réseau"
    REGION = "region", "Région"
    ML = "ml", "Mission locale"
    ANTENNE = "antenne", "Antenne"
    OTHERS = "autres", "Regroupement"


class ResultNode(models.Model):
    """Stored aggregates of one group of a campaign, small-cell protection applied.

    ``figures`` is what pages, charts and exports show; for a hidden group it is
    empty and ``n`` is null, so no reader can show what must not be shown.
    """

    campaign = models.ForeignKey(Campaign, verbose_name="campagne", on_delete=models.CASCADE, related_name="nodes")
    key = models.CharField("clé", max_length=40)
    level = models.CharField("niveau", max_length=10, choices=NodeLevel.choices)
    parent = models.ForeignKey("self", on_delete=models.CASCADE, null=True, blank=True, related_name="children")
    structure = models.ForeignKey(Structure, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    region = models.ForeignKey(Region, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    label = models.CharField("libellé", max_length=250)
    position = models.PositiveIntegerField("ordre", default=0)
    suppressed = models.BooleanField("masqué", default=False)
    n = models.PositiveIntegerField("nombre de réponses", null=True, blank=True)
    figures = models.JSONField("chiffres", default=dict)

    class Meta:
        verbose_name = "résultat agrégé"
        verbose_name_plural = "résultats agrégés"
        ordering = ["campaign", "position"]
        constraints = [models.UniqueConstraint(fields=["campaign", "key"], name="result_node_unique_key")]

    def __str__(self) -> str:
        return self.label
