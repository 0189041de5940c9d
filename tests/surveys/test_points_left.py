"""What a points question says is left to give, written by the server on each page (points.js says the same)."""

from __future__ import annotations

import pytest

from surveys.answering import points_left
from surveys.public_views import points_left_text

QUESTION = {"total": 100, "choices": [{"code": "a"}, {"code": "b"}, {"code": "c"}]}


@pytest.mark.parametrize(
    ("typed", "left"),
    [
        ({}, 100),
        ({"a": "30", "b": "50"}, 20),
        ({"a": "1 000"}, -900),
        ({"a": "abc", "b": "-5", "c": "+10"}, 90),
    ],
)
def test_only_whole_positive_numbers_count_towards_the_total(typed, left):
    assert points_left(QUESTION, typed) == left


@pytest.mark.parametrize(
    ("left", "text"),
    [
        (100, "Reste à répartir : 100\u00a0points."),
        (1, "Reste à répartir : 1\u00a0point."),
        (0, "Tous les points sont répartis."),
        (-1, "1\u00a0point de trop : retirez-en pour arriver au total."),
        (-1200, "1\u202f200\u00a0points de trop : retirez-en pour arriver au total."),
    ],
)
def test_what_is_left_is_said_in_french(left, text):
    assert points_left_text(left) == text
