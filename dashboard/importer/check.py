"""2. Check, set-based: the row-level rules of every file, then the identities of the young people.

One scan per staging table counts every row-level rule of
:mod:`dashboard.importer.spec` and the suspicious rows; only failing rules fetch
their first offending lines. Duplicate ``id_jeune`` and references to unknown
young people are looked for when the swap finds them (a unique index, an inner
join that loses rows) or when other errors already doomed the import — so a
valid national extract is not joined twice.

On PostgreSQL these checks are folded into the writes (:mod:`dashboard.importer.write`):
each file's ``INSERT … SELECT`` keeps only the rows no check refuses, and the
detailed checks here run only when a file lost rows (then the import fails).
"""

from __future__ import annotations

from collections import Counter
from datetime import date

from django.db import connection

from cnml.csvfiles import CsvError
from dashboard.importer import spec as specs
from dashboard.importer.lanes import bulk_queries
from dashboard.importer.state import FileState, ImportState


class CheckPhase(ImportState):
    """Count and name the rows the rules refuse; every error goes to ``self.errors``."""

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
            CsvError(
                state.spec.name,
                int(row[0]),
                check.column,
                check.message(*row[1:]),
                check.reason,
                # The checked column's value comes first (a check without values is a missing one).
                row[1] if check.values else None,
            )
            for row in rows
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
        with connection.cursor() as cursor:
            self._check_duplicate_ids(cursor, young)
            self._check_unknown_young_people(cursor, young)

    def _check_duplicate_ids(self, cursor, young: FileState) -> None:
        limit = int(self.errors.limit)
        table = self.staging.tables["jeunes"]
        cursor.execute(
            self._sql(young, f"SELECT COUNT(*) - COUNT(DISTINCT {{id_jeune}}) FROM {table} s WHERE s.bad IS NULL")
        )
        duplicates = cursor.fetchone()[0] or 0
        if not duplicates:
            return
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
                f"identifiant « {value} » en double (déjà ligne {first})",
                "duplicate_id",
                value,
            )
            for line, value, first in cursor.fetchall()
        ]
        self.errors.add_counted(specs.YOUNG_PEOPLE.name, "duplicate_id", duplicates, samples)

    def _check_unknown_young_people(self, cursor, young: FileState) -> None:
        """Rows of the other files whose young person is not in jeunes.csv."""
        limit = int(self.errors.limit)
        table = self.staging.tables["jeunes"]
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
                    f"jeune inconnu « {value} » : absent de jeunes.csv",
                    "unknown_young_person",
                    value,
                )
                for line, value in cursor.fetchall()
            ]
            self.errors.add_counted(spec.name, "unknown_young_person", count, samples)
