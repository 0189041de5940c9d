"""The facts held still while the recompute reads them, and its queries run on several connections.

On PostgreSQL the recompute's transaction holds a SHARE lock on the fact tables (an
import's swap waits for it to commit) and runs its queries on :data:`RECOMPUTE_LANES`
connections at once, all reading the same snapshot of the facts (:func:`_run_jobs`).
"""

from __future__ import annotations

import logging
import threading

from django.db import OperationalError, connection, transaction

from dashboard import indicators as registry
from dashboard.indicators import Eligibility
from dashboard.models import Enrolment, YoungPerson

logger = logging.getLogger(__name__)

# Connections computing at once on PostgreSQL (see _run_jobs): the contacts take about as long
# as all the other queries together, so two lanes use two cores; more would wait on the contacts.
RECOMPUTE_LANES = 2


def _fact_tables() -> list[str]:
    models = {YoungPerson}
    for indicator in registry.counts():
        computation = indicator.computation
        models.update((YoungPerson, Enrolment) if isinstance(computation, Eligibility) else (computation.model,))
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
