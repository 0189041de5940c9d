"""Celery tasks of the surveys app: they take ids and call a service."""

from __future__ import annotations

from cnml.tasks import cnml_task
from surveys import services


@cnml_task(outbox_label="le calcul des résultats")
def aggregate_campaign_results(campaign_id: int) -> dict:
    """Recompute and store the results of one campaign (on closing, or on demand)."""
    report = services.campaign_aggregate(campaign_id=campaign_id)
    return {"responses": report.responses, "nodes": report.nodes, "seconds": round(report.seconds, 3)}


@cnml_task
def close_due_campaigns() -> list[int]:
    """Close the campaigns past their closing date (scheduled every hour by Celery beat)."""
    return services.campaigns_close_due()
