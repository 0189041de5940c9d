"""French typography of what people read: dates, counts, ranks and spaces (cnml/formatting.py and the
``cnml_format`` filters that pages, e-mails and PDFs use)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.template import Context, Template

from cnml.formatting import (
    competition_ranks,
    format_count,
    format_date,
    format_datetime,
    format_duration,
    format_rank,
    format_size,
    french_spacing,
)

NBSP = "\u00a0"
NARROW = "\u202f"
PARIS = ZoneInfo("Europe/Paris")


def render(source: str, **context) -> str:
    return Template("{% load cnml_format %}" + source).render(Context(context))


# --- Sizes and durations -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("size", "text"),
    [
        (1_000, "1\u202f000\u00a0octets"),
        (2_048, "2\u00a0ko"),
        (1_500, "1,5\u00a0ko"),
        (1_363_148, "1,3\u00a0Mo"),
        (500 * 1024**2, "500\u00a0Mo"),
        (int(12.3 * 1024**3), "12,3\u00a0Go"),
    ],
)
def test_a_size_reads_in_french_units_of_1024_with_a_decimal_only_when_it_says_something(size, text):
    assert format_size(size) == text


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (0, "0\u00a0s"),
        (0.84, "0,8\u00a0s"),
        (45, "45\u00a0s"),
        (59.97, "1\u00a0min 00\u00a0s"),
        (185, "3\u00a0min 05\u00a0s"),
        (3720, "1\u00a0h 02\u00a0min"),
        (-3, "0\u00a0s"),
    ],
)
def test_a_duration_reads_in_french(seconds, text):
    assert format_duration(timedelta(seconds=seconds)) == text


def test_an_unknown_duration_reads_as_a_dash():
    assert format_duration(None) == "–"


def test_an_unknown_duration_reads_as_the_callers_empty_text_and_a_known_one_ignores_it():
    assert format_duration(None, empty="—") == "—"
    assert format_duration(timedelta(0), empty="—") == "0\u00a0s"


# --- Dates -----------------------------------------------------------------------------------------


def test_the_first_of_the_month_reads_premier_and_other_days_their_number():
    assert format_date(date(2026, 4, 1)) == "1er avril 2026"
    assert format_date(date(2026, 4, 2)) == "2 avril 2026"
    assert format_date(date(2026, 8, 31)) == "31 août 2026"
    assert format_date(None) == ""


def test_a_short_date_is_day_month_year_in_figures_for_tables():
    assert format_date(date(2026, 4, 1), short=True) == "01/04/2026"
    assert render('{{ day|fr_date:"court" }}', day=date(2026, 12, 7)) == "07/12/2026"


def test_a_moment_reads_at_paris_time_with_its_hour():
    # 22:30 UTC on 31 March is the first of April at 00:30 in Paris (summer time).
    moment = datetime(2026, 3, 31, 22, 30, tzinfo=ZoneInfo("UTC"))
    assert format_datetime(moment) == "1er avril 2026 à 00:30"
    assert format_datetime(moment, short=True) == "01/04/2026 à 00:30"
    assert render("{{ moment|fr_datetime }}", moment=moment) == "1er avril 2026 à 00:30"
    assert render("{{ moment|fr_date }}", moment=moment) == "1er avril 2026"


# --- Counts ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("count", "expected"),
    [
        (0, "aucune candidature déposée"),
        (None, "aucune candidature déposée"),
        (1, f"1{NBSP}candidature déposée"),
        (2, f"2{NBSP}candidatures déposées"),
        (958450, f"958{NARROW}450{NBSP}candidatures déposées"),
    ],
)
def test_a_count_puts_zero_and_one_in_the_singular_and_says_none_as_aucune(count, expected):
    assert render('{{ n|fr_count:"une candidature déposée" }}', n=count) == expected


def test_a_masculine_noun_reads_aucun_and_an_irregular_plural_is_given_after_a_bar():
    assert format_count(0, "projet") == "aucun projet"
    spec = '"un projet de plateforme|projets de plateforme"'
    assert render("{{ n|fr_count:" + spec + " }}", n=3) == f"3{NBSP}projets de plateforme"
    assert render("{{ n|fr_count:" + spec + "|capfirst }}", n=0) == "Aucun projet de plateforme"


def test_a_noun_without_its_article_is_refused_so_the_gender_is_never_guessed():
    with pytest.raises(ValueError, match="article"):
        render('{{ n|fr_count:"candidature" }}', n=2)


def test_a_word_agreeing_with_a_count_is_singular_for_zero_and_one():
    forms = '"bénéficie,bénéficient"'
    assert [render("{{ n|fr_plural:" + forms + " }}", n=n) for n in (0, 1, 2)] == [
        "bénéficie",
        "bénéficie",
        "bénéficient",
    ]


# --- Ranks -----------------------------------------------------------------------------------------


def test_ranks_read_premier_then_e_and_ex_aequo_when_shared():
    assert format_rank(1) == "1er"
    assert format_rank(1, feminine=True) == "1re"
    assert format_rank(2) == "2e"
    assert format_rank(2, ex_aequo=True) == "2e ex aequo"
    assert format_rank(None) == ""
    assert render("{{ rank|fr_rank:tied }}", rank=3, tied=True) == "3e ex aequo"


def test_equal_values_share_a_rank_ex_aequo_and_the_next_skips_the_places_they_take():
    assert competition_ranks([70, 90, 80, 80, None, 50]) == [
        (4, False),
        (1, False),
        (2, True),
        (2, True),
        (None, False),
        (5, False),
    ]
    # Where lower is better, the lowest comes first.
    assert competition_ranks([3, 1, 1], best_first=False) == [(3, False), (1, True), (1, True)]


# --- Spaces ----------------------------------------------------------------------------------------


def test_high_punctuation_gets_its_no_break_space_and_guillemets_theirs():
    text = "Budget : 4 € ; réalisé ? oui ! « Bien »"
    assert french_spacing(text) == (f"Budget{NBSP}: 4 €{NARROW}; réalisé{NARROW}? oui{NARROW}! «{NBSP}Bien{NBSP}»")


def test_punctuation_typed_without_a_space_is_left_alone_urls_and_hours_included():
    text = "https://cnml.fr/?page=2 à 10:30"
    assert french_spacing(text) == text


def test_the_spacing_filter_escapes_user_text_and_keeps_its_entities_whole():
    assert render("{{ text|fr_spacing }}", text="<b>R&D</b> : oui") == f"&lt;b&gt;R&amp;D&lt;/b&gt;{NBSP}: oui"
