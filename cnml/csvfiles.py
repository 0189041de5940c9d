"""Reading the warehouse's CSV files (format "P3-2011") with errors people can act on.

Shared by the structure loader here and the extract importer of the dashboard:
UTF-8 with or without BOM, ``;`` delimiter, header required, column order free,
extra columns ignored. Errors name the file, the line as a spreadsheet numbers
it (the header is line 1) and the column, in French.

A file is read from a :class:`CsvSource`: a path on disk (:class:`FileSource`)
or anything else that can open a binary stream (a member of a zip archive, see
the dashboard's importer). Nothing is ever read whole into memory.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Protocol

DELIMITER = ";"
BOM = b"\xef\xbb\xbf"
OTHER_DELIMITERS = (",", "\t", "|")


@dataclass(frozen=True)
class CsvError:
    file: str
    line: int | None
    column: str | None
    message: str
    # A stable code grouping errors of one kind ("invalid_date"), for counts by reason.
    reason: str = ""
    # The offending value as read, when there is one (the import's error CSV has a column for it).
    value: str | None = None

    def __str__(self) -> str:
        where = [self.file]
        if self.line is not None:
            where.append(f"ligne {self.line}")
        if self.column:
            where.append(f"colonne {self.column}")
        return f"{', '.join(where)} : {self.message}"


class CsvFileError(Exception):
    """The file cannot be read at all (missing, encoding, delimiter, header)."""

    def __init__(self, error: CsvError):
        super().__init__(str(error))
        self.error = error


class CsvSource(Protocol):
    """Where a CSV file comes from: its name in messages, and a binary stream."""

    name: str

    def open(self) -> BinaryIO | None:
        """A binary stream positioned at the start, or None when the file is missing."""


@dataclass(frozen=True)
class FileSource:
    path: Path

    @property
    def name(self) -> str:
        return self.path.name

    def open(self) -> BinaryIO | None:
        if not self.path.is_file():
            return None
        return self.path.open("rb")


def as_source(source: Path | str | CsvSource) -> CsvSource:
    if isinstance(source, str | Path):
        return FileSource(Path(source))
    return source


def missing_file_error(name: str) -> CsvError:
    return CsvError(name, None, None, "fichier manquant dans l'extraction", "missing_file")


def encoding_error(name: str, line: int, exc: UnicodeDecodeError) -> CsvError:
    byte = exc.object[exc.start : exc.start + 1].hex().upper() if exc.object else ""
    detail = f" (octet 0x{byte})" if byte else ""
    return CsvError(
        name,
        line,
        None,
        f"encodage illisible{detail} : le fichier doit être enregistré en UTF-8",
        "encoding",
    )


def parse_header(name: str, raw: bytes) -> list[str]:
    """The column names of a header line (BOM already removed), or CsvFileError."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise CsvFileError(encoding_error(name, 1, exc)) from exc
    if not text.strip():
        raise CsvFileError(CsvError(name, 1, None, "fichier vide : la ligne d'en-tête est absente", "empty_file"))
    header = [column.strip() for column in next(csv.reader([text], delimiter=DELIMITER))]
    if len(header) == 1 and any(sep in text for sep in OTHER_DELIMITERS):
        raise CsvFileError(
            CsvError(
                name,
                1,
                None,
                "séparateur incorrect : les colonnes doivent être séparées par « ; »",
                "delimiter",
            )
        )
    return header


def missing_column_errors(name: str, header: Sequence[str], required: Sequence[str]) -> list[CsvError]:
    """One error per required column absent from the header (with a hint on the case)."""
    lowered = {column.lower(): column for column in header}
    errors = []
    for column in required:
        if column in header:
            continue
        message = "colonne obligatoire absente"
        if column in lowered:
            message += f" (une colonne « {lowered[column]} » existe : les noms de colonnes sont en minuscules)"
        errors.append(CsvError(name, 1, column, message, "missing_column"))
    return errors


def decoded_lines(name: str, stream: BinaryIO, first_line: int = 1) -> Iterator[str]:
    """Yield the lines of a binary stream decoded as UTF-8 (line endings kept).

    A byte sequence that is not UTF-8 raises :class:`CsvFileError` naming the
    exact line. A leading byte-order mark is dropped.
    """
    line = first_line
    for raw in stream:
        if line == first_line and raw.startswith(BOM):
            raw = raw[len(BOM) :]
        try:
            yield raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise CsvFileError(encoding_error(name, line, exc)) from exc
        line += 1


def read_rows(source: Path | CsvSource, required: Sequence[str]) -> Iterator[tuple[int, dict[str, str]]]:
    """Yield ``(line_number, row)`` for each data row, values stripped.

    Raises :class:`CsvFileError` when the file as a whole is unusable. Rows are
    streamed: memory does not grow with the file. Blank lines are skipped;
    missing trailing cells read as empty.
    """
    source = as_source(source)
    name = source.name
    stream = source.open()
    if stream is None:
        raise CsvFileError(missing_file_error(name))
    with stream:
        lines = decoded_lines(name, stream)
        first = next(lines, "")
        header = parse_header(name, first.encode("utf-8"))
        missing = missing_column_errors(name, header, required)
        if len(missing) == 1:
            raise CsvFileError(missing[0])
        if missing:
            columns = ", ".join(error.column for error in missing)
            raise CsvFileError(CsvError(name, 1, columns, "colonnes obligatoires absentes", "missing_column"))
        positions = {column: header.index(column) for column in required}
        width = len(header)
        reader = csv.reader(lines, delimiter=DELIMITER)
        consumed = 1  # physical lines read so far (the header)
        for values in reader:
            line = consumed + 1
            consumed = reader.line_num + 1
            if not values or (len(values) == 1 and not values[0].strip()):
                continue
            if len(values) < width:
                values = values + [""] * (width - len(values))
            yield line, {column: values[index].strip() for column, index in positions.items()}
