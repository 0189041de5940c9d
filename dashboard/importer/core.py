"""Import an extract: stage, check, write, swap, report — all or nothing.

:class:`ExtractImporter` runs the phases, each a module of its own:

1. **Stage** (:mod:`~dashboard.importer.stage`): structures.csv read and checked in
   Python, each data file streamed into its staging table, progress saved as it goes.
2. **Check** (:mod:`~dashboard.importer.check`), set-based: every row-level rule
   counted in one scan per staging table, the identities of the young people only
   when the swap lost rows or the import is already doomed.
3. **Write** (:mod:`~dashboard.importer.write`, PostgreSQL): the child facts written
   into new tables by the two staging connections (:mod:`~dashboard.importer.lanes`),
   the checks folded into these writes; their details only when a file lost rows.
4. **Swap** (:mod:`~dashboard.importer.swap`), in one transaction: structures
   upserted, the four fact tables replaced, the import record marked successful.
   Any error rolls it all back: a failed import changes nothing.
5. **Report** (:mod:`~dashboard.importer.report`): the outcome, every error counted,
   the first ``max_errors`` kept as French sentences naming file, line and column,
   and the data-quality report.

What the phases share (errors, files' state, timings) is :class:`~dashboard.importer.state.ImportState`.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import BinaryIO

from django.db import connection

from dashboard.importer.check import CheckPhase
from dashboard.importer.report import ReportPhase
from dashboard.importer.sources import ExtractError, open_extract
from dashboard.importer.stage import StagePhase
from dashboard.importer.staging import Staging
from dashboard.importer.state import (
    MAX_ERRORS,
    PROGRESS_EVERY,
    ErrorCollector,
    ImportOutcome,
    ProgressCallback,
)
from dashboard.importer.swap import SwapPhase
from dashboard.importer.write import WritePhase

__all__ = ["MAX_ERRORS", "ExtractImporter", "ImportOutcome"]

logger = logging.getLogger(__name__)


class ExtractImporter(StagePhase, CheckPhase, WritePhase, SwapPhase, ReportPhase):
    """Import one extract for one :class:`~dashboard.models.ExtractImport` record (by id)."""

    def __init__(
        self,
        *,
        import_id: int,
        source: Path | str | BinaryIO,
        label: str | None = None,
        extracted_on: date | None = None,
        progress: ProgressCallback | None = None,
        max_errors: int = MAX_ERRORS,
        progress_every: int = PROGRESS_EVERY,
    ):
        self.import_id = import_id
        self.source = source
        self.label = label
        self.extracted_on = extracted_on
        self.progress = progress or (lambda counts, step: None)
        self.progress_every = progress_every
        self.errors = ErrorCollector(limit=max_errors)
        self.row_counts = {}
        self.states = {}
        self.structure_rows = []
        self.suspicious = []
        self.young_per_structure = Counter()
        self.last_contact = None
        self.first_contact_on = None
        self._kept = {}
        self._finished = set()
        self._refused = False
        self.structures_known = False
        self.timings = {}
        self._clock = time.perf_counter()
        self.staging = Staging.for_connection(import_id)
        self.folds_checks = connection.vendor == "postgresql"
        # Not inside an outer transaction (tests): the other connection could not see its tables.
        self.lanes = connection.vendor == "postgresql" and not connection.in_atomic_block

    def run(self, on_success: Callable[[ImportOutcome], None] | None = None) -> ImportOutcome:
        """Import; ``on_success`` runs inside the swap transaction (to record the outcome with it)."""
        try:
            extract = open_extract(self.source, self.label)
        except ExtractError as exc:
            for error in exc.errors:
                self.errors.add(error)
            return self._outcome(False)
        try:
            with extract:
                self.staging.setup()
                self._stage_structures(extract)
                self._stage_files(extract)
            self._lap("staging (PostgreSQL: and the fact tables the lanes wrote)" if self.lanes else "staging")
            if self.folds_checks and not self.errors:
                # The checks run inside the swap, on the way into the fact tables (see
                # dashboard.importer.write); their details only if rows were refused.
                return self._logged(self._swap(on_success))
            self._check_rows()
            self._lap("checks")
            if self.errors:
                self._check_identities()
                self._lap("identity checks")
                return self._outcome(False)
            return self._logged(self._swap(on_success))
        finally:
            try:
                self.staging.drop()
            except Exception:  # never hide the import's own outcome or error
                logger.exception("Tables de transit de l'import %s non supprimées", self.import_id)

    def _logged(self, outcome: ImportOutcome) -> ImportOutcome:
        """A committed import's timings in the log (read by bench/dashboard.py)."""
        if outcome.succeeded:
            logger.info("Import %s : %s", self.import_id, ", ".join(f"{k} {v:.2f} s" for k, v in self.timings.items()))
        return outcome
