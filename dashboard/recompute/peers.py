"""Structures of similar size: each structure's peer group and the group's references, per year.

Beside its region and the nation, a structure is compared with the structures of
similar size. The size of a structure in year Y is the number of young people it
accompanied over the year before: ``jeunes_accueillis`` (at least one contact) of
Y-1's T4, the whole year Y-1. Structures with none (new, or without data) have no
size and no peers that year; the first year of a snapshot has no year before, so no
peers either.

The bands are the quintiles of the sizes (:func:`size_bands`): five groups of about
as many structures, ties always in the same group; a group of fewer than
:data:`MIN_GROUP` structures is merged with the next band (the last one with the
band before). A group's references, for every indicator and period of Y
(:func:`peer_rows`): for a count, the median of its structures (rounded to a young
person); for a rate, the rate of all their young people together (summed numerators
over summed denominators), as a region's rate is computed.

Stored as values of scope kind :data:`~dashboard.models.snapshots.PEERS_SCOPE`, code
``"<year>-<band>"``, and described in ``Snapshot.peer_groups``::

    {"2011": {"basis": "2010-T4", "bands": [{"code": "2011-1", "number": 1, "low": 3,
              "high": 45, "members": ["ML93001", ...]}, ...]}}
"""

from __future__ import annotations

import statistics
from collections import defaultdict

from dashboard import indicators as registry
from dashboard.models.snapshots import PEERS_SCOPE, ScopeKind
from dashboard.periods import Period
from dashboard.selectors import PEER_BANDS as BANDS
from dashboard.selectors import PEER_MIN_GROUP as MIN_GROUP
from dashboard.selectors import PEER_SIZE_INDICATOR as SIZE_INDICATOR

# One stored value (see dashboard.recompute.values.Row).
Row = list


def size_bands(sizes: dict[str, int]) -> list[list[str]]:
    """The structures (code -> size > 0) in bands by quintile, smallest first; small bands merged.

    A structure is in the band of the quintile thresholds it reaches, so equal sizes
    share a band; empty bands are dropped; a band of fewer than :data:`MIN_GROUP`
    structures is merged with the next one (the last with the one before).
    """
    ordered = sorted(sizes.values())
    if not ordered:
        return []
    count = len(ordered)
    thresholds = [ordered[min(count - 1, (count * k) // BANDS)] for k in range(1, BANDS)]
    bands: list[list[str]] = [[] for _ in range(BANDS)]
    for code in sorted(sizes, key=lambda each: (sizes[each], each)):
        bands[sum(sizes[code] >= threshold for threshold in thresholds)].append(code)
    bands = [band for band in bands if band]
    merged: list[list[str]] = []
    pending: list[str] = []
    for band in bands:
        pending += band
        if len(pending) >= MIN_GROUP:
            merged.append(pending)
            pending = []
    if pending:
        if merged:
            merged[-1] += pending
        else:
            merged.append(pending)
    return merged


STRUCTURE = ScopeKind.STRUCTURE.value  # a plain string: compared with every row


def peer_groups(periods: list[Period], rows: list[Row]) -> dict[str, dict]:
    """The bands of each year of ``periods`` whose year before is there too (see the module)."""
    codes = {period.code for period in periods}
    years = sorted({period.year for period in periods})
    bases = {Period(year - 1, 4).code for year in years} & codes
    # basis period -> structure code -> young people accompanied that year
    sizes_by_basis: dict[str, dict[str, int]] = defaultdict(dict)
    for row in rows:
        if row[3] == SIZE_INDICATOR and row[2] in bases and row[0] == STRUCTURE and row[4]:
            sizes_by_basis[row[2]][row[1]] = int(row[4])
    by_year: dict[str, dict] = {}
    for year in years:
        basis = Period(year - 1, 4).code
        sizes = sizes_by_basis.get(basis, {})
        bands = size_bands(sizes)
        if not bands:
            continue
        by_year[str(year)] = {
            "basis": basis,
            "bands": [
                {
                    "code": f"{year}-{number}",
                    "number": number,
                    "low": sizes[members[0]],
                    "high": sizes[members[-1]],
                    "members": sorted(members),
                }
                for number, members in enumerate(bands, start=1)
            ],
        }
    return by_year


def peer_rows(periods: list[Period], rows: list[Row], groups: dict[str, dict]) -> list[Row]:
    """The references of every group, for every indicator and period of its year."""
    # (structure code, period code) -> indicator code -> row, for the periods that have groups
    wanted = {period.code for period in periods if str(period.year) in groups}
    values: dict[tuple[str, str], dict[str, Row]] = defaultdict(dict)
    for row in rows:
        if row[2] in wanted and row[0] == STRUCTURE:
            values[(row[1], row[2])][row[3]] = row
    result: list[Row] = []
    for period in periods:
        year = groups.get(str(period.year))
        if year is None:
            continue
        for band in year["bands"]:
            members = [values.get((code, period.code), {}) for code in band["members"]]
            for indicator in registry.INDICATORS:
                found = [member[indicator.code] for member in members if indicator.code in member]
                if not found:
                    continue
                result.append(_reference(band["code"], period.code, indicator, found))
    return result


def _reference(code: str, period_code: str, indicator, found: list[Row]) -> Row:
    if indicator.is_rate:
        numerator = sum(row[5] or 0 for row in found)
        denominator = sum(row[6] or 0 for row in found)
        value = registry.rate(numerator, denominator)
        return [PEERS_SCOPE, code, period_code, indicator.code, value, numerator, denominator, None, None, False]
    known = [row[4] for row in found if row[4] is not None]
    value = int(statistics.median(known) + 0.5) if known else None
    return [PEERS_SCOPE, code, period_code, indicator.code, value, None, None, None, None, False]
