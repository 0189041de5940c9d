"""Snapshots of a fiche's content at each submission, and what changed between two of them."""

from __future__ import annotations

from cnml.changes import FieldChange, diff_html
from cnml.changes import compare as compare_contents
from cnml.formatting import format_date
from practices.content import CONTENT_LABELS, LONG_TEXTS
from practices.richtext import plain_text

__all__ = ["CONTENT_LABELS", "FieldChange", "compare", "diff_html", "fiche_content"]


def _date(value) -> str:
    return format_date(value, short=True)


def fiche_content(fiche) -> dict[str, str]:
    """The fiche's content as texts (one per part of the model fiche), as stored in a version."""
    content = {
        "title": fiche.title,
        "structure": str(fiche.carrier or ""),
        "other_structures": "\n".join(str(structure) for structure in fiche.other_structures.order_by("code")),
        "region": str(fiche.region),
        "scale": fiche.get_scale_display() if fiche.scale else "",
        "themes": "\n".join(theme.name for theme in fiche.themes.order_by("position", "name")),
        "partners": "\n".join(
            f"{partner.get_kind_display()} — {partner.name}" + (f" : {partner.role}" if partner.role else "")
            for partner in fiche.partners.all()
        ),
        "dates": " – ".join(filter(None, [_date(fiche.start_date), _date(fiche.end_date)])),
        "contacts": "\n".join(
            ", ".join(filter(None, [contact.name, contact.function, contact.email, contact.phone]))
            for contact in fiche.contacts.all()
        ),
        "attachments": "\n".join(attachment.name for attachment in fiche.attachments.all()),
    }
    for name in LONG_TEXTS:
        content[name] = plain_text(getattr(fiche, name))
    return {key: content.get(key, "") for key in CONTENT_LABELS}


def compare(before: dict, after: dict) -> list[FieldChange]:
    """The parts of the fiche that differ between two snapshots."""
    return compare_contents(before, after, CONTENT_LABELS)
