"""Import an extract: stage, check, swap — all or nothing.

1. **Stage.** structures.csv is small: it is read and checked in Python
   (:func:`cnml.services.structures_validate_rows`). Each data file is streamed
   into its staging table (:mod:`dashboard.importer.staging`), progress saved
   every ``progress_every`` rows (committed at once, outside any transaction, so
   the admin can follow it).
2. **Check**, set-based: one scan per staging table counts every row-level rule
   of :mod:`dashboard.importer.spec` and the suspicious rows; only failing rules
   fetch their first offending lines. Duplicate ``id_jeune`` and references to
   unknown young people are looked for when the swap finds them (a unique
   index, an inner join that loses rows) or when other errors already doomed
   the import — so a valid national extract is not joined twice.
   On PostgreSQL the checks are folded into the writes of step 3: each file's
   ``INSERT … SELECT`` keeps only the rows no check refuses, and the detailed
   checks above run only when a file lost rows (then the import fails).
3. **Swap**, in one transaction: structures upserted, the four fact tables
   replaced from staging (joined to the integer ids of structures and young
   people), the import record marked successful. Any error rolls it all back:
   a failed import changes nothing. SQLite empties and refills the tables;
   PostgreSQL builds new tables and renames them in (see
   ``_replace_facts_postgresql`` and the comment above it).

Errors are collected without stopping at the first: every one is counted (by
file and by reason), the first ``max_errors`` (by file, then line) are kept as
French sentences naming file, line and column.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import BinaryIO

from django.db import DataError, IntegrityError, connection, transaction

from cnml.csvfiles import CsvError, CsvFileError, missing_column_errors
from cnml.models import Structure, StructureKind
from cnml.services import structures_upsert_rows, structures_validate_rows
from dashboard.importer import spec as specs
from dashboard.importer.sources import ChunkReader, ExtractError, ExtractSource, open_extract
from dashboard.importer.staging import Staging
from dashboard.models import Contact, Enrolment, Situation, YoungPerson

logger = logging.getLogger(__name__)

# Errors kept with their file, line, column and value; every one is counted.
MAX_ERRORS = 1000
PROGRESS_EVERY = 50_000
# Share of the contacts written by the connection that staged them, which starts on them while
# the other one builds the situations and enrolments (see ExtractImporter._stage_files).
CONTACTS_STAGING_LANE_SHARE = 0.64
# Serialises the swaps of concurrent imports on PostgreSQL (pg_advisory_xact_lock).
SWAP_LOCK_KEY = 7_310_201_101


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
    errors: list[str]
    quality_report: dict
    extracted_on: date | None
    first_contact_on: date | None = None
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


class ExtractImporter:
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
        self.row_counts: dict[str, int] = {}
        self.states: dict[str, FileState] = {}
        self.structure_rows: list[dict[str, str]] = []
        self.suspicious: list[dict] = []
        self.young_per_structure: Counter = Counter()
        self.last_contact: str | None = None
        # The first contact of the extract, kept with the import: the recompute's first year.
        self.first_contact_on: date | None = None
        # PostgreSQL: rows written into each new child fact table, by (model, lines written);
        # whether rows were refused on the way in (the detailed checks then say which).
        self._kept: dict[tuple, int] = {}
        self._finished: set = set()
        self._refused = False
        self.structures_known = False
        self.timings: dict[str, float] = {}
        self._clock = time.perf_counter()
        self.staging = Staging.for_connection(import_id)
        # PostgreSQL: checks folded into the swap, new fact tables swapped in (see _replace_facts_postgresql).
        self.folds_checks = connection.vendor == "postgresql"
        # Work on two connections at once (see _side_by_side), PostgreSQL only. Not inside an
        # outer transaction (tests): the other connection could not see its tables.
        self.lanes = connection.vendor == "postgresql" and not connection.in_atomic_block

    # --- entry point -------------------------------------------------------------------------

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
                # _replace_facts_postgresql); their details only if rows were refused.
                return self._swap(on_success)
            self._check_rows()
            self._lap("checks")
            if self.errors:
                self._check_identities()
                self._lap("identity checks")
                return self._outcome(False)
            return self._swap(on_success)
        finally:
            try:
                self.staging.drop()
            except Exception:  # never hide the import's own outcome or error
                logger.exception("Tables de transit de l'import %s non supprimées", self.import_id)

    def _lap(self, phase: str) -> None:
        now = time.perf_counter()
        self.timings[phase] = self.timings.get(phase, 0.0) + now - self._clock
        self._clock = now

    # --- 1. stage ----------------------------------------------------------------------------

    def _report_progress(self, step: str) -> None:
        self.progress(dict(self.row_counts), step)

    def _stage_structures(self, extract: ExtractSource) -> None:
        self._report_progress(f"Lecture de {specs.STRUCTURES}")
        rows, errors = structures_validate_rows(extract.member(specs.STRUCTURES))
        if errors and errors[0].reason == "missing_file":
            errors = [extract.missing_error(specs.STRUCTURES)]
        for error in errors:
            self.errors.add(error)
        self.structure_rows = [] if errors else rows
        self.row_counts[specs.STRUCTURES] = len(rows)
        seen = {}
        for row in rows:
            seen.setdefault(row["code_structure"], (row["code_structure"], row["type"], row["code_parent"] or None))
        self.staging.load_structures(list(seen.values()))
        self.structures_known = bool(rows)

    def _stage_files(self, extract: ExtractSource) -> None:
        """Stage the data files; on PostgreSQL, on two connections, and the facts start meanwhile.

        Each ``COPY`` is one process on the server: the largest file (contacts,
        about two thirds of an extract) is staged on one connection, the three
        others on the other, on two cores. Staging tables are written by
        transactions of their own, so the connections share nothing but the
        extract (a zip's members can be read at once).

        Then each connection goes on with the child fact tables (see the comment
        above :data:`CHILD_FACTS`) as soon as what they need is staged, while
        the extract is valid so far: the second builds the situations and
        enrolments while the first is still staging the contacts; then each
        writes its share of the contacts (:data:`CONTACTS_STAGING_LANE_SHARE`
        for the first, which starts on them earlier). What is not written here
        (one connection, or an error) is left to :meth:`_build_child_facts`.
        """
        # jeunes.csv first (DATA_FILES' reading order): the other lane waits for it.
        others = [spec for spec in specs.DATA_FILES if spec is not specs.CONTACTS]
        early = self.folds_checks and self.lanes
        if self.folds_checks:
            with bulk_queries(), connection.cursor() as cursor:
                for model, _ in self.CHILD_FACTS:
                    self._create_new_table(cursor, model)
        young_staged, contacts_staged = threading.Event(), threading.Event()

        def others_lane() -> None:
            clock = _Clock(self.timings, "lane 1")
            try:
                self._stage_file(extract, others[0])
            finally:
                young_staged.set()
            for spec in others[1:]:
                self._stage_file(extract, spec)
            clock.lap("young people, situations, enrolments staged")
            if early:
                for model, spec in self.CHILD_FACTS[1:]:
                    self._write_child_facts(model, spec)
                    self._finish_child_table(model, spec)
                clock.lap("situations, enrolments written")
                contacts_staged.wait()
                self._write_child_facts(Contact, specs.CONTACTS, self._contact_lines()[1])
                clock.lap("contacts written")

        def contacts_lane() -> None:
            clock = _Clock(self.timings, "lane 2")
            try:
                self._stage_file(extract, specs.CONTACTS)
            finally:
                contacts_staged.set()
            clock.lap("contacts staged")
            if early:
                young_staged.wait()
                self._write_child_facts(Contact, specs.CONTACTS, self._contact_lines()[0])
                clock.lap("contacts written")

        _side_by_side([others_lane, contacts_lane], in_turn=not self.lanes)

    def _stage_file(self, extract: ExtractSource, spec: specs.FileSpec) -> None:
        state = self.states[spec.key] = FileState(spec)
        self.row_counts[spec.name] = 0
        self._report_progress(f"Lecture de {spec.name}")
        try:
            stream = extract.open(spec.name)
            if stream is None:
                self.errors.add(extract.missing_error(spec.name))
                return
            with stream:
                reader = ChunkReader(spec.name, stream)
                missing = missing_column_errors(spec.name, reader.header, spec.columns)
                if missing:
                    for error in missing:
                        self.errors.add(error)
                    return
                self.staging.create_data_table(spec.key, len(reader.header))
                state.columns = {column: f"s.c{reader.header.index(column)}" for column in spec.columns}
                reported = 0
                for chunk in reader:
                    state.rows += self.staging.load_chunk(spec.key, spec.name, chunk, self.errors.add)
                    self.row_counts[spec.name] = state.rows
                    if state.rows - reported >= self.progress_every:
                        reported = state.rows
                        self._report_progress(f"Lecture de {spec.name}")
        except CsvFileError as exc:
            self.errors.add(exc.error)
            return
        state.complete = True
        is_young = spec is specs.YOUNG_PEOPLE
        self.staging.finish_file(spec.key, state.columns["id_jeune"].removeprefix("s.") if is_young else None)
        if not state.rows:
            if spec.rows_required:
                self.errors.add(CsvError(spec.name, None, None, "fichier vide : aucune ligne de données", "empty_file"))
            else:
                self.suspicious.append(
                    {"code": f"{spec.key}_empty", "label": f"Fichier {spec.name} sans aucune ligne", "count": 1}
                )

    # --- 2. check ----------------------------------------------------------------------------

    def _sql(self, state: FileState, template: str) -> str:
        return template.format_map(state.columns)

    def _from(self, state: FileState) -> str:
        joins = " ".join(state.spec.joins(self.staging.tables))
        return self._sql(state, f"FROM {self.staging.tables[state.spec.key]} s {joins}")

    def _check_rows(self) -> None:
        """Row-level rules of every completely read file, and the suspicious rows."""
        order = [specs.CONTACTS, specs.YOUNG_PEOPLE, specs.SITUATIONS, specs.ENROLMENTS]
        for spec in order:
            state = self.states.get(spec.key)
            if not (state and state.complete and state.rows):
                continue
            self._report_progress(f"Vérification de {spec.name}")
            # Without an extraction date, contacts are checked first: the last one gives it
            # (so that none is "after the extraction date").
            with bulk_queries():
                self._check_file(state, (self.extracted_on or date.max).isoformat())
            if spec is specs.CONTACTS and self.extracted_on is None and self.last_contact:
                self.extracted_on = date.fromisoformat(self.last_contact)

    def _check_file(self, state: FileState, as_of: str) -> None:
        spec = state.spec
        checks = spec.checks()
        suspicions = spec.suspicions(as_of)
        if spec is specs.YOUNG_PEOPLE and not self.structures_known:
            checks = [check for check in checks if check.reason not in ("unknown_structure", "antenne")]
        # Rows of the wrong width (``bad``) are already reported: their values are not checked.
        # Tested in each sum rather than in a WHERE clause, which would blind the planner
        # (no statistics on staging tables) into sorting millions of rows.
        conditions = [check.condition for check in checks] + [suspicion.condition for suspicion in suspicions]
        sums = [f"SUM(CASE WHEN s.bad IS NULL AND ({condition}) THEN 1 ELSE 0 END)" for condition in conditions]
        if spec is specs.CONTACTS:
            sums.append("MAX(CASE WHEN s.bad IS NULL THEN d_date_contact.d END)")
        if spec is specs.YOUNG_PEOPLE:
            self._count_young_per_structure(state)
        with connection.cursor() as cursor:
            cursor.execute(self._sql(state, f"SELECT {', '.join(sums)} {self._from(state)}"))
            results = cursor.fetchone()
        for check, count in zip(checks, results[: len(checks)], strict=True):
            if count:
                self._report_check(state, check, int(count))
        for suspicion, count in zip(suspicions, results[len(checks) : len(checks) + len(suspicions)], strict=True):
            self.suspicious.append(
                {"code": suspicion.code, "label": suspicion.label, "file": spec.name, "count": int(count or 0)}
            )
        if spec is specs.CONTACTS:
            self.last_contact = results[-1]

    def _report_check(self, state: FileState, check: specs.Check, count: int) -> None:
        values = ", ".join(("s.line", *check.values))
        with connection.cursor() as cursor:
            cursor.execute(
                self._sql(
                    state,
                    f"SELECT {values} {self._from(state)} WHERE s.bad IS NULL AND ({check.condition}) "
                    f"ORDER BY s.line LIMIT {int(self.errors.limit)}",
                )
            )
            rows = cursor.fetchall()
        samples = [
            CsvError(state.spec.name, int(row[0]), check.column, check.message(*row[1:]), check.reason) for row in rows
        ]
        self.errors.add_counted(state.spec.name, check.reason, count, samples)

    def _count_young_per_structure(self, state: FileState) -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                self._sql(
                    state,
                    f"SELECT {{code_structure}}, COUNT(*) FROM {self.staging.tables['jeunes']} s "
                    "WHERE {code_structure} IS NOT NULL GROUP BY {code_structure}",
                )
            )
            self.young_per_structure = Counter(dict(cursor.fetchall()))

    def _check_identities(self) -> None:
        """Duplicate id_jeune, and rows of other files whose young person is not in jeunes.csv."""
        young = self.states.get(specs.YOUNG_PEOPLE.key)
        if not (young and young.usable):
            return
        self._report_progress("Vérification des identifiants des jeunes")
        with bulk_queries():
            self._check_identities_now(young)

    def _check_identities_now(self, young: FileState) -> None:
        limit = int(self.errors.limit)
        table = self.staging.tables["jeunes"]
        with connection.cursor() as cursor:
            cursor.execute(
                self._sql(young, f"SELECT COUNT(*) - COUNT(DISTINCT {{id_jeune}}) FROM {table} s WHERE s.bad IS NULL")
            )
            duplicates = cursor.fetchone()[0] or 0
            if duplicates:
                cursor.execute(
                    self._sql(
                        young,
                        f"SELECT s.line, {{id_jeune}}, f.first_line FROM {table} s JOIN ("
                        f"SELECT {{id_jeune}} AS id, MIN(s.line) AS first_line FROM {table} s "
                        "WHERE s.bad IS NULL GROUP BY {id_jeune} HAVING COUNT(*) > 1"
                        ") f ON f.id = {id_jeune} "
                        f"WHERE s.bad IS NULL AND s.line > f.first_line ORDER BY s.line LIMIT {limit}",
                    )
                )
                samples = [
                    CsvError(
                        specs.YOUNG_PEOPLE.name,
                        int(line),
                        "id_jeune",
                        f"identifiant « {value} » en double (déjà ligne {first})",
                        "duplicate_id",
                    )
                    for line, value, first in cursor.fetchall()
                ]
                self.errors.add_counted(specs.YOUNG_PEOPLE.name, "duplicate_id", duplicates, samples)
            young_id = young.columns["id_jeune"].replace("s.", "j.")
            for spec in specs.DATA_FILES:
                state = self.states.get(spec.key)
                if not (spec.references_young_people and state and state.complete and state.rows):
                    continue
                condition = self._sql(
                    state,
                    f"{{id_jeune}} IS NOT NULL AND NOT EXISTS (SELECT 1 FROM {table} j WHERE {young_id} = {{id_jeune}})",
                )
                staged = self.staging.tables[spec.key]
                cursor.execute(f"SELECT COUNT(*) FROM {staged} s WHERE {condition}")
                count = cursor.fetchone()[0]
                if not count:
                    continue
                cursor.execute(
                    self._sql(
                        state,
                        f"SELECT s.line, {{id_jeune}} FROM {staged} s WHERE {condition} ORDER BY s.line LIMIT {limit}",
                    )
                )
                samples = [
                    CsvError(
                        spec.name,
                        int(line),
                        "id_jeune",
                        f"jeune inconnu « {value} » : absent de jeunes.csv",
                        "unknown_young_person",
                    )
                    for line, value in cursor.fetchall()
                ]
                self.errors.add_counted(spec.name, "unknown_young_person", count, samples)

    # --- 3. swap -----------------------------------------------------------------------------

    def _swap(self, on_success: Callable[[ImportOutcome], None] | None) -> ImportOutcome:
        self._report_progress("Remplacement des données")
        try:
            if self.folds_checks:
                self._build_child_facts()
            with bulk_queries():
                if connection.vendor == "postgresql":
                    with connection.cursor() as cursor:
                        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [SWAP_LOCK_KEY])
                structures_upsert_rows(rows=self.structure_rows)
                if connection.vendor == "postgresql":
                    # Check the structures' deferred foreign keys now: the fact tables'
                    # constraints cannot be dropped while the structures have pending checks.
                    with connection.cursor() as cursor:
                        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                self._lap("structures upsert")
                self._replace_facts()
                outcome = self._outcome(True)
                if on_success:
                    on_success(outcome)
        except ImportFailed:
            self._lap("swap (rolled back)")
            if self.folds_checks:  # rows were refused on the way in: name them
                self._check_rows()
                self._lap("checks")
            self._check_identities()
            self._lap("identity checks")
            if not self.errors:  # cannot happen: the swap lost rows for a reason the checks must name
                raise
            return self._outcome(False)
        self._lap("commit")
        outcome.timings = dict(self.timings)
        logger.info("Import %s : %s", self.import_id, ", ".join(f"{k} {v:.2f} s" for k, v in self.timings.items()))
        return outcome

    def _replace_facts(self) -> None:
        if self.folds_checks:
            self._replace_facts_postgresql()
            return
        # SQLite (development and tests): the fact tables emptied and refilled from staging.
        tables = {model: model._meta.db_table for model in FACT_MODELS}
        young_table = tables[YoungPerson]
        with connection.cursor() as cursor:
            for model in reversed(FACT_MODELS):
                cursor.execute(f"DELETE FROM {tables[model]}")

            def day(column: str) -> str:
                return column  # ISO dates are SQLite's dates

            young = self.states[specs.YOUNG_PEOPLE.key]
            birth_month = day("{date_naissance} || '-01'")
            try:
                cursor.execute(
                    self._sql(
                        young,
                        f"INSERT INTO {young_table} "
                        "(id_jeune, structure_id, birth_month, sex, training_level, first_reception_on) "
                        f"SELECT {{id_jeune}}, st.id, {birth_month}, {{sexe}}, "
                        f"{{niveau_formation}}, {day('{date_premier_accueil}')} "
                        f"FROM {self.staging.tables['jeunes']} s "
                        f"JOIN {Structure._meta.db_table} st ON st.code = {{code_structure}}",
                    )
                )
            except IntegrityError as exc:  # duplicate id_jeune
                raise ImportFailed from exc
            if cursor.rowcount != young.rows:
                raise ImportFailed
            inserts = {
                specs.CONTACTS: (
                    tables[Contact],
                    "young_person_id, contact_on, kind",
                    f"{day('{date_contact}')}, {{type_contact}}",
                ),
                specs.SITUATIONS: (
                    tables[Situation],
                    "young_person_id, kind, contract, start_on, end_on",
                    f"{{type_situation}}, COALESCE({{type_contrat}}, ''), {day('{date_debut}')}, {day('{date_fin}')}",
                ),
                specs.ENROLMENTS: (
                    tables[Enrolment],
                    "young_person_id, programme, entry_on, exit_on, exit_reason",
                    f"{{dispositif}}, {day('{date_entree}')}, {day('{date_sortie}')}, COALESCE({{motif_sortie}}, '')",
                ),
            }
            for spec, (table, columns, values) in inserts.items():
                state = self.states[spec.key]
                cursor.execute(
                    self._sql(
                        state,
                        f"INSERT INTO {table} ({columns}) SELECT y.id, {values} "
                        f"FROM {self.staging.tables[spec.key]} s JOIN {young_table} y ON y.id_jeune = {{id_jeune}}",
                    )
                )
                if cursor.rowcount != state.rows:  # rows for young people absent from jeunes.csv
                    raise ImportFailed
            self._lap("facts replaced")
            cursor.execute(f"SELECT MIN(contact_on) FROM {tables[Contact]}")
            first = cursor.fetchone()[0]
            self.first_contact_on = date.fromisoformat(first) if isinstance(first, str) else first
            self.suspicious.append(self._young_people_without_contact(cursor, young_table, "id", tables[Contact]))
            self._lap("young people without contact")

    # --- 3. swap, PostgreSQL ------------------------------------------------------------------
    #
    # The rows go into new tables (``dashboard_stg_<id>_new_<file>``) with neither index nor
    # constraint while they are written: much faster than maintaining indexes row by row. One
    # ``INSERT … SELECT`` per file types the values (valid dates and months through the
    # staged calendars), joins the integer ids and keeps only the rows that no check refuses:
    # if a file loses rows, :class:`ImportFailed` stops the import and the caller runs the
    # detailed checks, which name every refused row. A valid extract is so read once from
    # staging, without a separate pass of checks.
    #
    # Ids are the rows' line numbers in their file: a contact, a situation or an enrolment
    # finds its young person's id in the staged jeunes.csv (its line), so these three tables
    # are written before the swap, by the two staging connections as soon as what they need
    # is staged (_stage_files; _build_child_facts writes what they left). Only the young
    # people, who need the structures' ids (upserted in the swap), are written in the swap
    # transaction, with their keys, while a second connection builds the contacts' key and
    # the quality report's counts (_finish_contacts). Then the old tables are dropped, the
    # new ones renamed, their keys renamed and their foreign keys and indexes recreated from
    # the old definitions (read from the catalog): readers see the old facts or the new
    # ones, never a mix. A failed import leaves only staging tables, dropped at the end.
    #
    # The new tables are ordinary, logged tables: UNLOGGED would save a few seconds of
    # write-ahead log but empty the facts after a crash of the database server and keep them
    # off replicas, which a production back-office cannot accept.

    CHILD_FACTS = ((Contact, specs.CONTACTS), (Situation, specs.SITUATIONS), (Enrolment, specs.ENROLMENTS))
    FACT_COLUMNS = {
        YoungPerson: (
            "id_jeune, structure_id, birth_month, sex, training_level, first_reception_on",
            "{id_jeune}, cs.id, bm.day, {sexe}, {niveau_formation}, d_date_premier_accueil.day",
        ),
        Contact: ("young_person_id, contact_on, kind", "y.line, d_date_contact.day, {type_contact}"),
        Situation: (
            "young_person_id, kind, contract, start_on, end_on",
            "y.line, {type_situation}, COALESCE({type_contrat}, ''), d_date_debut.day, d_date_fin.day",
        ),
        Enrolment: (
            "young_person_id, programme, entry_on, exit_on, exit_reason",
            "y.line, {dispositif}, d_date_entree.day, d_date_sortie.day, COALESCE({motif_sortie}, '')",
        ),
    }

    def _new_table(self, model) -> str:
        return self.staging.name(f"new_{model._meta.model_name}")

    def _create_new_table(self, cursor, model) -> str:
        new = self._new_table(model)
        cursor.execute(f"CREATE TABLE {new} (LIKE {model._meta.db_table} INCLUDING IDENTITY)")
        return new

    def _insert_rows(self, cursor, model, spec: specs.FileSpec, join: str, lines: str = "true") -> int:
        """Fill the new table of ``model`` from staging (the ``lines`` wanted); return the rows kept."""
        state = self.states[spec.key]
        names, values = self.FACT_COLUMNS[model]
        # A row is kept unless a check holds (a check that is NULL does not refuse it, as
        # in the counts of _check_file).
        refused = " OR ".join(f"({check.condition})" for check in spec.checks())
        try:
            cursor.execute(
                self._sql(
                    state,
                    f"INSERT INTO {self._new_table(model)} (id, {names}) SELECT s.line, {values} "
                    f"{self._from(state)} {join} WHERE {lines} AND NOT COALESCE({refused}, false)",
                )
            )
        except (DataError, IntegrityError) as exc:  # a value no check foresaw: the checks will tell
            raise ImportFailed from exc
        return cursor.rowcount

    def _finish_new_table(self, cursor, model, spec: specs.FileSpec, kept: int) -> None:
        if kept != self.states[spec.key].rows:  # rows refused, or young people absent from jeunes.csv
            raise ImportFailed
        # Ids are line numbers: the sequence goes on after the last one (for later single
        # inserts); the staged lines' sequence is at or after it.
        cursor.execute("SELECT pg_get_serial_sequence(%s, 'line')", [self.staging.tables[spec.key]])
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence(%s, 'id'), (SELECT last_value FROM {cursor.fetchone()[0]}))",
            [self._new_table(model)],
        )

    def _young_join(self) -> str:
        young = self.states[specs.YOUNG_PEOPLE.key]
        young_id = young.columns["id_jeune"].replace("s.", "y.")
        return f"JOIN {self.staging.tables[specs.YOUNG_PEOPLE.key]} y ON {young_id} = {{id_jeune}}"

    def _contact_lines(self) -> tuple[str, str]:
        """The contacts' lines written by each connection (the header is line 1)."""
        split = 2 + int(self.states[specs.CONTACTS.key].rows * CONTACTS_STAGING_LANE_SHARE)
        return f"s.line < {split}", f"s.line >= {split}"

    def _write_child_facts(self, model, spec: specs.FileSpec, lines: str = "true") -> None:
        """Write the staged ``lines`` of ``spec`` into the new table of ``model``, unless the import is doomed."""
        if self.errors or self._refused or (model, lines) in self._kept:
            return
        state, young = self.states.get(spec.key), self.states.get(specs.YOUNG_PEOPLE.key)
        if not (state and state.complete and young and young.usable):
            return  # an error is reported for it
        self._report_progress(f"Contrôle et écriture de {spec.name}")
        try:
            with bulk_queries(), connection.cursor() as cursor:
                cursor.execute("SET LOCAL work_mem = '128MB'")
                self._kept[(model, lines)] = self._insert_rows(cursor, model, spec, self._young_join(), lines)
        except ImportFailed:
            self._refused = True

    def _build_child_facts(self) -> None:
        """Contacts, situations and enrolments complete in their new tables (see above).

        Mostly written by the staging connections already (:meth:`_stage_files`);
        what they left is written here, in turn. Situations and enrolments get
        their keys (and statistics for the recompute's plans, which follow the
        tables when they are renamed); the contacts' key is built beside the swap
        (:meth:`_finish_contacts`).
        """
        for model, spec in self.CHILD_FACTS:
            for lines in self._contact_lines() if model is Contact else ("true",):
                self._write_child_facts(model, spec, lines)
            if model is not Contact and not self._refused:
                self._finish_child_table(model, spec)
        if self._refused or self._kept_rows(Contact) != self.states[specs.CONTACTS.key].rows:
            raise ImportFailed  # rows refused: fail before the swap starts
        self._lap("contacts, situations, enrolments completed")

    def _kept_rows(self, model) -> int:
        return sum(count for (counted, _), count in self._kept.items() if counted is model)

    def _finish_child_table(self, model, spec: specs.FileSpec) -> None:
        """A new child table complete: its sequence, primary key and statistics (once)."""
        if self.errors or self._refused or model in self._finished:
            return
        with bulk_queries(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
            try:
                self._finish_new_table(cursor, model, spec, self._kept_rows(model))
            except ImportFailed:
                self._refused = True
                return
            new = self._new_table(model)
            cursor.execute(f'ALTER TABLE {new} ADD CONSTRAINT "{new}_pkey" PRIMARY KEY (id)')
            cursor.execute(f"ANALYZE {new}")
        self._finished.add(model)

    def _replace_facts_postgresql(self) -> None:
        """In the swap transaction: the new young people, then the four new tables swapped in.

        Meanwhile, on a second connection (:meth:`_finish_contacts`), the new
        contacts get their key and statistics, and the quality report its
        counts on the new child tables: work that does not need the swap's
        locks, done on the core the young people's insert leaves free.
        """
        tables = {model: model._meta.db_table for model in FACT_MODELS}
        new = {model: self._new_table(model) for model in FACT_MODELS}
        children = {model for model, _ in self.CHILD_FACTS}
        child_counts: dict[str, list[dict]] = {}
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL work_mem = '128MB'")
            cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
            definitions = _constraints_and_indexes(cursor, list(tables.values()))
            cursor.execute(
                "SELECT c.relname, pg_get_serial_sequence(c.relname, 'id') FROM pg_class c WHERE c.relname = ANY(%s)",
                [list(tables.values())],
            )
            sequences = dict(cursor.fetchall())

            # The young people's keys (primary, unique id_jeune) are built on the new table, under
            # temporary names, then renamed with it; children's primary keys were built with theirs.
            young_keys = [
                (name, f"{new[YoungPerson]}_{kind}{index}", definition)
                for index, (table, name, kind, definition) in enumerate(definitions)
                if table == tables[YoungPerson] and kind in ("p", "u")
            ]

            def young_people() -> None:
                self._create_new_table(cursor, YoungPerson)
                kept = self._insert_rows(
                    cursor,
                    YoungPerson,
                    specs.YOUNG_PEOPLE,
                    f"JOIN {Structure._meta.db_table} cs ON cs.code = {{code_structure}}",
                )
                self._finish_new_table(cursor, YoungPerson, specs.YOUNG_PEOPLE, kept)
                try:
                    for _, temporary, definition in young_keys:
                        cursor.execute(f'ALTER TABLE {new[YoungPerson]} ADD CONSTRAINT "{temporary}" {definition}')
                except IntegrityError as exc:  # duplicate id_jeune (the unique constraint)
                    raise ImportFailed from exc

            _side_by_side([young_people, lambda: child_counts.update(self._finish_contacts())], in_turn=not self.lanes)
            self._lap("young people inserted, contacts finished beside")
            cursor.execute(f"DROP TABLE {', '.join(tables[model] for model in reversed(FACT_MODELS))}")
            for model in FACT_MODELS:
                cursor.execute(f"ALTER TABLE {new[model]} RENAME TO {tables[model]}")
                # The identity's sequence takes the old one's name too (Django finds it either way).
                cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [tables[model]])
                sequence = cursor.fetchone()[0]
                cursor.execute(f"ALTER SEQUENCE {sequence} RENAME TO {sequences[tables[model]].rpartition('.')[2]}")
            for name, temporary, _ in young_keys:
                cursor.execute(f'ALTER TABLE {tables[YoungPerson]} RENAME CONSTRAINT "{temporary}" TO "{name}"')
            for table, name, kind, definition in definitions:
                model = next(model for model in FACT_MODELS if tables[model] == table)
                if kind == "p" and model in children:  # built beside: renamed to the old name
                    cursor.execute(f'ALTER TABLE {table} RENAME CONSTRAINT "{new[model]}_pkey" TO "{name}"')
                elif kind == "i":
                    cursor.execute(definition)
                elif not (model is YoungPerson and kind in ("p", "u")):  # foreign keys, other keys
                    cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
            self._lap("facts replaced")
            cursor.execute(f"ANALYZE {tables[YoungPerson]}")  # the others were, when built
            self._lap("analyze")
            young_counts = self._count_suspicious_young_people(cursor, tables[YoungPerson])
            self._lap("suspicious young people")
        # The report's order: contacts, young people, situations, enrolments, then the rest.
        for key in ("contacts", "young", "situations", "enrolments", "without_contact"):
            self.suspicious.extend(young_counts if key == "young" else child_counts.get(key, []))

    def _finish_contacts(self) -> dict[str, list[dict]]:
        """Beside the swap: the new contacts' key, then the quality counts on the new child tables.

        Also the dates of the first contact (kept with the import: the recompute's
        first year) and, without an extraction date, of the last one. Runs on its
        own connection (or in the swap transaction, in turn); returns the
        suspicious counts by file.
        """
        started = time.perf_counter()
        self._finish_child_table(Contact, specs.CONTACTS)
        if self._refused:  # cannot happen: the rows were counted before the swap
            raise ImportFailed
        new = {model: self._new_table(model) for model, _ in self.CHILD_FACTS}
        counts: dict[str, list[dict]] = {}
        with bulk_queries(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL work_mem = '128MB'")
            if self.extracted_on is None:  # the date of the last contact
                cursor.execute(f"SELECT MAX(contact_on) FROM {new[Contact]}")
                self.extracted_on = cursor.fetchone()[0]
            as_of = (self.extracted_on or date.max).isoformat()
            for key, model, spec in (
                ("contacts", Contact, specs.CONTACTS),
                ("situations", Situation, specs.SITUATIONS),
                ("enrolments", Enrolment, specs.ENROLMENTS),
            ):
                suspicions = spec.suspicions(as_of)
                sums = [f"COUNT(*) FILTER (WHERE {suspicion.fact_condition})" for suspicion in suspicions]
                if model is Contact:
                    sums.append("MIN(f.contact_on)")
                cursor.execute(f"SELECT {', '.join(sums)} FROM {new[model]} f")
                results = cursor.fetchone()
                if model is Contact:
                    self.first_contact_on = results[-1]
                counts[key] = self._suspicious_items(spec, suspicions, results[: len(suspicions)])
            counts["without_contact"] = [
                self._young_people_without_contact(
                    cursor, self.staging.tables[specs.YOUNG_PEOPLE.key], "line", new[Contact]
                )
            ]
        self.timings["contacts finished beside the swap"] = time.perf_counter() - started
        return counts

    def _count_suspicious_young_people(self, cursor, table: str) -> list[dict]:
        """Per structure (the structures without young people, in the same scan), then in all."""
        as_of = (self.extracted_on or date.max).isoformat()
        suspicions = specs.YOUNG_PEOPLE.suspicions(as_of)
        sums = [f"COUNT(*) FILTER (WHERE {suspicion.fact_condition})" for suspicion in suspicions]
        cursor.execute(
            f"SELECT st.code, COUNT(*), {', '.join(sums)} FROM {table} f "
            f"JOIN {Structure._meta.db_table} st ON st.id = f.structure_id GROUP BY st.code"
        )
        rows = cursor.fetchall()
        self.young_per_structure = Counter({row[0]: row[1] for row in rows})
        totals = [sum(row[2 + index] for row in rows) for index in range(len(suspicions))]
        return self._suspicious_items(specs.YOUNG_PEOPLE, suspicions, totals)

    @staticmethod
    def _suspicious_items(spec: specs.FileSpec, suspicions: list, counts) -> list[dict]:
        return [
            {"code": suspicion.code, "label": suspicion.label, "file": spec.name, "count": int(count or 0)}
            for suspicion, count in zip(suspicions, counts, strict=True)
        ]

    @staticmethod
    def _young_people_without_contact(cursor, young_table: str, young_id: str, contact_table: str) -> dict:
        cursor.execute(
            f"SELECT COUNT(*) FROM {young_table} y WHERE NOT EXISTS "
            f"(SELECT 1 FROM {contact_table} c WHERE c.young_person_id = y.{young_id})"
        )
        return {
            "code": "young_people_without_contact",
            "label": "Jeunes sans aucun contact",
            "file": specs.YOUNG_PEOPLE.name,
            "count": int(cursor.fetchone()[0]),
        }

    # --- outcome -----------------------------------------------------------------------------

    def _outcome(self, succeeded: bool) -> ImportOutcome:
        return ImportOutcome(
            succeeded=succeeded,
            row_counts=dict(self.row_counts),
            error_count=self.errors.total,
            errors=[str(error) for error in self.errors.first()],
            quality_report=self.quality_report(succeeded),
            extracted_on=self.extracted_on,
            first_contact_on=self.first_contact_on if succeeded else None,
            timings=dict(self.timings),
        )

    def quality_report(self, succeeded: bool) -> dict:
        """Rejected rows by reason and file, suspicious rows by reason, structures without data."""
        report = {
            "rejected": {
                "total": self.errors.total,
                "by_reason": [
                    {"code": reason, "label": specs.REJECT_REASONS.get(reason, reason), "count": count}
                    for reason, count in self.errors.by_reason.most_common()
                ],
                "by_file": dict(self.errors.by_file),
            },
        }
        if succeeded:
            report["suspicious"] = self.suspicious
            report["structures_without_data"] = [
                {"code": row["code_structure"], "name": row["nom"]}
                for row in self.structure_rows
                if row["type"] in (StructureKind.ML, StructureKind.PAIO)
                and not self.young_per_structure.get(row["code_structure"])
            ]
        return report


FACT_MODELS = (YoungPerson, Contact, Situation, Enrolment)


class _Clock:
    """Seconds spent in each step of a lane, into ``timings`` under ``"<lane>: <step>"``."""

    def __init__(self, timings: dict[str, float], lane: str):
        self.timings, self.lane, self.started = timings, lane, time.perf_counter()

    def lap(self, step: str) -> None:
        now = time.perf_counter()
        self.timings[f"{self.lane}: {step}"] = now - self.started
        self.started = now


def _side_by_side(tasks: list[Callable[[], object]], *, in_turn: bool = False) -> None:
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


def _constraints_and_indexes(cursor, tables: list[str]) -> list[tuple[str, str, str, str]]:
    """PostgreSQL: the keys, foreign keys and indexes of ``tables``, to recreate them.

    As ``(table, name, kind, definition)``, kind as in pg_constraint ("p", "u",
    "f"; definition: what follows ``ADD CONSTRAINT name``) or "i" (definition:
    the ``CREATE INDEX`` statement).
    In the order to run them: keys before the foreign keys using them. Foreign
    keys ``NOT VALID``: the rows were inserted through inner joins on the
    referenced keys, they hold by construction, no need for a scan to prove
    it; they are enforced for any later write.
    """
    cursor.execute(
        "SELECT c.conrelid::regclass::text, c.conname, c.contype, pg_get_constraintdef(c.oid) "
        "FROM pg_constraint c WHERE c.conrelid = ANY(%s::regclass[]) AND c.contype IN ('p', 'u', 'f') "
        "ORDER BY CASE c.contype WHEN 'p' THEN 0 WHEN 'u' THEN 1 ELSE 2 END, c.conname",
        [tables],
    )
    constraints = cursor.fetchall()
    cursor.execute(
        "SELECT i.indrelid::regclass::text, i.indexrelid::regclass::text, 'i', pg_get_indexdef(i.indexrelid) "
        "FROM pg_index i WHERE i.indrelid = ANY(%s::regclass[]) "
        "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)",
        [tables],
    )
    indexes = cursor.fetchall()
    definitions = []
    for table, name, kind, definition in constraints:
        if kind == "f" and not definition.endswith("NOT VALID"):
            definition += " NOT VALID"
        definitions.append((table, name, kind, definition))
    return definitions + indexes
