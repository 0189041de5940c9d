"""French typography, as the CNML prints what people read: one helper for each kind of text.

- numbers: 958 450 ; 4,7 % ; +1,4 pt. The thousands separator is a narrow no-break space (U+202F), as
  French typography wants, and the one before "%" a no-break space, so figures never wrap;
- sizes and durations: « 1,5 Mo », « 500 Mo » ; « 0,8 s », « 3 min 05 s », « 1 h 02 min »;
- dates: « 1er avril 2026 », « 1er avril 2026 à 14:05 », or « 01/04/2026 » in tables;
- counts: « aucune candidature », « 1 candidature », « 2 candidatures » (never « 0 candidatures »);
- ranks: « 1er », « 1re », « 2e ex aequo » when another shares the rank;
- punctuation: a no-break space before « : » and « » », after « « », a narrow one before « ; ! ? ».

The template filters of ``cnml_format`` call these, so pages, e-mails, PDFs and exports say it alike.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.utils import dateformat, timezone

THOUSANDS = "\u202f"
NBSP = "\u00a0"


def _round(value, decimals: int) -> Decimal:
    quantum = Decimal(1).scaleb(-decimals)
    return Decimal(str(value)).quantize(quantum, rounding=ROUND_HALF_UP)


def format_number(value, decimals: int = 0) -> str:
    """958450 -> "958 450"; 4.75 with decimals=1 -> "4,8"; None -> "–"."""
    if value is None:
        return "–"
    number = _round(value, decimals)
    sign = "−" if number < 0 else ""
    integer, _, fraction = f"{abs(number):f}".partition(".")
    groups = []
    while integer:
        groups.insert(0, integer[-3:])
        integer = integer[:-3]
    text = THOUSANDS.join(groups) or "0"
    if decimals:
        text += "," + fraction.ljust(decimals, "0")[:decimals]
    return sign + text


def format_percent(value, decimals: int = 1) -> str:
    """4.7 -> "4,7 %"."""
    if value is None:
        return "–"
    return f"{format_number(value, decimals)}{NBSP}%"


def format_signed(value, decimals: int = 1, unit: str = "%") -> str:
    """Evolutions: 4.7 -> "+4,7 %", -6.5 -> "−6,5 %", 0 -> "0,0 %"; unit "pt" for rates."""
    if value is None:
        return "–"
    number = _round(value, decimals)
    sign = "+" if number > 0 else ""
    return f"{sign}{format_number(number, decimals)}{NBSP}{unit}"


def _tenths(value) -> str:
    """One decimal, none when it rounds to a whole: 1.46 -> "1,5", 500.0 -> "500"."""
    number = _round(value, 1)
    return format_number(number, 0 if number == number.to_integral_value() else 1)


def format_size(size: int) -> str:
    """Bytes in units of 1 024: « 1 000 octets », « 1,5 ko », « 500 Mo », « 12,3 Go »."""
    for unit, scale in (("To", 1024**4), ("Go", 1024**3), ("Mo", 1024**2), ("ko", 1024)):
        if size >= scale:
            return f"{_tenths(size / scale)}{NBSP}{unit}"
    return f"{format_number(size)}{NBSP}octets"


def format_duration(value: timedelta | None, *, empty: str = "–") -> str:
    """« 0,8 s », « 45 s », « 3 min 05 s », « 1 h 02 min »; ``empty`` when unknown (None)."""
    if value is None:
        return empty
    seconds = _round(max(value.total_seconds(), 0), 1)
    if seconds < 60:
        return f"{_tenths(seconds)}{NBSP}s"
    minutes, seconds = divmod(int(seconds.to_integral_value(rounding=ROUND_HALF_UP)), 60)
    hours, minutes = divmod(minutes, 60)
    if hours:
        return f"{hours}{NBSP}h {minutes:02d}{NBSP}min"
    return f"{minutes}{NBSP}min {seconds:02d}{NBSP}s"


# --- Dates ---------------------------------------------------------------------------------------


def _local(value: date) -> date:
    if isinstance(value, datetime) and timezone.is_aware(value):
        return timezone.localtime(value)
    return value


def format_date(value: date | None, *, short: bool = False) -> str:
    """1 April 2026 -> "1er avril 2026" (the first of the month is « premier »); short: "01/04/2026"."""
    if value is None:
        return ""
    value = _local(value)
    if short:
        return dateformat.format(value, "d/m/Y")
    day = "1er" if value.day == 1 else str(value.day)
    return f"{day} {dateformat.format(value, 'F Y')}"


def format_datetime(value: datetime | None, *, short: bool = False) -> str:
    """« 1er avril 2026 à 14:05 »; short: « 01/04/2026 à 14:05 »."""
    if value is None:
        return ""
    value = _local(value)
    return f"{format_date(value, short=short)} à {dateformat.format(value, 'H:i')}"


# --- Counts --------------------------------------------------------------------------------------


def _regular_plural(words: str) -> str:
    """« réponse reçue » -> « réponses reçues »: an s on every word that has none (irregular ones are given)."""
    return " ".join(word if word.endswith(("s", "x", "z")) else word + "s" for word in words.split(" "))


def format_count(count: int | None, singular: str, plural: str | None = None, *, feminine: bool = False) -> str:
    """0 -> "aucune candidature", 1 -> "1 candidature", 2 -> "2 candidatures", 958450 -> "958 450 …".

    French puts zero and one in the singular; none reads « aucun » or « aucune » after the noun's gender.
    ``plural`` defaults to an s on every word of ``singular``.
    """
    if not count:
        return f"{'aucune' if feminine else 'aucun'} {singular}"
    if not is_plural(count):
        return f"{format_number(count)}{NBSP}{singular}"
    return f"{format_number(count)}{NBSP}{plural or _regular_plural(singular)}"


def is_plural(count: int | None) -> bool:
    """French puts zero and one in the singular."""
    return abs(count or 0) >= 2


def count_spec(spec: str) -> tuple[str, str | None, bool]:
    """The noun of a count filter, « une candidature déposée » or « un projet|projets retenus »:
    the article gives the gender, the part after « | » an irregular plural."""
    singular, _, plural = spec.partition("|")
    article, _, singular = singular.strip().partition(" ")
    if article not in ("un", "une"):
        raise ValueError(f"« {spec} » : le nom se donne avec son article, « un » ou « une ».")
    return singular, plural.strip() or None, article == "une"


# --- Ranks ---------------------------------------------------------------------------------------


def format_rank(rank: int | None, *, ex_aequo: bool = False, feminine: bool = False) -> str:
    """1 -> "1er" ("1re" for a feminine noun), 2 -> "2e", and "2e ex aequo" when another shares it."""
    if not rank:
        return ""
    text = ("1re" if feminine else "1er") if rank == 1 else f"{rank}e"
    return f"{text} ex aequo" if ex_aequo else text


def competition_ranks(values: list, *, best_first: bool = True) -> list[tuple[int | None, bool]]:
    """Each value's (rank, ex aequo) in competition ranking (1, 2, 2, 4); None stays unranked (None)."""
    ordered = sorted((value for value in values if value is not None), reverse=best_first)
    first_position, ties = {}, Counter(ordered)
    for position, value in enumerate(ordered, start=1):
        first_position.setdefault(value, position)
    return [(None, False) if value is None else (first_position[value], ties[value] > 1) for value in values]


# --- Punctuation ---------------------------------------------------------------------------------

NARROW = THOUSANDS  # the narrow no-break space
_BEFORE_WIDE = re.compile(r"[ \u00a0]+(?=[:»])")
_AFTER_OPENING = re.compile(r"(?<=«)[ \u00a0]+")
_BEFORE_NARROW = re.compile(r"[ \u00a0]+(?=[;!?])")


def french_spacing(text: str) -> str:
    """The spaces French puts around high punctuation, unbreakable: a no-break space before « : » and
    « » » and after « « », a narrow no-break space before « ; », « ! » and « ? ». Only where a space
    was typed: « http://», « 10:30 » and « ?page=2 » stay as they are."""
    text = _BEFORE_WIDE.sub(NBSP, text)
    text = _AFTER_OPENING.sub(NBSP, text)
    return _BEFORE_NARROW.sub(NARROW, text)
