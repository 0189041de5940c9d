"""French dates and status labels of the practices pages and e-mails."""

from __future__ import annotations

import datetime

from django.utils import timezone

from practices.templatetags.practices_tags import fr_date, status_badge_class, status_label


def test_dates_are_written_the_french_way():
    assert fr_date(datetime.date(2011, 9, 1)) == "1er septembre 2011"
    assert fr_date(datetime.date(2011, 10, 3)) == "3 octobre 2011"
    moment = timezone.make_aware(datetime.datetime(2011, 12, 1, 9, 5))
    assert fr_date(moment, "heure") == "1er décembre 2011 à 09:05"
    assert fr_date(None) == ""


def test_every_status_has_a_french_label_and_a_badge():
    assert status_label("a_completer") == "À compléter"
    assert status_label("publiee") == "Publiée"
    assert status_label("") == "—"
    assert status_badge_class("publiee") == "fr-badge--success"
    assert status_badge_class("refusee") == "fr-badge--error"
