"""Recompute every indicator of the registry into a new snapshot.

:func:`snapshot_recompute` computes, for every period of the extract (see
:mod:`dashboard.periods`), every indicator of :mod:`dashboard.indicators` for
every structure (young people are attributed to the ML/PAIO of jeunes.csv),
every region and the nation, with exact distinct counts.

How, at national scale (1.4 million young people, ~10 million contacts), in a
few set-based queries that work on SQLite and PostgreSQL:

1. Events (:class:`~dashboard.indicators.EventCount`) are grouped by fact table
   and date column: one scan per group. For each young person and year it takes
   the earliest qualifying date of each indicator (``MIN(CASE WHEN ...)``), then
   counts per structure and year, for the four quarters at once, the people
   whose earliest date falls in or before each quarter. A young person has an
   event in "year Y up to the end of Tq" if and only if their earliest event of
   Y is on or before the end of Tq: the cumulative counts are exact distinct
   counts, not sums of quarters.
2. Overlaps (:class:`~dashboard.indicators.OverlapCount`, CIVIS followed) join
   the enrolments with the years they overlap; per young person and year the
   earliest quarter in which an enrolment is running (1 if it began before
   1 January), then the same conditional counts.
3. Each young person belongs to exactly one structure, so a region's and the
   nation's counts are exact sums of their structures' counts; rates are
   recomputed from the summed numerators and denominators.

Atomicity: the values are inserted in bulk in the transaction that marks the
snapshot computed. Readers take the latest computed snapshot, so they see
either the previous figures or the new ones, never a mix; a recompute that
fails (or whose process is killed) leaves the previous snapshot in place. On
PostgreSQL, recomputes are serialised by an advisory lock and hold a SHARE
lock on the fact tables (a concurrent import cannot be half seen: its swap
waits for the recompute to commit).
"""

from __future__ import annotations

import logging
import threading
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.db import OperationalError, connection, transaction
from django.db.models import Min, Q
from django.utils import timezone

from cnml.models import Structure, StructureKind
from dashboard import indicators as registry
from dashboard.indicators import EventCount, Indicator, OverlapCount, Ratio
from dashboard.models import Contact, ExtractImport, ImportStatus, YoungPerson
from dashboard.models.snapshots import IndicatorValue, ScopeKind, Snapshot, SnapshotStatus
from dashboard.periods import Period, periods_between

logger = logging.getLogger(__name__)

# pg_advisory_lock key of the recompute ("CNML" "IND" in ASCII).
ADVISORY_LOCK_KEY = 0x434E4D4C494E44
# Connections computing at once on PostgreSQL (see _run_jobs): the contacts take about as long
# as all the other queries together, so two lanes use two cores; more would wait on the contacts.
RECOMPUTE_LANES = 2
INTERRUPTED = "Calcul interrompu avant la fin (processus arrêté) : aucun chiffre n'a été enregistré."


class RecomputeError(Exception):
    """A recompute that cannot start; the message is French."""


# --- Entry point ---------------------------------------------------------------------------


def snapshot_recompute(*, extract_import_id: int | None = None) -> Snapshot:
    """Compute every indicator into a new snapshot and make it the latest computed one.

    ``extract_import_id``: the import whose facts are computed (the latest
    successful one by default). If a later import has succeeded since, its
    facts are the ones in place and the snapshot is attributed to it.
    Raises :class:`RecomputeError` (nothing to compute) or the database error;
    either way the snapshot is marked failed and the previous figures stay.
    """
    # Other connections only see committed data: inside an outer transaction (tests), one lane.
    lanes = 1 if connection.in_atomic_block else RECOMPUTE_LANES
    with _recompute_lock() as exclusive:
        _mark_interrupted(exclusive=exclusive)
        snapshot = Snapshot.objects.create(status=SnapshotStatus.COMPUTING)
        started = time.monotonic()
        try:
            with transaction.atomic():
                _freeze_facts()
                extract_import, periods, rows = _compute_into(snapshot, extract_import_id, lanes=lanes)
        except BaseException as exc:
            logger.exception("Recompute %s failed", snapshot.pk)
            message = str(exc) if isinstance(exc, RecomputeError) else f"{type(exc).__name__} : {exc}"
            try:
                Snapshot.objects.filter(pk=snapshot.pk).update(
                    status=SnapshotStatus.FAILED, failed_at=timezone.now(), error=message[:2000]
                )
            except Exception:  # the database is gone: the next recompute marks it interrupted
                logger.warning("Could not mark recompute %s failed", snapshot.pk, exc_info=True)
            raise
        _report_quality(extract_import.pk, periods, rows)
    snapshot.refresh_from_db()
    logger.info(
        "Recompute %s: %s values, %s periods, %.1f s",
        snapshot.pk,
        snapshot.value_count,
        len(snapshot.periods),
        time.monotonic() - started,
    )
    return snapshot


@contextmanager
def _recompute_lock() -> Iterator[bool]:
    """Serialise recomputes (PostgreSQL session advisory lock); yields True when exclusive.

    The lock is the session's: it is released at the end, or by the server when
    the process dies. SQLite serialises writers itself; there, yields False.
    """
    if connection.vendor != "postgresql":
        yield False
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s)", [ADVISORY_LOCK_KEY])
    try:
        yield True
    finally:
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [ADVISORY_LOCK_KEY])
        except Exception:  # the connection is gone: so is its lock
            logger.warning("Could not release the recompute lock", exc_info=True)


def _fact_tables() -> list[str]:
    models = {YoungPerson}
    for indicator in registry.counts():
        models.add(indicator.computation.model)
    return sorted(model._meta.db_table for model in models)


def _freeze_facts() -> None:
    """PostgreSQL: make the transaction's reads consistent and give the aggregates room.

    A SHARE lock on the fact tables lets other readers in
    but holds back an import's swap until the recompute commits: every query of
    the recompute sees the same facts. (REPEATABLE READ would do it too, but
    fails with a serialisation error when an import record it references
    changes meanwhile.) JIT compilation costs seconds per query here.

    No parallel workers: on the aggregates by young person, the planner's
    parallel plans have every worker build the whole per-person hash (the
    aggregate sits under a parallel hash join's inner side), so the work is
    done three times on two cores (12 s instead of 5.5 s for the contacts at
    national scale). The cores are used by running queries side by side
    instead (:func:`_run_jobs`).
    """
    if connection.vendor != "postgresql":
        return
    tables = ", ".join(connection.ops.quote_name(table) for table in _fact_tables())
    with connection.cursor() as cursor:
        cursor.execute(f"LOCK TABLE {tables} IN SHARE MODE")
        _query_settings(cursor)


def _lock_facts_or_give_up(cursor) -> bool:
    """Another lane: lock the fact tables now, or leave the work to the first connection.

    An import's swap waiting for its exclusive lock (behind this recompute's
    SHARE lock) queues every later lock request on those tables behind it: a
    lane asking for a table then would wait for the import, which waits for
    the recompute, which waits for the lane — a deadlock the server cannot
    see. So the lane takes its locks at once, and if it cannot within a
    second, it does nothing (the first connection runs every query).
    """
    tables = ", ".join(connection.ops.quote_name(table) for table in _fact_tables())
    try:
        with transaction.atomic():
            cursor.execute("SET LOCAL lock_timeout = '1s'")
            cursor.execute(f"LOCK TABLE {tables} IN ACCESS SHARE MODE")
    except OperationalError:  # lock_timeout: an import is waiting to swap
        logger.info("Recompute lane gives up: the fact tables are awaited by an import")
        return False
    cursor.execute("SET LOCAL lock_timeout = 0")
    return True


def _query_settings(cursor) -> None:
    """PostgreSQL, for the transaction: memory for the aggregates, no JIT, no parallel workers."""
    cursor.execute("SET LOCAL work_mem = '128MB'")
    cursor.execute("SET LOCAL jit = off")
    cursor.execute("SET LOCAL max_parallel_workers_per_gather = 0")


def _mark_interrupted(*, exclusive: bool) -> int:
    """Mark failed the snapshots left "computing" by a process that died.

    Holding the lock, any other "computing" snapshot is dead. Without it
    (SQLite), only those older than the task time limit.
    """
    stale = Snapshot.objects.filter(status=SnapshotStatus.COMPUTING)
    if not exclusive:
        limit = getattr(settings, "CELERY_TASK_TIME_LIMIT", 2 * 60 * 60)
        stale = stale.filter(created_at__lt=timezone.now() - timedelta(seconds=limit))
    return stale.update(status=SnapshotStatus.FAILED, failed_at=timezone.now(), error=INTERRUPTED)


def _resolve_import(extract_import_id: int | None) -> ExtractImport:
    succeeded = ExtractImport.objects.filter(status=ImportStatus.SUCCEEDED)
    latest = succeeded.order_by("-finished_at", "-created_at", "-pk").first()
    if extract_import_id is None:
        if latest is None:
            raise RecomputeError("Aucun import réussi : importez d'abord une extraction de l'entrepôt national.")
        return latest
    extract_import = ExtractImport.objects.filter(pk=extract_import_id).first()
    if extract_import is None:
        raise RecomputeError(f"L'import n° {extract_import_id} n'existe pas.")
    if extract_import.status == ImportStatus.FAILED:
        raise RecomputeError(f"L'import n° {extract_import_id} a échoué : ses données n'ont pas été chargées.")
    if latest is not None and latest.pk != extract_import.pk and latest.created_at > extract_import.created_at:
        # A later import replaced the facts: they are the ones computed.
        return latest
    return extract_import


# --- Computation ---------------------------------------------------------------------------


@dataclass
class Scopes:
    """Structures computed (id -> code, id -> region code) and regions (codes)."""

    structure_code: dict[int, str]
    structure_region: dict[int, str]

    @property
    def regions(self) -> list[str]:
        return sorted(set(self.structure_region.values()))


# indicator code -> (structure id, year) -> cumulative counts for T1..T4
Counts = dict[str, dict[tuple[int, int], list[int]]]


def _compute_into(
    snapshot: Snapshot, extract_import_id: int | None, *, lanes: int = 1
) -> tuple[ExtractImport, list[Period], list[Row]]:
    extract_import = _resolve_import(extract_import_id)
    if (extract_import.row_counts or {}).get("jeunes.csv") and not YoungPerson.objects.exists():
        # Facts gone while the import record says they were loaded (a restored or emptied
        # database): computing zeros would be wrong, the extract must be imported again.
        raise RecomputeError(
            f"Les données de l'import n° {extract_import.pk} ne sont plus en base (base restaurée ou vidée) : "
            "relancez l'import de l'extraction."
        )
    periods = snapshot_periods(extract_import.extracted_on, first_contact_on=extract_import.first_contact_on)
    if not periods:
        raise RecomputeError(
            f"Aucune période complète avant la date d'extraction du {extract_import.extracted_on:%d/%m/%Y}."
        )
    timings = {}
    started = time.monotonic()
    counts = compute_counts(periods, extract_import.extracted_on, lanes=lanes)
    timings["counts"] = time.monotonic() - started
    scopes = _scopes(counts)
    values = build_values(periods, counts, scopes)
    timings["build"] = time.monotonic() - started - timings["counts"]
    _store_values(snapshot.pk, values)
    timings["store"] = time.monotonic() - started - timings["counts"] - timings["build"]
    logger.info("Recompute %s timings: %s", snapshot.pk, {k: round(v, 2) for k, v in timings.items()})
    Snapshot.objects.filter(pk=snapshot.pk).update(
        status=SnapshotStatus.COMPUTED,
        computed_at=timezone.now(),
        extract_import=extract_import,
        source_label=extract_import.source_label,
        extracted_on=extract_import.extracted_on,
        data_provisional=extract_import.provisional,
        periods=[period.code for period in periods],
        value_count=len(values),
    )
    return extract_import, periods, values


def snapshot_periods(extracted_on: date, *, first_contact_on: date | None = None) -> list[Period]:
    """The periods of the facts in place: from the first year with a contact to the extraction date.

    ``first_contact_on``: as recorded by the import (else the contacts are scanned for it).
    """
    first_contact = first_contact_on or Contact.objects.aggregate(first=Min("contact_on"))["first"]
    first_year = min(first_contact.year, extracted_on.year) if first_contact else extracted_on.year
    return periods_between(first_year, extracted_on)


def compute_counts(periods: list[Period], extracted_on: date, *, lanes: int = 1) -> Counts:
    """Every count indicator, per structure and year, cumulative for T1..T4.

    ``lanes`` > 1 (PostgreSQL, see :func:`_run_jobs`): the queries run on that
    many connections at once, all reading the same snapshot of the facts.
    """
    years = sorted({period.year for period in periods})
    first_day, last_day = date(years[0], 1, 1), min(extracted_on, date(years[-1], 12, 31))
    # (indicators, sql, params, years): one query each; the largest (contacts, single indicator) first.
    jobs: list[tuple[list[Indicator], str, list, list[int] | None]] = []
    groups: dict[tuple, list[Indicator]] = defaultdict(list)
    for indicator in registry.counts():
        computation = indicator.computation
        if isinstance(computation, EventCount):
            groups[(computation.model, computation.date_field, computation.person_field)].append(indicator)
        elif isinstance(computation, OverlapCount):
            jobs.append(([indicator], *_overlap_sql(computation, years, extracted_on), None))
        else:  # pragma: no cover - the registry checks its declarations
            raise TypeError(f"Unknown computation for {indicator.code}")
    for (model, date_field, person_field), members in groups.items():
        if len(members) == 1 and model is not YoungPerson:
            sql, params = _single_event_sql(model, date_field, person_field, members[0], years, first_day, last_day)
            jobs.insert(0, (members, sql, params, years))
            continue
        sql, params = _event_sql(model, date_field, person_field, members, years, first_day, last_day)
        jobs.append((members, sql, params, None))
    counts: Counts = {}
    for (members, *_), results in zip(jobs, _run_jobs(jobs, lanes), strict=True):
        for indicator, by_key in zip(members, results, strict=True):
            counts[indicator.code] = by_key
    return {indicator.code: counts[indicator.code] for indicator in registry.counts()}


def _run_jobs(jobs: list, lanes: int) -> list[list[dict[tuple[int, int], list[int]]]]:
    """Run the queries, in order; with ``lanes`` > 1, on as many connections at once.

    Each query is one process on the server: on a machine with several cores,
    a second connection works beside the first (the contacts on one, the other
    tables on the other). The other connections import this transaction's
    snapshot (``pg_export_snapshot``): they read exactly the facts it reads,
    which the SHARE lock of :func:`_freeze_facts` keeps in place until it ends.
    Only from a committed state: called inside an outer transaction (tests),
    whose writes other connections cannot see, the caller asks for one lane.
    """
    results: list = [None] * len(jobs)
    pending = list(enumerate(jobs))
    lock = threading.Lock()

    def work() -> None:
        while True:
            with lock:
                if not pending:
                    return
                index, (members, sql, params, years) = pending.pop(0)
            results[index] = _run(sql, params, len(members), years=years)

    if lanes <= 1 or connection.vendor != "postgresql":
        work()
        return results
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
    errors: list[BaseException] = []

    def lane() -> None:
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
                cursor.execute("SET TRANSACTION SNAPSHOT %s", [snapshot])
                _query_settings(cursor)
                if _lock_facts_or_give_up(cursor):
                    work()
        except BaseException as exc:  # raised again in the caller's thread
            errors.append(exc)
            with lock:
                pending.clear()
        finally:
            connection.close()  # this thread's own connection

    threads = [threading.Thread(target=lane, name=f"recompute-lane-{number}") for number in range(1, lanes)]
    for thread in threads:
        thread.start()
    try:
        work()
    finally:
        for thread in threads:
            thread.join()
    if errors:
        raise errors[0]
    return results


def _run(
    sql: str, params: list, indicator_count: int, *, years: list[int] | None = None
) -> list[dict[tuple[int, int], list[int]]]:
    """Query rows -> one dict per indicator: (structure id, year) -> cumulative counts for T1..T4.

    Rows are (structure id, year, then 4 counts per indicator), or with
    ``years`` (structure id, then 4 counts per indicator and year).
    """
    results: list[dict[tuple[int, int], list[int]]] = [{} for _ in range(indicator_count)]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for row in cursor.fetchall():
            counts = [int(value or 0) for value in row[1 if years else 2 :]]
            for index in range(indicator_count):
                if years is None:
                    results[index][(int(row[0]), int(row[1]))] = counts[4 * index : 4 * index + 4]
                    continue
                for position, year in enumerate(years):
                    start = 4 * (index * len(years) + position)
                    results[index][(int(row[0]), year)] = counts[start : start + 4]
    return results


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


def _scopes(counts: Counts) -> Scopes:
    """Every ML and PAIO (with zeros when they have no data) and any structure young people belong to."""
    with_data = {structure_id for by_key in counts.values() for structure_id, _ in by_key}
    structures = Structure.objects.filter(
        Q(kind__in=[StructureKind.ML, StructureKind.PAIO], active=True) | Q(pk__in=with_data)
    ).values_list("pk", "code", "region__code")
    return Scopes(
        structure_code={pk: code for pk, code, _ in structures},
        structure_region={pk: region or "" for pk, _, region in structures},
    )


# One stored value: scope kind, scope code, period, indicator, value, numerator, denominator, rank, rank count.
Row = list


def build_values(periods: list[Period], counts: Counts, scopes: Scopes) -> list[Row]:
    """Every value of the snapshot: structures' counts, their sums by region and nation, then rates."""
    # (scope kind, scope code) -> (indicator, period code) -> count
    table: dict[tuple[str, str], dict[tuple[str, str], int]] = defaultdict(lambda: defaultdict(int))
    national = table[(ScopeKind.NATIONAL.value, "")]
    for indicator in registry.counts():
        by_key = counts[indicator.code]
        for structure_id, code in scopes.structure_code.items():
            figures = table[(ScopeKind.STRUCTURE.value, code)]
            region_code = scopes.structure_region[structure_id]
            region = table[(ScopeKind.REGION.value, region_code)] if region_code else None
            for period in periods:
                cumulative = by_key.get((structure_id, period.year))
                value = cumulative[period.quarter - 1] if cumulative else 0
                key = (indicator.code, period.code)
                figures[key] = value
                if region is not None:
                    region[key] += value
                national[key] += value
    rows: list[Row] = [
        [kind, code, period_code, indicator_code, value, None, None, None, None]
        for (kind, code), figures in table.items()
        for (indicator_code, period_code), value in figures.items()
    ]
    for indicator in registry.rates():
        ratio: Ratio = indicator.computation
        ranked: dict[str, list[Row]] = defaultdict(list)
        for (kind, code), figures in table.items():
            for period in periods:
                numerator = figures[(ratio.numerator, period.code)]
                denominator = figures[(ratio.denominator, period.code)]
                value = registry.rate(numerator, denominator)
                row = [kind, code, period.code, indicator.code, value, numerator, denominator, None, None]
                rows.append(row)
                if kind == ScopeKind.STRUCTURE and value is not None:
                    ranked[period.code].append(row)
        for same_period in ranked.values():
            _rank(same_period, best_first=indicator.up_is_good is not False)
    return rows


VALUE, RANK, RANK_COUNT = 4, 7, 8


def _rank(rows: list[Row], *, best_first: bool) -> None:
    """Competition ranking (1, 2, 2, 4): rank 1 is the best value."""
    ordered = sorted(rows, key=lambda row: row[VALUE], reverse=best_first)
    previous, rank = None, 0
    for position, row in enumerate(ordered, start=1):
        if row[VALUE] != previous:
            rank, previous = position, row[VALUE]
        row[RANK], row[RANK_COUNT] = rank, len(ordered)


COLUMNS = ("scope_kind", "scope_code", "period", "indicator", "value", "numerator", "denominator", "rank", "rank_count")


def _store_values(snapshot_id: int, rows: list[Row]) -> None:
    """Insert the values in bulk: COPY on PostgreSQL, a batched INSERT elsewhere."""
    table = connection.ops.quote_name(IndicatorValue._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(IndicatorValue._meta.get_field(name).column) for name in COLUMNS)
    snapshot_column = connection.ops.quote_name(IndicatorValue._meta.get_field("snapshot").column)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({snapshot_column}, {columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row((snapshot_id, *row))
            # Fresh statistics for the new snapshot's values: without them the planner takes the
            # pages' reads for one row and filters the whole snapshot (170 ms instead of 0,5 ms).
            cursor.execute(f"ANALYZE {table}")
            return
        placeholders = ", ".join(["%s"] * (len(COLUMNS) + 1))
        sql = f"INSERT INTO {table} ({snapshot_column}, {columns}) VALUES ({placeholders})"
        for start in range(0, len(rows), 10_000):
            cursor.executemany(sql, [(snapshot_id, *row) for row in rows[start : start + 10_000]])


# --- Data-quality checks on the figures ----------------------------------------------------

# Moves are only reported from this many young people (or this denominator) up: below, noise.
QUALITY_MIN_BASE = 20
QUALITY_MAX_ROWS = 500


def _scope_label(kind: str, code: str) -> str:
    if kind == ScopeKind.NATIONAL:
        return "France entière"
    return f"Région {code}" if kind == ScopeKind.REGION else code


def quality_checks(periods: list[Period], rows: list[Row]) -> dict[str, list[dict]]:
    """The checks of the import's data-quality report that need the figures.

    - sub-lines larger than their parent line (any scope, any period);
    - indicators moving more than 50 % from the quarter before, for the latest
      period: a rate against the previous period's rate (cumulative rates are
      comparable); a count by its quarterly flow (young people counted for the
      first time of the year in the quarter: T(q) - T(q-1)) against the flow of
      the quarter before, from T3 on (T1 holds the whole start of the year, so
      the first flow to compare is T2's).
      Only from a base of :data:`QUALITY_MIN_BASE` up, at most
      :data:`QUALITY_MAX_ROWS` rows, largest first.
    """
    values = {(row[0], row[1], row[2], row[3]): row[VALUE] for row in rows}
    sub_lines = []
    for indicator in registry.INDICATORS:
        if indicator.parent is None:
            continue
        parent = registry.get(indicator.parent)
        for (kind, code, period, indicator_code), value in values.items():
            if indicator_code != indicator.code:
                continue
            parent_value = values.get((kind, code, period, parent.code))
            if value is not None and parent_value is not None and value > parent_value:
                sub_lines.append(
                    {
                        "Périmètre": _scope_label(kind, code),
                        "Période": period,
                        "Indicateur": indicator.label,
                        "Valeur": value,
                        "Ligne principale": parent.label,
                        "Valeur de la ligne principale": parent_value,
                    }
                )
    return {"sub_lines": sub_lines[:QUALITY_MAX_ROWS], "moves": _large_moves(periods, values)}


def _large_moves(periods: list[Period], values: dict[tuple[str, str, str, str], float | None]) -> list[dict]:
    latest = periods[-1]
    codes = {period.code for period in periods}
    before = Period(latest.year - 1, 4) if latest.quarter == 1 else Period(latest.year, latest.quarter - 1)
    scopes = sorted({(kind, code) for kind, code, _, _ in values})
    found: list[tuple[float, dict]] = []
    for indicator in registry.INDICATORS:
        for kind, code in scopes:

            def value(period: Period, indicator_code: str = indicator.code, kind: str = kind, code: str = code):
                return values.get((kind, code, period.code, indicator_code))

            if indicator.is_rate:
                if before.code not in codes:
                    continue
                current, previous = value(latest), value(before)
                base = value(before, indicator.computation.denominator) or 0
            else:
                if latest.quarter < 3:
                    continue  # a T2 flow would be compared with T1, which holds the whole start of the year
                cumulative = [value(Period(latest.year, quarter)) or 0 for quarter in range(1, latest.quarter + 1)]
                current, previous = cumulative[-1] - cumulative[-2], cumulative[-2] - cumulative[-3]
                base = previous
            if current is None or not previous or base < QUALITY_MIN_BASE:
                continue
            change = (current - previous) / previous * 100
            if abs(change) <= 50:
                continue
            found.append(
                (
                    abs(change),
                    {
                        "Périmètre": _scope_label(kind, code),
                        "Période": latest.code,
                        "Indicateur": indicator.label + ("" if indicator.is_rate else " (flux du trimestre)"),
                        "Trimestre précédent": round(previous, 1),
                        "Ce trimestre": round(current, 1),
                        "Variation": f"{change:+.1f} %".replace(".", ","),
                    },
                )
            )
    found.sort(key=lambda pair: -pair[0])
    return [row for _, row in found[:QUALITY_MAX_ROWS]]


def _report_quality(extract_import_id: int, periods: list[Period], rows: list[Row]) -> None:
    """Write the checks into the import's data-quality report; never fails the recompute."""
    try:
        from dashboard import services

        checks = quality_checks(periods, rows)
        services.extract_import_add_quality_section(
            extract_import_id=extract_import_id,
            key=services.QUALITY_SUB_LINES,
            label="Sous-lignes supérieures à leur ligne principale",
            rows=checks["sub_lines"],
        )
        services.extract_import_add_quality_section(
            extract_import_id=extract_import_id,
            key=services.QUALITY_LARGE_MOVES,
            label="Indicateurs variant de plus de 50 % par rapport au trimestre précédent",
            rows=checks["moves"],
        )
    except Exception:
        logger.exception("Data-quality checks of import %s failed", extract_import_id)
