"""Reading the warehouse's CSV files (format "P3-2011") with errors people can act on.

Shared by the structure loader here and the extract importer of the dashboard:
UTF-8 with or without BOM, ``;`` delimiter, header required, column order free,
extra columns ignored. Errors name the file, the line as a spreadsheet numbers
it (the header is line 1) and the column, in French.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

DELIMITER = ";"


@dataclass(frozen=True)
class CsvError:
    file: str
    line: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = [self.file]
        if self.line is not None:
            where.append(f"ligne {self.line}")
        if self.column:
            where.append(f"colonne {self.column}")
        return f"{', '.join(where)} : {self.message}"


class CsvFileError(Exception):
    """The file cannot be read at all (missing, encoding, delimiter, header)."""

    def __init__(self, error: CsvError):
        super().__init__(str(error))
        self.error = error


def read_rows(path: Path, required: Sequence[str]) -> Iterator[tuple[int, dict[str, str]]]:
    """Yield ``(line_number, row)`` for each data row, values stripped.

    Raises :class:`CsvFileError` when the file as a whole is unusable. Rows are
    streamed: memory does not grow with the file.
    """
    name = path.name
    if not path.exists():
        raise CsvFileError(CsvError(name, None, None, "fichier manquant dans l'extraction"))
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            header_line = handle.readline()
            if not header_line.strip():
                raise CsvFileError(CsvError(name, 1, None, "fichier vide : la ligne d'en-tête est absente"))
            header = [column.strip() for column in next(csv.reader([header_line], delimiter=DELIMITER))]
            if len(header) == 1 and any(sep in header_line for sep in (",", "\t", "|")):
                raise CsvFileError(
                    CsvError(name, 1, None, "séparateur incorrect : les colonnes doivent être séparées par « ; »")
                )
            missing = [column for column in required if column not in header]
            if missing:
                label = "colonne obligatoire absente" if len(missing) == 1 else "colonnes obligatoires absentes"
                raise CsvFileError(CsvError(name, 1, ", ".join(missing), label))
            positions = {column: header.index(column) for column in required}
            width = len(header)
            for offset, values in enumerate(csv.reader(handle, delimiter=DELIMITER)):
                line = offset + 2
                if not values or (len(values) == 1 and not values[0].strip()):
                    continue
                if len(values) < width:
                    values = values + [""] * (width - len(values))
                yield line, {column: values[index].strip() for column, index in positions.items()}
    except UnicodeDecodeError as exc:
        raise CsvFileError(
            CsvError(
                name,
                None,
                None,
                f"encodage illisible (octet {exc.start + 1}) : le fichier doit être enregistré en UTF-8",
            )
        ) from exc
