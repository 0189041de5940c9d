"""Status labels of the practices pages and e-mails (their dates: tests/cnml/test_format_tags.py)."""

from __future__ import annotations

from practices.templatetags.practices_tags import status_badge_class, status_label


def test_every_status_has_a_french_label_and_a_badge():
    assert status_label("a_completer") == "À compléter"
    assert status_label("publiee") == "Publiée"
    assert status_label("") == "—"
    assert status_badge_class("publiee") == "fr-badge--success"
    assert status_badge_class("refusee") == "fr-badge--error"
