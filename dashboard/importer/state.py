"""What every phase of an import shares: its errors, its files' state, its outcome, its clock.

:class:`ImportState` declares what an :class:`~dashboard.importer.core.ExtractImporter`
holds while it runs; each phase (:mod:`~dashboard.importer.stage`,
:mod:`~dashboard.importer.check`, :mod:`~dashboard.importer.write`,
:mod:`~dashboard.importer.swap`, :mod:`~dashboard.importer.report`) is a mixin on
top of it, so that a phase reads the state the others leave.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import BinaryIO

from cnml.csvfiles import CsvError
from dashboard.importer import spec as specs
from dashboard.importer.staging import Staging

# Errors kept with their file, line, column and value; every one is counted. The page lists the
# first ones and the import's error CSV hands out all those kept: 10 000 rows, about 1 MB of
# JSON in the record, enough to fix a file's systematic errors, small enough to store and read.
MAX_ERRORS = 10_000
PROGRESS_EVERY = 50_000


class ImportFailed(Exception):
    """Raised inside the swap transaction to roll it back."""


@dataclass
class ErrorCollector:
    """Every error counted; the first ``limit`` (by file, then line) kept."""

    limit: int = MAX_ERRORS
    total: int = 0
    by_reason: Counter = field(default_factory=Counter)
    by_file: Counter = field(default_factory=Counter)
    samples: list[CsvError] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def add(self, error: CsvError) -> None:
        self.add_counted(error.file, error.reason or "structures", 1, [error])

    def add_counted(self, file: str, reason: str, count: int, samples: list[CsvError]) -> None:
        if not count:
            return
        with self._lock:  # files may be staged by two threads
            self._add_counted(file, reason, count, samples)

    def _add_counted(self, file: str, reason: str, count: int, samples: list[CsvError]) -> None:
        self.total += count
        self.by_reason[reason] += count
        self.by_file[file] += count
        self.samples.extend(samples)
        if len(self.samples) > 4 * self.limit:
            self.samples = self.first()

    def first(self) -> list[CsvError]:
        order = {name: index for index, name in enumerate(specs.ALL_FILES)}
        return sorted(self.samples, key=lambda e: (order.get(e.file, -1), e.line or 0, e.column or ""))[: self.limit]

    def __bool__(self) -> bool:
        return self.total > 0


@dataclass
class ImportOutcome:
    succeeded: bool
    row_counts: dict[str, int]
    error_count: int
    quality_report: dict
    # The first errors as [file, line, column, value, message] (ExtractImport.error_details).
    error_details: list[list]
    extracted_on: date | None
    first_contact_on: date | None = None
    # Whether jeunes.csv had the optional ``niveau_certification`` column (None: not read).
    has_certification: bool | None = None
    # Seconds spent in each phase (staging, checks, swap), for logs and benchmarks.
    timings: dict[str, float] = field(default_factory=dict)


@dataclass
class FileState:
    spec: specs.FileSpec
    columns: dict[str, str] = field(default_factory=dict)  # CSV column -> staged column
    rows: int = 0
    complete: bool = False  # read to the end, whatever its rows' errors

    @property
    def usable(self) -> bool:
        return self.complete and self.rows > 0


ProgressCallback = Callable[[dict[str, int], str], None]


class ImportState:
    """The state of one import, set by :meth:`ExtractImporter.__init__`; what the phases share."""

    import_id: int
    source: Path | str | BinaryIO
    label: str | None
    extracted_on: date | None
    progress: ProgressCallback
    progress_every: int
    errors: ErrorCollector
    row_counts: dict[str, int]  # file name -> rows read
    states: dict[str, FileState]  # file key -> what its staging left
    structure_rows: list[dict[str, str]]
    suspicious: list[dict]
    young_per_structure: Counter
    last_contact: str | None
    # The first contact of the extract, kept with the import: the recompute's first year.
    first_contact_on: date | None
    # PostgreSQL: rows written into each new child fact table, by (model, lines written);
    # the tables completed; whether rows were refused on the way in (the detailed checks then say which).
    _kept: dict[tuple, int]
    _finished: set
    _refused: bool
    structures_known: bool
    timings: dict[str, float]
    _clock: float
    staging: Staging
    # PostgreSQL: checks folded into the writes, new fact tables swapped in (dashboard.importer.swap).
    folds_checks: bool
    # Work on two connections at once (dashboard.importer.lanes), PostgreSQL only.
    lanes: bool

    def _report_progress(self, step: str) -> None:
        self.progress(dict(self.row_counts), step)

    def _lap(self, phase: str) -> None:
        """Add the seconds since the last lap to ``phase``'s timing."""
        now = time.perf_counter()
        self.timings[phase] = self.timings.get(phase, 0.0) + now - self._clock
        self._clock = now

    # SQL over a staged file: ``{column}`` stands for the staged column of a CSV column.

    def _sql(self, state: FileState, template: str) -> str:
        return template.format_map(state.columns)

    def _from(self, state: FileState) -> str:
        joins = " ".join(state.spec.joins(self.staging.tables))
        return self._sql(state, f"FROM {self.staging.tables[state.spec.key]} s {joins}")
