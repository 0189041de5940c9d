"""Work on two connections at once (PostgreSQL), and the transaction of queries over whole tables.

A query is one process on the server: the import stages and writes on two
connections ("lanes") so that two cores work. Each lane times its own steps
(:class:`LaneClock`).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from contextlib import contextmanager

from django.db import connection, transaction


class LaneClock:
    """Seconds spent in each step of a lane, into ``timings`` under ``"<lane>: <step>"``."""

    def __init__(self, timings: dict[str, float], lane: str):
        self.timings, self.lane, self.started = timings, lane, time.perf_counter()

    def lap(self, step: str) -> None:
        now = time.perf_counter()
        self.timings[f"{self.lane}: {step}"] = now - self.started
        self.started = now


def side_by_side(tasks: list[Callable[[], object]], *, in_turn: bool = False) -> None:
    """Run ``tasks`` at once, each on its own connection (the first in this thread); or in turn.

    A query is one process on the server: two connections use two cores. The
    other threads' connections are closed at the end; their first error is
    raised here once every task is over. ``in_turn`` (and on SQLite): one after
    the other, on this connection.
    """
    if in_turn or connection.vendor != "postgresql":
        for task in tasks:
            task()
        return
    errors: list[BaseException] = []

    def aside(task: Callable[[], object]) -> None:
        try:
            task()
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()  # this thread's own connection

    threads = [threading.Thread(target=aside, args=(task,)) for task in tasks[1:]]
    for thread in threads:
        thread.start()
    try:
        tasks[0]()
    finally:
        for thread in threads:
            thread.join()
    if errors:
        raise errors[0]


@contextmanager
def bulk_queries():
    """A transaction for queries over whole tables.

    On PostgreSQL, hash joins only: the staging tables have no statistics (an
    ANALYZE of each would cost more than it saves) and neither a nested loop
    nor a merge join (sorting millions of rows) is the right plan here; and
    memory for the hashes.
    """
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL enable_nestloop = off")
                cursor.execute("SET LOCAL enable_mergejoin = off")
                cursor.execute("SET LOCAL work_mem = '64MB'")
        yield
