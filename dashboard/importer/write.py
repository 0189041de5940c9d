"""3. Write (PostgreSQL): the facts go into new tables, checked on the way in, before the swap.

The rows go into new tables (``dashboard_stg_<id>_new_<file>``) with neither index
nor constraint while they are written: much faster than maintaining indexes row by
row. One ``INSERT … SELECT`` per file types the values (valid dates and months
through the staged calendars), joins the integer ids and keeps only the rows that
no check refuses: if a file loses rows, :class:`~dashboard.importer.state.ImportFailed`
stops the import and the caller runs the detailed checks
(:mod:`dashboard.importer.check`), which name every refused row. A valid extract is
so read once from staging, without a separate pass of checks.

Ids are the rows' line numbers in their file: a contact, a situation or an
enrolment finds its young person's id in the staged jeunes.csv (its line), so these
three tables are written before the swap, by the two staging connections as soon as
what they need is staged (:meth:`~dashboard.importer.stage.StagePhase._stage_files`;
:meth:`WritePhase._build_child_facts` writes what they left). The young people, who
need the structures' ids (upserted in the swap), are written in the swap
transaction (:mod:`dashboard.importer.swap`), while a second connection builds the
contacts' key and the quality report's counts (:meth:`WritePhase._finish_contacts`).

The new tables are ordinary, logged tables: UNLOGGED would save a few seconds of
write-ahead log but empty the facts after a crash of the database server and keep
them off replicas, which a production back-office cannot accept.
"""

from __future__ import annotations

import time
from datetime import date

from django.db import DataError, IntegrityError, connection

from dashboard.importer import spec as specs
from dashboard.importer.lanes import bulk_queries
from dashboard.importer.state import ImportFailed, ImportState
from dashboard.models import Contact, Enrolment, Situation, YoungPerson

# Share of the contacts written by the connection that staged them (lane 2), which starts on them
# while the other one (lane 1) builds the situations and enrolments (see StagePhase._stage_files). It balances
# the two lanes: they end together when
#     share = (S1 + W1 - S2 + C1) / (C1 + C2)
# with S1 lane 1's staging (young people, situations, enrolments), W1 its writing of the situations
# and enrolments, S2 the staging of the contacts, and C1, C2 the time each lane would take to write
# every contact. Measured by bench/dashboard.py on 27/11/2026 at national scale (1 400 000 young
# people, 7 002 157 contacts; phases in docs/performance.md): S1 = 1,97 s, W1 = 4,43 s,
# S2 = 3,93 s; lane 2 wrote 64 % of the contacts in 7,34 s (C2 = 11,5 s), lane 1 the other 36 %
# in 5,14 s (C1 = 14,3 s): the formula gives 0,65, and with 0,64 the lanes ended 0,27 s apart
# (11,54 s and 11,27 s), within the spread of a run. Both lanes must compute the same split, from
# the contacts' row count only (lane 2 may start writing before lane 1 has counted the situations
# and enrolments): hence a measured ratio rather than one computed at run time.
CONTACTS_STAGING_LANE_SHARE = 0.64


class WritePhase(ImportState):
    """Fill the new fact tables from staging (PostgreSQL); a refused row sets ``self._refused``."""

    CHILD_FACTS = ((Contact, specs.CONTACTS), (Situation, specs.SITUATIONS), (Enrolment, specs.ENROLMENTS))
    FACT_COLUMNS = {
        YoungPerson: (
            "id_jeune, structure_id, birth_month, sex, training_level, first_reception_on, certification_level",
            "{id_jeune}, cs.id, bm.day, {sexe}, {niveau_formation}, d_date_premier_accueil.day, "
            "COALESCE({niveau_certification}, '')",
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
        """Contacts, situations and enrolments complete in their new tables (see the module's docstring).

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
