"""The recompute's queries: one scan per fact table and date column, in portable SQL.

Events (:class:`~dashboard.indicators.EventCount`) are grouped by fact table and
date column: one scan per group. For each young person and year it takes the
earliest qualifying date of each indicator (``MIN(CASE WHEN ...)``), then counts
per structure and year, for the four quarters at once, the people whose earliest
date falls in or before each quarter. Overlaps (:class:`~dashboard.indicators.OverlapCount`)
join the enrolments with the years they overlap. Eligibilities (:class:`~dashboard.indicators.Eligibility`)
take the young people first welcomed in a year who met the conditions then, and the first
day of that year an excluding enrolment runs: counted from their first welcome's quarter
until that day's. Each query returns, per structure and year, cumulative counts for T1..T4
(:data:`Counts`).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from django.db import connection

from dashboard import indicators as registry
from dashboard.indicators import Eligibility, EventCount, Indicator, OverlapCount
from dashboard.models import Enrolment, YoungPerson
from dashboard.periods import Period

# indicator code -> (structure id, year) -> cumulative counts for T1..T4
Counts = dict[str, dict[tuple[int, int], list[int]]]
# One query: (its indicators, sql, params, years: None when its rows carry their year).
Job = tuple[list[Indicator], str, list, list[int] | None]


def _count_jobs(periods: list[Period], extracted_on: date, *, skip: frozenset[str] = frozenset()) -> list[Job]:
    """One query per group of count indicators (but those in ``skip``); the largest (contacts) first."""
    years = sorted({period.year for period in periods})
    first_day, last_day = date(years[0], 1, 1), min(extracted_on, date(years[-1], 12, 31))
    jobs: list[Job] = []
    groups: dict[tuple, list[Indicator]] = defaultdict(list)
    for indicator in registry.counts():
        computation = indicator.computation
        if indicator.code in skip:
            continue
        if isinstance(computation, EventCount):
            groups[(computation.model, computation.date_field, computation.person_field)].append(indicator)
        elif isinstance(computation, OverlapCount):
            jobs.append(([indicator], *_overlap_sql(computation, years, extracted_on), None))
        elif isinstance(computation, Eligibility):
            jobs.append(([indicator], *_eligibility_sql(computation, years, first_day, last_day), None))
        else:  # pragma: no cover - the registry checks its declarations
            raise TypeError(f"Unknown computation for {indicator.code}")
    for (model, date_field, person_field), members in groups.items():
        if len(members) == 1 and model is not YoungPerson:
            sql, params = _single_event_sql(model, date_field, person_field, members[0], years, first_day, last_day)
            jobs.insert(0, (members, sql, params, years))
            continue
        sql, params = _event_sql(model, date_field, person_field, members, years, first_day, last_day)
        jobs.append((members, sql, params, None))
    return jobs


# Portable SQL: dates are compared with typed literals built here from
# ``date`` objects (never from input), years come from CASE on those literals,
# so that no date function runs on the millions of fact rows.


def _date(day: date) -> str:
    literal = f"'{day.isoformat()}'"
    return f"DATE {literal}" if connection.vendor == "postgresql" else literal


def _year(column: str, years: list[int]) -> str:
    """The year of ``column``, known to lie in ``years``."""
    if len(years) == 1:
        return str(years[0])
    cases = " ".join(f"WHEN {column} < {_date(date(year + 1, 1, 1))} THEN {year}" for year in years[:-1])
    return f"CASE {cases} ELSE {years[-1]} END"


def _cumulative_counts(columns: list[str], years: list[int]) -> str:
    """For each first date (in year ``f.y``): how many fall in T1, T1-T2, T1-T3 and the whole year."""

    def end_of(quarter: int) -> str:
        if len(years) == 1:
            return _date(Period(years[0], quarter).end)
        whens = " ".join(f"WHEN {year} THEN {_date(Period(year, quarter).end)}" for year in years)
        return f"(CASE f.y {whens} END)"

    return ",\n       ".join(
        ", ".join(f"SUM(CASE WHEN f.{column} <= {end_of(quarter)} THEN 1 ELSE 0 END)" for quarter in (1, 2, 3))
        + f", COUNT(f.{column})"
        for column in columns
    )


def _where(model, alias: str, where: dict[str, tuple[str, ...]]) -> tuple[str, list]:
    if not where:
        return "", []
    clauses, params = [], []
    for field_name, accepted in where.items():
        column = model._meta.get_field(field_name).column
        clauses.append(f"{alias}.{column} IN ({', '.join(['%s'] * len(accepted))})")
        params.extend(accepted)
    return " AND ".join(clauses), params


def _event_sql(
    model,
    date_field: str,
    person_field: str,
    members: list[Indicator],
    years: list[int],
    first_day: date,
    last_day: date,
) -> tuple[str, list]:
    """One scan of ``model`` for every indicator in ``members``: earliest date per young person and year."""
    meta = model._meta
    table = connection.ops.quote_name(meta.db_table)
    young = connection.ops.quote_name(YoungPerson._meta.db_table)
    person = f"t.{meta.get_field(person_field).column}"
    day = f"t.{meta.get_field(date_field).column}"
    year = _year(day, years)
    on_people = model is YoungPerson  # one row per young person: nothing to group, no join
    firsts, conditions = [], []
    params: list = []
    for index, indicator in enumerate(members):
        condition, condition_params = _where(model, "t", indicator.computation.where)
        value = f"CASE WHEN {condition} THEN {day} END" if condition else day
        firsts.append(f"{value if on_people else f'MIN({value})'} AS d{index}")
        params.extend(condition_params)
        conditions.append((condition, condition_params))
    filters = [f"{day} >= {_date(first_day)}", f"{day} <= {_date(last_day)}"]
    if all(condition for condition, _ in conditions):
        filters.append("(" + " OR ".join(f"({condition})" for condition, _ in conditions) + ")")
        for _, condition_params in conditions:
            params.extend(condition_params)
    sums = _cumulative_counts([f"d{index}" for index in range(len(members))], years)
    if on_people:
        sql = f"""
SELECT f.sid, f.y,
       {sums}
FROM (
    SELECT t.structure_id AS sid, {year} AS y, {", ".join(firsts)}
    FROM {table} t
    WHERE {" AND ".join(filters)}
) f
GROUP BY f.sid, f.y
"""
    else:
        sql = f"""
SELECT yp.structure_id, f.y,
       {sums}
FROM (
    SELECT {person} AS pid, {year} AS y, {", ".join(firsts)}
    FROM {table} t
    WHERE {" AND ".join(filters)}
    GROUP BY 1, 2
) f
JOIN {young} yp ON yp.id = f.pid
GROUP BY yp.structure_id, f.y
"""
    return sql, params


def _single_event_sql(
    model, date_field: str, person_field: str, indicator: Indicator, years: list[int], first_day: date, last_day: date
) -> tuple[str, list]:
    """One indicator of a large table (contacts): earliest date per young person and year, grouped by person only.

    Grouping by person alone (one MIN per year) is about a third cheaper than
    by (person, year) on millions of rows; it pays when one indicator is read.
    """
    meta = model._meta
    table = connection.ops.quote_name(meta.db_table)
    young = connection.ops.quote_name(YoungPerson._meta.db_table)
    person = f"t.{meta.get_field(person_field).column}"
    day = f"t.{meta.get_field(date_field).column}"
    condition, params = _where(model, "t", indicator.computation.where)
    firsts, sums = [], []
    for year in years:
        bounds = [condition] if condition else []
        if year != years[0]:
            bounds.append(f"{day} >= {_date(date(year, 1, 1))}")
        if year != years[-1]:
            bounds.append(f"{day} <= {_date(date(year, 12, 31))}")
        value = f"CASE WHEN {' AND '.join(bounds)} THEN {day} END" if bounds else day
        firsts.append(f"MIN({value}) AS d{year}")
        # Parameters appear once per year in the SELECT list, then once in WHERE.
        sums.append(
            ", ".join(
                f"SUM(CASE WHEN f.d{year} <= {_date(Period(year, quarter).end)} THEN 1 ELSE 0 END)"
                for quarter in (1, 2, 3)
            )
            + f", COUNT(f.d{year})"
        )
    all_params = params * len(years) + params
    filters = [f"{day} >= {_date(first_day)}", f"{day} <= {_date(last_day)}"] + ([condition] if condition else [])
    sql = f"""
SELECT yp.structure_id,
       {", ".join(sums)}
FROM (
    SELECT {person} AS pid, {", ".join(firsts)}
    FROM {table} t
    WHERE {" AND ".join(filters)}
    GROUP BY 1
) f
JOIN {young} yp ON yp.id = f.pid
GROUP BY yp.structure_id
"""
    return sql, all_params


def _overlap_sql(computation: OverlapCount, years: list[int], extracted_on: date) -> tuple[str, list]:
    """Per young person and year, the earliest day an interval is running (1 January if begun before)."""
    meta = computation.model._meta
    table = connection.ops.quote_name(meta.db_table)
    young = connection.ops.quote_name(YoungPerson._meta.db_table)
    person = f"t.{meta.get_field(computation.person_field).column}"
    start = f"t.{meta.get_field(computation.start_field).column}"
    end = f"t.{meta.get_field(computation.end_field).column}"
    condition, params = _where(computation.model, "t", computation.where)
    spans = ", ".join(f"({year}, {_date(date(year, 1, 1))}, {_date(date(year, 12, 31))})" for year in years)
    sql = f"""
WITH span (y, first_day, last_day) AS (VALUES {spans})
SELECT yp.structure_id, f.y,
       {_cumulative_counts(["d"], years)}
FROM (
    SELECT {person} AS pid, span.y AS y,
           MIN(CASE WHEN {start} < span.first_day THEN span.first_day ELSE {start} END) AS d
    FROM {table} t
    JOIN span ON {start} <= span.last_day AND ({end} IS NULL OR {end} >= span.first_day)
    WHERE {start} <= {_date(extracted_on)} {"AND " + condition if condition else ""}
    GROUP BY {person}, span.y
) f
JOIN {young} yp ON yp.id = f.pid
GROUP BY yp.structure_id, f.y
"""
    return sql, params


def _under_age(birth_month: str, day: str, years: int) -> str:
    """``day`` is before the 1st of the month ``years`` years after ``birth_month`` (a 1st of month)."""
    if connection.vendor == "postgresql":
        return f"{day} < CAST({birth_month} + INTERVAL '{int(years)} years' AS date)"
    return f"{day} < date({birth_month}, '+{int(years)} years')"


def _quarter_end(quarter: int, years: list[int], year_column: str) -> str:
    if len(years) == 1:
        return _date(Period(years[0], quarter).end)
    whens = " ".join(f"WHEN {year} THEN {_date(Period(year, quarter).end)}" for year in years)
    return f"(CASE {year_column} {whens} END)"


def _eligibility_sql(computation: Eligibility, years: list[int], first_day: date, last_day: date) -> tuple[str, list]:
    """Per structure and year: young people first welcomed by the end of each quarter, eligible then.

    ``x`` is the first day of the year an excluding enrolment runs (NULL: none): a young
    person is counted in the periods ending on or after their first welcome and before ``x``
    (an excluding enrolment overlapping the period rules them out).
    """
    young = connection.ops.quote_name(YoungPerson._meta.db_table)
    enrolments = connection.ops.quote_name(Enrolment._meta.db_table)
    levels, level_params = _where(
        YoungPerson,
        "t",
        {"training_level": computation.training_levels, "certification_level": computation.certification_levels},
    )
    excluded, excluded_params = _where(Enrolment, "e", {"programme": computation.excluded_programmes})
    spans = ", ".join(f"({year}, {_date(date(year, 1, 1))}, {_date(date(year, 12, 31))})" for year in years)
    sums = []
    for quarter in (1, 2, 3, 4):
        end = _quarter_end(quarter, years, "f.y")
        sums.append(f"SUM(CASE WHEN f.d <= {end} AND (f.x IS NULL OR f.x > {end}) THEN 1 ELSE 0 END)")
    sql = f"""
WITH span (y, first_day, last_day) AS (VALUES {spans})
SELECT f.sid, f.y,
       {", ".join(sums)}
FROM (
    SELECT t.id AS pid, t.structure_id AS sid, span.y AS y, t.first_reception_on AS d,
           MIN(CASE WHEN e.entry_on < span.first_day THEN span.first_day ELSE e.entry_on END) AS x
    FROM {young} t
    JOIN span ON t.first_reception_on >= span.first_day AND t.first_reception_on <= span.last_day
    LEFT JOIN {enrolments} e ON e.young_person_id = t.id AND {excluded}
         AND e.entry_on <= span.last_day AND (e.exit_on IS NULL OR e.exit_on >= span.first_day)
    WHERE t.first_reception_on >= {_date(first_day)} AND t.first_reception_on <= {_date(last_day)}
      AND {levels} AND {_under_age("t.birth_month", "t.first_reception_on", computation.max_age)}
    GROUP BY t.id, t.structure_id, span.y, t.first_reception_on
) f
GROUP BY f.sid, f.y
"""
    return sql, excluded_params + level_params
