"""1. Stage: structures.csv read and checked in Python, each data file streamed into its staging table.

structures.csv is small: it is read and checked in Python
(:func:`cnml.services.structures_validate_rows`). Each data file is streamed into
its staging table (:mod:`dashboard.importer.staging`), progress saved every
``progress_every`` rows (committed at once, outside any transaction, so the admin
can follow it). On PostgreSQL the files are staged on two connections, and each
goes on writing the child fact tables (:mod:`dashboard.importer.write`) as soon
as what they need is staged.
"""

from __future__ import annotations

import threading

from django.db import connection

from cnml.csvfiles import CsvError, CsvFileError, missing_column_errors
from cnml.services import structures_validate_rows
from dashboard.importer import spec as specs
from dashboard.importer.lanes import LaneClock, bulk_queries, side_by_side
from dashboard.importer.sources import ChunkReader, ExtractSource
from dashboard.importer.state import FileState, ImportState
from dashboard.models import Contact


class StagePhase(ImportState):
    """Stage the extract; uses the writes of :class:`~dashboard.importer.write.WritePhase` on PostgreSQL."""

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

        Then each connection goes on with the child fact tables (see
        :mod:`dashboard.importer.write`) as soon as what they need is staged,
        while the extract is valid so far: the second builds the situations and
        enrolments while the first is still staging the contacts; then each
        writes its share of the contacts (:data:`~dashboard.importer.write.CONTACTS_STAGING_LANE_SHARE`
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
            clock = LaneClock(self.timings, "lane 1")
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
            clock = LaneClock(self.timings, "lane 2")
            try:
                self._stage_file(extract, specs.CONTACTS)
            finally:
                contacts_staged.set()
            clock.lap("contacts staged")
            if early:
                young_staged.wait()
                self._write_child_facts(Contact, specs.CONTACTS, self._contact_lines()[0])
                clock.lap("contacts written")

        side_by_side([others_lane, contacts_lane], in_turn=not self.lanes)

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
                # An optional column the file lacks reads as empty cells (SQL NULL) in every check and write.
                state.columns.update(
                    {
                        column: f"s.c{reader.header.index(column)}" if column in reader.header else "NULL"
                        for column in spec.optional
                    }
                )
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
                self.errors.add(CsvError(spec.name, None, None, "fichier vide : aucune ligne de données", "empty_file"))
            else:
                self.suspicious.append(
                    {"code": f"{spec.key}_empty", "label": f"Fichier {spec.name} sans aucune ligne", "count": 1}
                )
