"""Snapshots of a fiche's content at each submission, and what changed between two of them."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from practices.content import CONTENT_LABELS, LONG_TEXTS
from practices.richtext import plain_text


def _date(value) -> str:
    return value.strftime("%d/%m/%Y") if value else ""


def fiche_content(fiche) -> dict[str, str]:
    """The fiche's content as texts (one per part of the model fiche), as stored in a version."""
    content = {
        "title": fiche.title,
        "structure": str(fiche.structure),
        "other_structures": "\n".join(str(structure) for structure in fiche.other_structures.order_by("code")),
        "region": str(fiche.region),
        "scale": fiche.get_scale_display() if fiche.scale else "",
        "themes": "\n".join(theme.name for theme in fiche.themes.order_by("position", "name")),
        "partners": "\n".join(
            f"{partner.get_kind_display()} — {partner.name}" + (f" : {partner.role}" if partner.role else "")
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


@dataclass(frozen=True)
class FieldChange:
    key: str
    label: str
    before: str
    after: str
    html: SafeString


# Words with the spaces before them, so that a changed passage reads as one block.
TOKEN = re.compile(r"\s*\S+|\s+")
# An unchanged run this short between two changes is shown inside the change.
SHORT_EQUAL = 2


def _segments(old: list[str], new: list[str]) -> list[tuple[bool, str, str]]:
    """(changed, before, after) runs, short unchanged runs between changes merged into them."""
    runs: list[tuple[bool, str, str]] = []
    opcodes = difflib.SequenceMatcher(a=old, b=new, autojunk=False).get_opcodes()
    for index, (op, i1, i2, j1, j2) in enumerate(opcodes):
        before, after = "".join(old[i1:i2]), "".join(new[j1:j2])
        inner = 0 < index < len(opcodes) - 1
        changed = op != "equal" or (inner and i2 - i1 <= SHORT_EQUAL)
        if changed and runs and runs[-1][0]:
            runs[-1] = (True, runs[-1][1] + before, runs[-1][2] + after)
        else:
            runs.append((changed, before, after))
    return runs


def diff_html(before: str, after: str) -> SafeString:
    """Word-level differences: removed text in ``<del>``, added text in ``<ins>``, all escaped."""
    parts = []
    for changed, old, new in _segments(TOKEN.findall(before or ""), TOKEN.findall(after or "")):
        if not changed:
            parts.append(escape(old))
            continue
        if old:
            parts.append(f"<del>{escape(old)}</del>")
        if new:
            parts.append(f"<ins>{escape(new)}</ins>")
    return mark_safe("".join(parts).replace("\n", "<br>"))  # every piece of text is escaped above


def compare(before: dict, after: dict) -> list[FieldChange]:
    """The parts of the fiche that differ between two snapshots."""
    changes = []
    for key, label in CONTENT_LABELS.items():
        old, new = before.get(key, "") or "", after.get(key, "") or ""
        if old != new:
            changes.append(FieldChange(key, label, old, new, diff_html(old, new)))
    return changes
