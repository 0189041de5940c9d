"""The publication of a closed campaign's results to the public (the newsletter's « résultats disponibles
au niveau régional et pour chacune des missions locales et de ses antennes »).

One row per campaign, created when its results are first published. Its workflow (non publiés →
publiés → retirés → publiés…) is declared with :mod:`cnml.workflows`, so each publication and each
withdrawal is logged with who, when and why. Published pages show the stored aggregates only, small-cell
protection already applied, and never the free comments (:mod:`surveys.public_results`).
"""

from __future__ import annotations

from django.db import models

from cnml.workflows import Workflow
from surveys.models.campaigns import Campaign, CampaignStatus


class PublicationStatus(models.TextChoices):
    UNPUBLISHED = "non_publies", "Non publiés"
    PUBLISHED = "publies", "Publiés"
    WITHDRAWN = "retires", "Retirés"


class ResultsPublication(models.Model):
    campaign = models.OneToOneField(
        Campaign, verbose_name="campagne", on_delete=models.CASCADE, related_name="publication"
    )
    status = models.CharField(
        "état", max_length=12, choices=PublicationStatus.choices, default=PublicationStatus.UNPUBLISHED
    )
    published_at = models.DateTimeField("publiés le", null=True, blank=True)

    class Meta:
        verbose_name = "publication des résultats"
        verbose_name_plural = "publications des résultats"

    def __str__(self) -> str:
        return f"Résultats de « {self.campaign} »"

    @property
    def is_public(self) -> bool:
        return self.status == PublicationStatus.PUBLISHED

    workflow = Workflow(field="status", states=PublicationStatus)

    def _ready(self, user) -> list[str]:
        campaign = self.campaign
        if campaign.status != CampaignStatus.CLOSED:
            return ["Seuls les résultats d'une campagne close peuvent être publiés."]
        if campaign.aggregated_at is None or not campaign.nodes.exists():
            return ["Calculez les résultats de la campagne avant de les publier."]
        return []

    @workflow.transition(
        source=[PublicationStatus.UNPUBLISHED, PublicationStatus.WITHDRAWN],
        target=PublicationStatus.PUBLISHED,
        permission="surveys.permissions.can_manage_campaign_of",
        guard=_ready,
        label="Publier les résultats",
        action="publier les résultats",
        wrong_state="Les résultats sont déjà publiés.",
    )
    def publish(self, user, *, now, **_) -> None:
        """The results become readable by anyone, per region, mission locale and antenne."""
        self.published_at = now

    @workflow.transition(
        source=[PublicationStatus.PUBLISHED],
        target=PublicationStatus.WITHDRAWN,
        permission="surveys.permissions.can_manage_campaign_of",
        label="Retirer la publication",
        action="retirer la publication",
        comment_required="Dites pourquoi la publication est retirée.",
        wrong_state="Les résultats ne sont pas publiés.",
    )
    def withdraw(self, user, **_) -> None:
        """The public pages answer « introuvable » again; the campaign's own pages are unchanged."""
