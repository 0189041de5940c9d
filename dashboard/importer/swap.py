"""4. Swap, in one transaction: structures upserted, the four fact tables replaced, the import marked.

The structures are upserted, the four fact tables replaced from staging (joined to
the integer ids of structures and young people), the import record marked
successful (``on_success``). Any error rolls it all back: a failed import changes
nothing.

- SQLite (development and tests) empties and refills the tables.
- PostgreSQL swaps new tables in. The child facts are already written
  (:mod:`dashboard.importer.write`); only the young people, who need the
  structures' ids, are written in the swap transaction, with their keys, while a
  second connection builds the contacts' key and the quality report's counts
  (:meth:`~dashboard.importer.write.WritePhase._finish_contacts`). Then the old
  tables are dropped, the new ones renamed, their keys renamed and their foreign
  keys and indexes recreated from the old definitions (read from the catalog):
  readers see the old facts or the new ones, never a mix. A failed import leaves
  only staging tables, dropped at the end.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from django.db import IntegrityError, connection

from cnml.models import Structure
from cnml.services import structures_upsert_rows
from dashboard.importer import spec as specs
from dashboard.importer.lanes import bulk_queries, side_by_side
from dashboard.importer.state import ImportFailed, ImportOutcome, ImportState
from dashboard.models import Contact, Enrolment, Situation, YoungPerson

# Serialises the swaps of concurrent imports on PostgreSQL (pg_advisory_xact_lock).
SWAP_LOCK_KEY = 7_310_201_101
FACT_MODELS = (YoungPerson, Contact, Situation, Enrolment)
# SQLite: each child file's columns and staged values (ISO dates are SQLite's dates).
SQLITE_CHILD_FACTS = {
    specs.CONTACTS: (Contact, "young_person_id, contact_on, kind", "{date_contact}, {type_contact}"),
    specs.SITUATIONS: (
        Situation,
        "young_person_id, kind, contract, start_on, end_on",
        "{type_situation}, COALESCE({type_contrat}, ''), {date_debut}, {date_fin}",
    ),
    specs.ENROLMENTS: (
        Enrolment,
        "young_person_id, programme, entry_on, exit_on, exit_reason",
        "{dispositif}, {date_entree}, {date_sortie}, COALESCE({motif_sortie}, '')",
    ),
}
# A young people's key recreated on the new table: (name, temporary name, definition).
YoungKey = tuple[str, str, str]


class SwapPhase(ImportState):
    """Replace the facts; on a lost row, name the errors with :class:`~dashboard.importer.check.CheckPhase`."""

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
        return outcome

    def _replace_facts(self) -> None:
        if self.folds_checks:
            self._replace_facts_postgresql()
        else:
            self._replace_facts_sqlite()

    # --- SQLite ------------------------------------------------------------------------------

    def _replace_facts_sqlite(self) -> None:
        """SQLite (development and tests): the fact tables emptied and refilled from staging."""
        tables = {model: model._meta.db_table for model in FACT_MODELS}
        with connection.cursor() as cursor:
            for model in reversed(FACT_MODELS):
                cursor.execute(f"DELETE FROM {tables[model]}")
            self._insert_young_people_sqlite(cursor, tables[YoungPerson])
            self._insert_child_facts_sqlite(cursor, tables)
            self._lap("facts replaced")
            cursor.execute(f"SELECT MIN(contact_on) FROM {tables[Contact]}")
            first = cursor.fetchone()[0]
            self.first_contact_on = date.fromisoformat(first) if isinstance(first, str) else first
            self.suspicious.append(
                self._young_people_without_contact(cursor, tables[YoungPerson], "id", tables[Contact])
            )
            self._lap("young people without contact")

    def _insert_young_people_sqlite(self, cursor, young_table: str) -> None:
        young = self.states[specs.YOUNG_PEOPLE.key]
        try:
            cursor.execute(
                self._sql(
                    young,
                    f"INSERT INTO {young_table} "
                    "(id_jeune, structure_id, birth_month, sex, training_level, first_reception_on, "
                    "certification_level) "
                    "SELECT {id_jeune}, st.id, {date_naissance} || '-01', {sexe}, "
                    "{niveau_formation}, {date_premier_accueil}, COALESCE({niveau_certification}, '') "
                    f"FROM {self.staging.tables['jeunes']} s "
                    f"JOIN {Structure._meta.db_table} st ON st.code = {{code_structure}}",
                )
            )
        except IntegrityError as exc:  # duplicate id_jeune
            raise ImportFailed from exc
        if cursor.rowcount != young.rows:
            raise ImportFailed

    def _insert_child_facts_sqlite(self, cursor, tables: dict) -> None:
        young_table = tables[YoungPerson]
        for spec, (model, columns, values) in SQLITE_CHILD_FACTS.items():
            state = self.states[spec.key]
            cursor.execute(
                self._sql(
                    state,
                    f"INSERT INTO {tables[model]} ({columns}) SELECT y.id, {values} "
                    f"FROM {self.staging.tables[spec.key]} s JOIN {young_table} y ON y.id_jeune = {{id_jeune}}",
                )
            )
            if cursor.rowcount != state.rows:  # rows for young people absent from jeunes.csv
                raise ImportFailed

    # --- PostgreSQL --------------------------------------------------------------------------

    def _replace_facts_postgresql(self) -> None:
        """In the swap transaction: the new young people, then the four new tables swapped in.

        Meanwhile, on a second connection (:meth:`_finish_contacts`), the new
        contacts get their key and statistics, and the quality report its
        counts on the new child tables: work that does not need the swap's
        locks, done on the core the young people's insert leaves free.
        """
        young_table = YoungPerson._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL work_mem = '128MB'")
            cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
            definitions = _constraints_and_indexes(cursor, [model._meta.db_table for model in FACT_MODELS])
            sequences = _identity_sequences(cursor, [model._meta.db_table for model in FACT_MODELS])
            young_keys = self._young_people_keys(definitions)
            child_counts = self._write_young_people_beside_contacts(cursor, young_keys)
            self._lap("young people inserted, contacts finished beside")
            self._rename_new_tables(cursor, sequences)
            self._restore_keys_and_indexes(cursor, definitions, young_keys)
            self._lap("facts replaced")
            cursor.execute(f"ANALYZE {young_table}")  # the others were, when built
            self._lap("analyze")
            young_counts = self._count_suspicious_young_people(cursor, young_table)
            self._lap("suspicious young people")
        # The report's order: contacts, young people, situations, enrolments, then the rest.
        for key in ("contacts", "young", "situations", "enrolments", "without_contact"):
            self.suspicious.extend(young_counts if key == "young" else child_counts.get(key, []))

    def _young_people_keys(self, definitions: list[tuple[str, str, str, str]]) -> list[YoungKey]:
        """The young people's keys (primary, unique id_jeune), to build on the new table under temporary names.

        They are renamed with it; the children's primary keys were built with theirs.
        """
        table, new = YoungPerson._meta.db_table, self._new_table(YoungPerson)
        return [
            (name, f"{new}_{kind}{index}", definition)
            for index, (owner, name, kind, definition) in enumerate(definitions)
            if owner == table and kind in ("p", "u")
        ]

    def _write_young_people_beside_contacts(self, cursor, young_keys: list[YoungKey]) -> dict[str, list[dict]]:
        """The new young people here, :meth:`_finish_contacts` beside (or in turn); returns its counts."""
        child_counts: dict[str, list[dict]] = {}
        side_by_side(
            [
                lambda: self._write_young_people(cursor, young_keys),
                lambda: child_counts.update(self._finish_contacts()),
            ],
            in_turn=not self.lanes,
        )
        return child_counts

    def _write_young_people(self, cursor, young_keys: list[YoungKey]) -> None:
        new = self._create_new_table(cursor, YoungPerson)
        kept = self._insert_rows(
            cursor,
            YoungPerson,
            specs.YOUNG_PEOPLE,
            f"JOIN {Structure._meta.db_table} cs ON cs.code = {{code_structure}}",
        )
        self._finish_new_table(cursor, YoungPerson, specs.YOUNG_PEOPLE, kept)
        try:
            for _, temporary, definition in young_keys:
                cursor.execute(f'ALTER TABLE {new} ADD CONSTRAINT "{temporary}" {definition}')
        except IntegrityError as exc:  # duplicate id_jeune (the unique constraint)
            raise ImportFailed from exc

    def _rename_new_tables(self, cursor, sequences: dict[str, str]) -> None:
        """The old fact tables dropped, the new ones renamed in; each identity's sequence takes the old name."""
        cursor.execute(f"DROP TABLE {', '.join(model._meta.db_table for model in reversed(FACT_MODELS))}")
        for model in FACT_MODELS:
            table = model._meta.db_table
            cursor.execute(f"ALTER TABLE {self._new_table(model)} RENAME TO {table}")
            # The identity's sequence takes the old one's name too (Django finds it either way).
            cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
            sequence = cursor.fetchone()[0]
            cursor.execute(f"ALTER SEQUENCE {sequence} RENAME TO {sequences[table].rpartition('.')[2]}")

    def _restore_keys_and_indexes(
        self, cursor, definitions: list[tuple[str, str, str, str]], young_keys: list[YoungKey]
    ) -> None:
        """The old tables' keys, foreign keys and indexes on the renamed tables, under their old names."""
        tables = {model._meta.db_table: model for model in FACT_MODELS}
        children = {model for model, _ in self.CHILD_FACTS}
        for name, temporary, _ in young_keys:
            cursor.execute(f'ALTER TABLE {YoungPerson._meta.db_table} RENAME CONSTRAINT "{temporary}" TO "{name}"')
        for table, name, kind, definition in definitions:
            model = tables[table]
            if kind == "p" and model in children:  # built beside: renamed to the old name
                cursor.execute(f'ALTER TABLE {table} RENAME CONSTRAINT "{self._new_table(model)}_pkey" TO "{name}"')
            elif kind == "i":
                cursor.execute(definition)
            elif not (model is YoungPerson and kind in ("p", "u")):  # foreign keys, other keys
                cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')


def _identity_sequences(cursor, tables: list[str]) -> dict[str, str]:
    """PostgreSQL: table -> the qualified name of its identity's sequence."""
    cursor.execute(
        "SELECT c.relname, pg_get_serial_sequence(c.relname, 'id') FROM pg_class c WHERE c.relname = ANY(%s)",
        [tables],
    )
    return dict(cursor.fetchall())


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
