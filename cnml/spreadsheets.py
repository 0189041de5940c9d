"""The one writer of spreadsheets: every CSV and XLSX the product hands out, admin exports included.

Text typed by users never becomes a formula (OWASP, « CSV injection »). A text cell that starts with
``=``, ``+``, ``-``, ``@``, a tab or a carriage return is

- in a CSV, prefixed with an apostrophe: spreadsheet software then reads the cell as text;
- in an XLSX, stored as text, never as a formula, with the « quote prefix » Excel sets when one
  types ``'=...``: the cell shows the user's very characters and stays text when edited.

Numbers stay numbers: a negative number is not text, and a text that is only a signed number
(``-6,5``, ``+33``) runs nothing, so it is left as it is.

Every CSV follows the French conventions (``;``, decimal commas, a BOM so that spreadsheet software
reads the accents as UTF-8): the pages', the commands' and the admin's alike. The admin
(django-import-export) writes through :data:`ADMIN_EXPORT_FORMATS`, which the ``EXPORT_FORMATS``
setting names for every model admin, and reads back through the same formats (``IMPORT_FORMATS``).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from datetime import date, time
from decimal import Decimal
from functools import cache
from typing import TextIO

import tablib
from django.http import HttpResponse
from import_export.formats import base_formats
from openpyxl.utils.exceptions import IllegalCharacterError

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_SIGNED_NUMBER = re.compile(r"[+-][0-9]+(?:[.,][0-9]+)?")


def starts_like_formula(text: str) -> bool:
    """Whether spreadsheet software would run ``text`` as a formula (a signed number runs nothing)."""
    return text.startswith(FORMULA_STARTS) and not _SIGNED_NUMBER.fullmatch(text)


def neutralise(text: str) -> str:
    """The CSV cell of ``text``: an apostrophe before what would run as a formula."""
    return f"'{text}" if starts_like_formula(text) else text


def _csv_cell(value, *, decimal_comma: bool):
    if value is None or isinstance(value, (int, date, time)):  # bool is an int; dates print as ISO
        return value
    if isinstance(value, (float, Decimal)):
        # French spreadsheets read "4,7" as a number in a ";"-separated file.
        return str(value).replace(".", ",") if decimal_comma else value
    return neutralise(str(value))  # lazy translations and other objects print as text


def write_csv(
    stream: TextIO,
    rows: Iterable[Sequence],
    *,
    headers: Sequence[str] | None = None,
    delimiter: str = ";",
    decimal_comma: bool = True,
    lineterminator: str = "\r\n",
) -> None:
    """Write ``headers`` then ``rows`` to ``stream`` as CSV, every text cell neutralised."""
    writer = csv.writer(stream, delimiter=delimiter, lineterminator=lineterminator)
    if headers:
        writer.writerow([_csv_cell(value, decimal_comma=decimal_comma) for value in headers])
    for row in rows:
        writer.writerow([_csv_cell(value, decimal_comma=decimal_comma) for value in row])


def csv_text(
    dataset: tablib.Dataset,
    *,
    delimiter: str = ";",
    decimal_comma: bool = True,
    bom: bool = True,
) -> str:
    """A dataset as CSV text; by default the French way: ``;``, decimal commas and a BOM."""
    stream = io.StringIO()
    if bom:
        stream.write("\ufeff")
    write_csv(stream, dataset, headers=dataset.headers, delimiter=delimiter, decimal_comma=decimal_comma)
    return stream.getvalue()


def _keep_text(cell) -> None:
    """A text cell stays text: never a formula (``=``) nor an error code (``#N/A``)."""
    if not isinstance(cell.value, str):
        return
    cell.data_type = "s"
    if cell.value.startswith(FORMULA_STARTS):
        cell.quotePrefix = True


@cache
def _xlsx_format():
    """tablib's XLSX writer (its bold headers, frozen first row, widths), every text cell kept as text.

    tablib fills each sheet in ``dset_sheet``, where openpyxl types a text starting with ``=`` as a
    formula; the cells are re-typed right after (tests/cnml/test_spreadsheets.py reads the file back).
    """

    class TextKeepingXLSX(tablib.formats.registry.get_format("xlsx")):
        @classmethod
        def dset_sheet(cls, dataset, ws, *args, **kwargs):
            super().dset_sheet(dataset, ws, *args, **kwargs)
            for row in ws.iter_rows():
                for cell in row:
                    _keep_text(cell)

    return TextKeepingXLSX


def xlsx_bytes(sheets: tablib.Dataset | tablib.Databook) -> bytes:
    """One dataset (one sheet) or a databook (a sheet per dataset) as an XLSX file."""
    if isinstance(sheets, tablib.Databook):
        return _xlsx_format().export_book(sheets)
    return _xlsx_format().export_set(sheets)


def _attachment(content: str | bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def csv_response(dataset: tablib.Dataset, *, filename: str) -> HttpResponse:
    """A download of ``dataset`` as a French CSV."""
    return _attachment(csv_text(dataset), CSV_CONTENT_TYPE, filename)


def xlsx_response(sheets: tablib.Dataset | tablib.Databook, *, filename: str) -> HttpResponse:
    """A download of ``sheets`` as an XLSX file."""
    return _attachment(xlsx_bytes(sheets), XLSX_CONTENT_TYPE, filename)


# --- The admin's exports (django-import-export) ------------------------------------------------------


class AdminCSV(base_formats.CSV):
    """The admin's CSV through the writer, the French way; its imports read it back."""

    def export_data(self, dataset, **kwargs):
        return csv_text(dataset)

    def create_dataset(self, in_stream, **kwargs):
        """A file exported here (``;``, a BOM) or typed elsewhere with commas: the header line tells."""
        text = in_stream.decode("utf-8-sig") if isinstance(in_stream, bytes) else in_stream.removeprefix("\ufeff")
        header = text.partition("\n")[0]
        delimiter = ";" if header.count(";") >= header.count(",") else ","
        return tablib.import_set(text, format="csv", delimiter=delimiter, **kwargs)


class AdminXLSX(base_formats.XLSX):
    """The admin's XLSX through the writer."""

    def export_data(self, dataset, **kwargs):
        try:
            return xlsx_bytes(dataset)
        except IllegalCharacterError as error:
            # The admin shows a ValueError's message on the export page (import-export does the same).
            raise ValueError("Export impossible : une cellule contient un caractère de contrôle.") from error


# import-export hands native values (numbers, dates) to the formats of this list only, which it
# compares by exact type: without this, the admin's XLSX would hold every number as text.
if AdminXLSX not in base_formats.BINARY_FORMATS:
    base_formats.BINARY_FORMATS.append(AdminXLSX)

ADMIN_EXPORT_FORMATS = [AdminCSV, AdminXLSX]
# What the admin exports, it imports: the same CSV and XLSX.
ADMIN_IMPORT_FORMATS = ADMIN_EXPORT_FORMATS
