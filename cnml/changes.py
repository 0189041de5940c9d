"""What changed between two states of a piece of content, for pages and for e-mails.

A content is a dict of texts by key (``{"title": "…", "description": "…"}``) with French labels
for its keys. :func:`compare` lists the keys whose text differs; each change carries a word-level
diff in HTML (``<del>``/``<ins>``, for pages) and :func:`change_lines` tells it in plain text (for
e-mails): short values as « before » → « after », long texts as the passages removed and added.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

# Words with the spaces before them, so that a changed passage reads as one block.
TOKEN = re.compile(r"\s*\S+|\s+")
# An unchanged run this short between two changes is shown inside the change.
SHORT_EQUAL = 2
# A value longer than this, or on several lines, is told as passages removed and added.
SHORT_VALUE = 80
# A passage quoted in an e-mail is cut after this many characters.
PASSAGE_LIMIT = 300


@dataclass(frozen=True)
class FieldChange:
    key: str
    label: str
    before: str
    after: str
    html: SafeString


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


def word_runs(before: str, after: str) -> list[tuple[bool, str, str]]:
    return _segments(TOKEN.findall(before or ""), TOKEN.findall(after or ""))


def diff_html(before: str, after: str) -> SafeString:
    """Word-level differences: removed text in ``<del>``, added text in ``<ins>``, all escaped."""
    parts = []
    for changed, old, new in word_runs(before, after):
        if not changed:
            parts.append(escape(old))
            continue
        if old:
            parts.append(f"<del>{escape(old)}</del>")
        if new:
            parts.append(f"<ins>{escape(new)}</ins>")
    return mark_safe("".join(parts).replace("\n", "<br>"))  # every piece of text is escaped above


def compare(before: Mapping[str, str], after: Mapping[str, str], labels: Mapping[str, str]) -> list[FieldChange]:
    """The keys of ``labels`` whose text differs between the two contents, in the order of ``labels``."""
    changes = []
    for key, label in labels.items():
        old, new = before.get(key, "") or "", after.get(key, "") or ""
        if old != new:
            changes.append(FieldChange(key, label, old, new, diff_html(old, new)))
    return changes


def _quote(text: str) -> str:
    text = unicodedata.normalize("NFC", " ".join(text.split()))  # an accent is one character, typed either way
    if len(text) > PASSAGE_LIMIT:  # the ellipsis right after the last word kept, never after a space
        text = text[: PASSAGE_LIMIT - 1].rstrip() + "…"
    return f"« {text} »" if text else "(vide)"


def _short(text: str) -> bool:
    return len(text) <= SHORT_VALUE and "\n" not in text


def change_lines(change: FieldChange) -> list[str]:
    """One change told in plain French, a line per item, for an e-mail."""
    if _short(change.before) and _short(change.after):
        return [f"- {change.label} : {_quote(change.before)} → {_quote(change.after)}"]
    lines = [f"- {change.label} :"]
    for changed, old, new in word_runs(change.before, change.after):
        if not changed:
            continue
        if old.strip():
            lines.append(f"    retiré : {_quote(old)}")
        if new.strip():
            lines.append(f"    ajouté : {_quote(new)}")
    return lines


def changes_text(changes: list[FieldChange]) -> str:
    """Every change, as :func:`change_lines` tells it, or a sentence when nothing changed."""
    if not changes:
        return "Aucune modification du contenu."
    return "\n".join(line for change in changes for line in change_lines(change))
