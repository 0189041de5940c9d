"""Template helpers of the practices app: ``{% load practices_tags %}``."""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString

from practices.models import Status
from practices.richtext import render_rich_text

register = template.Library()

# DSFR badge modifier of each status (colours with sufficient contrast, from the DSFR).
STATUS_BADGES = {
    Status.BROUILLON: "",
    Status.SOUMISE: "fr-badge--info",
    Status.EN_RELECTURE: "fr-badge--purple-glycine",
    Status.A_COMPLETER: "fr-badge--warning",
    Status.PUBLIEE: "fr-badge--success",
    Status.REFUSEE: "fr-badge--error",
    Status.ARCHIVEE: "fr-badge--beige-gris-galet",
}


@register.filter
def rich_text(value: str) -> SafeString:
    """A long text of a fiche as safe HTML: paragraphs, lists and links, sanitised by nh3."""
    return render_rich_text(value)


@register.filter
def status_badge_class(status: str) -> str:
    return STATUS_BADGES.get(status, "")


@register.filter
def status_label(status: str) -> str:
    try:
        return Status(status).label
    except ValueError:
        return status or "—"
