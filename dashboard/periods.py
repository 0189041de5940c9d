"""Periods of the tableau de bord: quarters cumulative from 1 January.

``2011-T1`` is 1 January - 31 March 2011, ``2011-T2`` 1 January - 30 June 2011
("janvier-juin 2011"), ``2011-T3`` runs to 30 September, ``2011-T4`` to
31 December. Both bounds are inclusive. Each period is compared with the same
period of the year before (:attr:`Period.previous`).

Which periods a snapshot holds (:func:`periods_between`): every quarter of every
year from the first year of the extract's activity up to the extraction date,
keeping only the periods that *end on or before the extraction date*. An
extract of 15 October 2011 therefore has 2011-T1 to 2011-T3, not a truncated
2011-T4: a cumulative figure is only published once its quarter is complete.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

QUARTERS = (1, 2, 3, 4)

MONTHS = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)

_CODE = re.compile(r"^(?P<year>\d{4})-T(?P<quarter>[1-4])$")


class PeriodError(ValueError):
    """A period code that cannot be read; the message is French."""


@dataclass(frozen=True, order=True)
class Period:
    year: int
    quarter: int

    def __post_init__(self) -> None:
        if self.quarter not in QUARTERS:
            raise PeriodError(f"Trimestre invalide : {self.quarter} (attendu : 1 à 4).")

    @classmethod
    def parse(cls, code: str) -> Period:
        """``"2011-T2"`` -> ``Period(2011, 2)``; a clear French error otherwise."""
        match = _CODE.match((code or "").strip())
        if not match:
            raise PeriodError(
                f"Période inconnue « {code} » : le format attendu est AAAA-Tn, n de 1 à 4 (par exemple 2011-T2)."
            )
        return cls(int(match["year"]), int(match["quarter"]))

    @property
    def code(self) -> str:
        return f"{self.year}-T{self.quarter}"

    @property
    def start(self) -> date:
        return date(self.year, 1, 1)

    @property
    def end(self) -> date:
        month = 3 * self.quarter
        return date(self.year, month, calendar.monthrange(self.year, month)[1])

    @property
    def previous(self) -> Period:
        """The same period of the year before, which it is compared with."""
        return Period(self.year - 1, self.quarter)

    @property
    def label(self) -> str:
        """As the newsletter writes it: "janvier-juin 2011"."""
        return f"janvier-{MONTHS[3 * self.quarter - 1]} {self.year}"

    def __str__(self) -> str:
        return self.code


def periods_between(first_year: int, extracted_on: date) -> list[Period]:
    """Every period of the years ``first_year``..extraction year that ends on or before ``extracted_on``."""
    return [
        period
        for year in range(first_year, extracted_on.year + 1)
        for quarter in QUARTERS
        if (period := Period(year, quarter)).end <= extracted_on
    ]


def month_year(day: date) -> str:
    """The month and year: « octobre 2011 »."""
    return f"{MONTHS[day.month - 1]} {day.year}"


def of_month_year(day: date) -> str:
    """With its article: « d'octobre 2011 », « de juin 2011 » (elision before a vowel)."""
    text = month_year(day)
    return f"d'{text}" if text[0] in "aeiouéèê" else f"de {text}"
