"""Recompute every indicator of the registry into a new snapshot.

:func:`snapshot_recompute` computes, for every period of the extract (see
:mod:`dashboard.periods`), every indicator of :mod:`dashboard.indicators` for
every structure (young people are attributed to the ML/PAIO of jeunes.csv),
every region and the nation, with exact distinct counts.

How, at national scale (1.4 million young people, ~10 million contacts), in a
few set-based queries that work on SQLite and PostgreSQL, each step a module:

1. the counts of every count indicator, per structure and year, cumulative for
   T1..T4 (:mod:`~dashboard.recompute.queries`). A young person has an event in
   "year Y up to the end of Tq" if and only if their earliest event of Y is on
   or before the end of Tq: the cumulative counts are exact distinct counts, not
   sums of quarters. On PostgreSQL the queries run on two connections reading
   the same facts (:mod:`~dashboard.recompute.lanes`);
2. the values of every scope and period: regions and the nation are sums of
   their structures, rates are recomputed from the sums and ranked, then stored
   in bulk (:mod:`~dashboard.recompute.values`);
3. the checks of the import's data-quality report that need the figures
   (:mod:`~dashboard.recompute.quality`).

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
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Min
from django.utils import timezone

from dashboard import indicators as registry
from dashboard.models import Contact, ExtractImport, ImportStatus, YoungPerson
from dashboard.models.snapshots import Snapshot, SnapshotStatus
from dashboard.periods import Period, periods_between
from dashboard.recompute.lanes import RECOMPUTE_LANES, _freeze_facts, _run_jobs
from dashboard.recompute.lanes import _lock_facts_or_give_up as _lock_facts_or_give_up  # re-exported
from dashboard.recompute.peers import peer_groups, peer_rows
from dashboard.recompute.quality import _report_quality
from dashboard.recompute.queries import Counts, _count_jobs
from dashboard.recompute.values import Row, _scopes, _store_values, build_values

logger = logging.getLogger(__name__)

# pg_advisory_lock key of the recompute ("CNML" "IND" in ASCII).
ADVISORY_LOCK_KEY = 0x434E4D4C494E44
INTERRUPTED = "Calcul interrompu avant la fin (processus arrêté) : aucun chiffre n'a été enregistré."


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
            message = str(exc) if isinstance(exc, RecomputeError) else f"{type(exc).__name__} : {exc}"
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
            raise RecomputeError("Aucun import réussi : importez d'abord une extraction de l'entrepôt national.")
        return latest
    extract_import = ExtractImport.objects.filter(pk=extract_import_id).first()
    if extract_import is None:
        raise RecomputeError(f"L'import n° {extract_import_id} n'existe pas.")
    if extract_import.status == ImportStatus.FAILED:
        raise RecomputeError(f"L'import n° {extract_import_id} a échoué : ses données n'ont pas été chargées.")
    if latest is not None and latest.pk != extract_import.pk and latest.created_at > extract_import.created_at:
        # A later import replaced the facts: they are the ones computed.
        return latest
    return extract_import


def _compute_into(
    snapshot: Snapshot, extract_import_id: int | None, *, lanes: int = 1
) -> tuple[ExtractImport, list[Period], list[Row]]:
    extract_import = _resolve_import(extract_import_id)
    if (extract_import.row_counts or {}).get("jeunes.csv") and not YoungPerson.objects.exists():
        # Facts gone while the import record says they were loaded (a restored or emptied
        # database): computing zeros would be wrong, the extract must be imported again.
        raise RecomputeError(
            f"Les données de l'import n° {extract_import.pk} ne sont plus en base (base restaurée ou vidée) : "
            "relancez l'import de l'extraction."
        )
    periods = snapshot_periods(extract_import.extracted_on, first_contact_on=extract_import.first_contact_on)
    if not periods:
        raise RecomputeError(
            f"Aucune période complète avant la date d'extraction du {extract_import.extracted_on:%d/%m/%Y}."
        )
    unavailable = unavailable_indicators(extract_import)
    timings = {}
    started = time.monotonic()
    counts = compute_counts(periods, extract_import.extracted_on, lanes=lanes, skip=unavailable)
    timings["counts"] = time.monotonic() - started
    scopes = _scopes(counts)
    values = build_values(periods, counts, scopes, skip=unavailable)
    timings["build"] = time.monotonic() - started - timings["counts"]
    groups = peer_groups(periods, values)
    references = peer_rows(periods, values, groups)
    _store_values(snapshot.pk, values + references)
    timings["store"] = time.monotonic() - started - timings["counts"] - timings["build"]
    logger.info("Recompute %s timings: %s", snapshot.pk, {k: round(v, 2) for k, v in timings.items()})
    Snapshot.objects.filter(pk=snapshot.pk).update(
        status=SnapshotStatus.COMPUTED,
        computed_at=timezone.now(),
        extract_import=extract_import,
        source_label=extract_import.source_label,
        extracted_on=extract_import.extracted_on,
        data_provisional=extract_import.provisional,
        data_demo=extract_import.demo,
        peer_groups=groups,
        periods=[period.code for period in periods],
        value_count=len(values) + len(references),
        indicators=[indicator.code for indicator in registry.INDICATORS],
        unavailable=list(unavailable),
    )
    return extract_import, periods, values


def unavailable_indicators(extract_import: ExtractImport) -> list[str]:
    """The indicators the import's extract cannot give: it lacked an optional column they need.

    ``has_certification`` is None for an import made before the column existed: its facts
    have no certification either.
    """
    missing = set() if extract_import.has_certification else {registry.CERTIFICATION_COLUMN}
    return registry.unavailable_codes(missing)


def snapshot_periods(extracted_on: date, *, first_contact_on: date | None = None) -> list[Period]:
    """The periods of the facts in place: from the first year with a contact to the extraction date.

    ``first_contact_on``: as recorded by the import (else the contacts are scanned for it).
    """
    first_contact = first_contact_on or Contact.objects.aggregate(first=Min("contact_on"))["first"]
    first_year = min(first_contact.year, extracted_on.year) if first_contact else extracted_on.year
    return periods_between(first_year, extracted_on)


def compute_counts(
    periods: list[Period], extracted_on: date, *, lanes: int = 1, skip: list[str] | tuple[str, ...] = ()
) -> Counts:
    """Every count indicator (but those in ``skip``, not available), per structure and year, cumulative for T1..T4.

    ``lanes`` > 1 (PostgreSQL, see :func:`~dashboard.recompute.lanes._run_jobs`): the
    queries run on that many connections at once, all reading the same snapshot of the facts.
    """
    jobs = _count_jobs(periods, extracted_on, skip=frozenset(skip))
    counts: Counts = {}
    for (members, *_), results in zip(jobs, _run_jobs(jobs, lanes), strict=True):
        for indicator, by_key in zip(members, results, strict=True):
            counts[indicator.code] = by_key
    return {indicator.code: counts[indicator.code] for indicator in registry.counts() if indicator.code not in skip}
