"""The arithmetic of an objective at a quarter.

The periods of the dashboard are cumulative from 1 January (``2011-T2`` is January to June), so
the value at quarter *q* counts the young people of the first ``3 × q`` months of the year.

- **share reached**: value / target × 100, one decimal (rounded half up);
- **projection at 31 December**: the pace of the year so far kept to December,
  value × 12 / months elapsed (× 4 at T1, × 2 at T2, × 4/3 at T3, the value itself at T4),
  rounded half up to a whole number of young people;
- **still to reach**: target − value, 0 once the target is reached;
- **projected gap**: projection − target (negative: the year would end short of the target).

:data:`PROJECTION_METHOD` says so on every page that shows a projection.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

MONTHS_IN_YEAR = 12

PROJECTION_METHOD = (
    "Projection au 31 décembre : le rythme de l'année jusqu'au trimestre affiché, prolongé jusqu'en "
    "décembre, soit la valeur cumulée depuis le 1er janvier × 12 / nombre de mois écoulés "
    "(× 4 au 1er trimestre, × 2 à fin juin, × 4/3 à fin septembre, la valeur elle-même à fin décembre)."
)


def months_elapsed(quarter: int) -> int:
    """Months from 1 January to the end of ``quarter`` (1 to 4)."""
    if quarter not in (1, 2, 3, 4):
        raise ValueError(f"Trimestre invalide : {quarter} (attendu : 1 à 4).")
    return 3 * quarter


def _whole(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


@dataclass(frozen=True)
class Progress:
    """An objective's ``target`` and the ``value`` reached at the end of ``quarter`` (None: no figure)."""

    target: int
    value: int | None
    quarter: int

    @property
    def months(self) -> int:
        return months_elapsed(self.quarter)

    @property
    def known(self) -> bool:
        return self.value is not None

    @property
    def share(self) -> Decimal | None:
        """Share of the target reached, in %, one decimal."""
        if self.value is None or not self.target:
            return None
        share = Decimal(self.value) * 100 / Decimal(self.target)
        return share.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)

    @property
    def projection(self) -> int | None:
        """Value × 12 / months elapsed, rounded to a whole number of young people."""
        if self.value is None:
            return None
        return _whole(Decimal(self.value) * MONTHS_IN_YEAR / Decimal(self.months))

    @property
    def projected_share(self) -> Decimal | None:
        if self.projection is None or not self.target:
            return None
        return (Decimal(self.projection) * 100 / Decimal(self.target)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)

    @property
    def remaining(self) -> int | None:
        """Young people still to reach the target (0 once reached)."""
        if self.value is None:
            return None
        return max(self.target - self.value, 0)

    @property
    def projected_gap(self) -> int | None:
        """Projection − target: negative when the pace of the year would end short of the target."""
        if self.projection is None:
            return None
        return self.projection - self.target

    @property
    def on_track(self) -> bool | None:
        if self.projection is None:
            return None
        return self.projection >= self.target
