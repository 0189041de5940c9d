"""Staging tables: each data file is streamed into a table of text columns.

One table per file and per import (``dashboard_stg_<import id>_<file>``), with
the physical ``line`` of each row, a ``bad`` flag for rows that do not have as
many values as the header, and one text column per header column (``c0``,
``c1``…, in the file's order). Empty values are NULL, values are stripped.

- PostgreSQL: UNLOGGED tables filled with ``COPY``. A block of lines is sent to
  the server as it was read (``COPY … (FORMAT csv)``) when it is plain — ASCII,
  no quotes, no blank line, no padding spaces, the usual case of a warehouse
  export — and the server numbers the rows; any other block, or one the server
  refuses (a row with too many or too few values), is parsed in Python and sent
  row by row with its exact line numbers. Either way, one ``COPY`` per block.
- SQLite (development and tests): temporary tables filled with ``executemany``.

Reference tables (valid dates, valid months, the structures of the extract)
are staged beside them for the set-based checks.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator, Sequence

from django.db import connection, transaction

from cnml.csvfiles import DELIMITER, CsvError, CsvFileError
from dashboard.importer.sources import Chunk

FIRST_DAY, LAST_DAY = "1900-01-01", "2099-12-31"
# Bytes of a "plain" block: line feeds and printable ASCII, but the space (values
# are stripped), the double quote (CSV quoting) and the backslash (COPY's "\.").
_PLAIN_BYTES = bytes(range(0x21, 0x7F)).replace(b'"', b"").replace(b"\\", b"") + b"\n"

ErrorSink = Callable[[CsvError], None]


def parse_rows(name: str, chunk: Chunk, width: int, report: ErrorSink) -> Iterator[tuple]:
    """Rows of a block as ``(line, bad, value…)``, parsed by Python's csv module.

    Blank lines are skipped. A row with more or fewer values than the header is
    reported and kept with ``bad`` set (so its ``id_jeune`` still counts as
    known, and its other values are not checked).
    """
    text = chunk.decoded()
    if "\x00" in text:
        line = chunk.first_line + text.count("\n", 0, text.index("\x00"))
        raise CsvFileError(
            CsvError(name, line, None, "caractère nul (0x00) : ce n'est pas un fichier texte CSV en UTF-8", "encoding")
        )
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=DELIMITER)
    consumed = 0
    try:
        for values in reader:
            line = chunk.first_line + consumed
            consumed = reader.line_num
            values = [value.strip() for value in values]
            if not values or values == [""]:  # a blank line (";;" is a row of empty values)
                continue
            bad = None
            if len(values) != width:
                report(
                    CsvError(
                        name,
                        line,
                        None,
                        f"{len(values)} valeur(s) au lieu de {width} : vérifiez le séparateur « ; » et les guillemets",
                        "field_count",
                    )
                )
                bad = True
                values = (values + [""] * width)[:width]
            yield (line, bad, *[value or None for value in values])
    except csv.Error as exc:
        raise CsvFileError(
            CsvError(name, chunk.first_line + consumed, None, f"ligne illisible ({exc})", "field_count")
        ) from exc


def is_plain(data: bytes) -> bool:
    """A block PostgreSQL's CSV parser reads as Python's would, or refuses (see module doc).

    Blank lines are not looked for: the server refuses them (missing values),
    and the block is then parsed in Python, which skips them.
    """
    return not data.translate(None, _PLAIN_BYTES)


class Staging:
    """The staging tables of one import."""

    def __init__(self, import_id: int):
        self.prefix = f"dashboard_stg_{int(import_id)}_"
        self.tables: dict[str, str] = {}
        self.widths: dict[str, int] = {}

    @staticmethod
    def for_connection(import_id: int) -> Staging:
        if connection.vendor == "postgresql":
            return PostgresStaging(import_id)
        return SqliteStaging(import_id)

    def name(self, key: str) -> str:
        return self.prefix + key

    def columns(self, key: str) -> list[str]:
        return [f"c{index}" for index in range(self.widths[key])]

    # Subclasses: DDL and loading.
    create_table_sql = "CREATE TABLE {table} ({columns})"
    line_column = "line INTEGER"

    # Reference tables; SQLite needs their keys indexed to join, PostgreSQL hashes them.
    reference_key = " PRIMARY KEY"

    def setup(self) -> None:
        self.drop()
        self._create("structures", "code TEXT PRIMARY KEY, kind TEXT, parent TEXT")
        # ``day``: the typed value of a valid date or month (its 1st day), for the fact tables.
        self._create("calendar", f"d TEXT{self.reference_key}, day DATE")
        self._create("months", f"m TEXT{self.reference_key}, m16 TEXT, m26 TEXT, day DATE")
        self._fill_calendars()

    def _create(self, key: str, columns: str) -> str:
        table = self.name(key)
        with connection.cursor() as cursor:
            cursor.execute(self.create_table_sql.format(table=table, columns=columns))
        self.tables[key] = table
        return table

    def _fill_calendars(self) -> None:
        raise NotImplementedError

    def load_structures(self, rows: Sequence[tuple[str, str, str | None]]) -> None:
        with connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO {self.tables['structures']} (code, kind, parent) VALUES (%s, %s, %s)", list(rows)
            )

    def create_data_table(self, key: str, width: int) -> str:
        self.widths[key] = width
        columns = ", ".join([self.line_column, "bad BOOLEAN", *(f"c{index} TEXT" for index in range(width))])
        return self._create(key, columns)

    def load_chunk(self, key: str, name: str, chunk: Chunk, report: ErrorSink) -> int:
        """Stage a block; return the number of rows staged."""
        raise NotImplementedError

    def finish_file(self, key: str, column: str | None) -> None:
        """After a file is staged: an index on ``column`` (its id_jeune) if useful."""

    @staticmethod
    def drop_abandoned(keep: set[int]) -> list[int]:
        """Staging tables left by imports whose process was killed (none with temporary tables)."""
        return []

    def drop(self) -> None:
        raise NotImplementedError


class PostgresStaging(Staging):
    # Never vacuumed while in use: rows stay in the order they were written.
    create_table_sql = "CREATE UNLOGGED TABLE {table} ({columns}) WITH (autovacuum_enabled = false)"
    # A cached sequence: numbering rows costs next to nothing.
    line_column = "line BIGINT GENERATED BY DEFAULT AS IDENTITY (START WITH 2 CACHE 100000)"
    reference_key = ""

    def _fill_calendars(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {self.tables['calendar']} (d, day) SELECT to_char(g, 'YYYY-MM-DD'), g::date "
                f"FROM generate_series(DATE '{FIRST_DAY}', DATE '{LAST_DAY}', INTERVAL '1 day') g"
            )
            cursor.execute(
                f"INSERT INTO {self.tables['months']} (m, m16, m26, day) SELECT to_char(g, 'YYYY-MM'), "
                "to_char(g + INTERVAL '16 years', 'YYYY-MM'), to_char(g + INTERVAL '26 years', 'YYYY-MM'), g::date "
                f"FROM generate_series(DATE '{FIRST_DAY}', DATE '{LAST_DAY}', INTERVAL '1 month') g"
            )

    def load_chunk(self, key: str, name: str, chunk: Chunk, report: ErrorSink) -> int:
        import psycopg

        table = self.tables[key]
        columns = ", ".join(self.columns(key))
        data = chunk.data
        if b"\r" in data:
            data = data.replace(b"\r\n", b"\n")
        if is_plain(data):
            try:
                copy_sql = f"COPY {table} ({columns}) FROM STDIN (FORMAT csv, DELIMITER ';')"
                with transaction.atomic(), connection.cursor() as cursor:
                    with cursor.copy(copy_sql) as copy:
                        copy.write(data)
                    # One row per line in a plain block that the server accepted.
                    chunk.lines = cursor.rowcount
                return chunk.lines
            except psycopg.DataError:
                pass  # a row of the wrong width: parse the block in Python to report each one
        staged = 0
        with transaction.atomic(), connection.cursor() as cursor:
            with cursor.copy(f"COPY {table} (line, bad, {columns}) FROM STDIN") as copy:
                for row in parse_rows(name, chunk, self.widths[key], report):
                    copy.write_row(row)
                    staged += 1
            # The server numbers the next plain block from here.
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence(%s, 'line'), %s, false)",
                [table, chunk.first_line + chunk.lines],
            )
        return staged

    @staticmethod
    def drop_abandoned(keep: set[int]) -> list[int]:
        """Drop the staging tables of imports that are not running (a killed process leaves them)."""
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() AND tablename LIKE %s",
                [r"dashboard\_stg\_%"],
            )
            abandoned = {}
            for (table,) in cursor.fetchall():
                import_id = table.split("_")[2]
                if import_id.isdigit() and int(import_id) not in keep:
                    abandoned.setdefault(int(import_id), []).append(table)
            for tables in abandoned.values():
                cursor.execute(f"DROP TABLE IF EXISTS {', '.join(tables)}")
        return sorted(abandoned)

    def drop(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() AND tablename LIKE %s",
                [self.prefix.replace("_", r"\_") + "%"],
            )
            tables = [row[0] for row in cursor.fetchall()]
            if tables:
                cursor.execute(f"DROP TABLE IF EXISTS {', '.join(tables)}")
        self.tables.clear()


class SqliteStaging(Staging):
    create_table_sql = "CREATE TEMP TABLE {table} ({columns})"

    def _fill_calendars(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                f"WITH RECURSIVE c(d) AS (SELECT '{FIRST_DAY}' UNION ALL "
                f"SELECT date(d, '+1 day') FROM c WHERE d < '{LAST_DAY}') "
                f"INSERT INTO {self.tables['calendar']} (d, day) SELECT d, d FROM c"
            )
            cursor.execute(
                f"WITH RECURSIVE c(d) AS (SELECT '{FIRST_DAY}' UNION ALL "
                f"SELECT date(d, '+1 month') FROM c WHERE d < '{LAST_DAY[:8]}01') "
                f"INSERT INTO {self.tables['months']} (m, m16, m26, day) SELECT strftime('%Y-%m', d), "
                "strftime('%Y-%m', date(d, '+16 years')), strftime('%Y-%m', date(d, '+26 years')), d FROM c"
            )

    def load_chunk(self, key: str, name: str, chunk: Chunk, report: ErrorSink) -> int:
        table = self.tables[key]
        width = self.widths[key]
        placeholders = ", ".join(["%s"] * (width + 2))
        rows = list(parse_rows(name, chunk, width, report))
        with connection.cursor() as cursor:
            cursor.executemany(f"INSERT INTO {table} VALUES ({placeholders})", rows)
        return len(rows)

    def finish_file(self, key: str, column: str | None) -> None:
        if column:
            with connection.cursor() as cursor:
                cursor.execute(f"CREATE INDEX {self.tables[key]}_id ON {self.tables[key]} ({column})")

    def drop(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT name FROM sqlite_temp_master WHERE type = 'table' AND name LIKE %s ESCAPE '\\'",
                [self.prefix.replace("_", "\\_") + "%"],
            )
            for (table,) in cursor.fetchall():
                cursor.execute(f"DROP TABLE IF EXISTS temp.{table}")
        self.tables.clear()
