"""What the snapshot tests (syrupy, ``tests/<app>/test_snapshots.py``) compare: pages and exports as text.

A change of a page or an export that no assertion names (a column gone, a figure formatted another
way, a heading renamed) shows as a diff of the stored snapshot. When the change is wanted, update the
snapshots and review the diff of ``__snapshots__/`` like code::

    .venv/bin/pytest tests/dashboard/test_snapshots.py --snapshot-update

Only the main content is kept (``<main>``, not the frame), normalised so that a snapshot is the same
on SQLite and PostgreSQL, alone or in parallel, on any day: the tests run at the frozen
``tests.clock.NOW`` with fixed names; CSRF tokens, nonces and database ids (which differ between runs
and databases) are masked; charts' drawings are reduced to their labels (their figures are in the
tables beside them, or guarded by the app's own chart tests when the block is collapsed).
"""

from __future__ import annotations

import csv
import io
import re

from bs4 import BeautifulSoup, Comment
from openpyxl import load_workbook
from pypdf import PdfReader

# Attributes holding URLs or element ids, where database ids appear.
URL_ATTRIBUTES = ("href", "action", "formaction", "src", "data-url")
ID_ATTRIBUTES = ("id", "for", "name", "aria-describedby", "aria-labelledby", "aria-controls", "headers")
_PATH_ID = re.compile(r"/\d+(?=/|$|[?#.])")
_NUMBER = re.compile(r"\d+")


def main_html(response, *, collapse: tuple[str, ...] = ()) -> str:
    """The page's ``<main>``, one tag per line, with what changes from run to run masked.

    ``collapse``: CSS selectors of repeated blocks guarded elsewhere (a dashboard's charts), each
    reduced to its headings: the snapshot still lists them, without their many rows.
    """
    soup = BeautifulSoup(response.content.decode(), "html.parser")
    main = soup.find("main")
    assert main is not None, "la page n'a pas de <main>"
    for comment in main.find_all(string=lambda text: isinstance(text, Comment)):
        comment.extract()
    for selector in collapse:
        for block in main.select(selector):
            headings = [heading.extract() for heading in block.find_all(re.compile(r"^h[1-6]$"))]
            block.clear()
            for heading in headings:
                block.append(heading)
    for svg in main.find_all("svg"):
        label = svg.get("aria-label") or (svg.title.get_text(strip=True) if svg.title else "")
        svg.clear()
        svg.attrs = {"aria-label": label} if label else {}
    for tag in main.find_all(True):
        _mask(tag)
    return main.prettify()


def _mask(tag) -> None:
    if tag.name == "input" and tag.get("name") == "csrfmiddlewaretoken":
        tag["value"] = "{csrf}"
    if tag.has_attr("nonce"):
        tag["nonce"] = "{nonce}"
    for attribute in URL_ATTRIBUTES:
        if tag.has_attr(attribute):
            tag[attribute] = _PATH_ID.sub("/{id}", tag[attribute])
    for attribute in ID_ATTRIBUTES:
        if tag.has_attr(attribute):
            value = tag[attribute]
            value = " ".join(value) if isinstance(value, list) else value
            tag[attribute] = _NUMBER.sub("{n}", value)


def csv_rows(response) -> list[list[str]]:
    """A CSV download (``;``-separated, UTF-8 with BOM), row by row."""
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))


def xlsx_rows(response) -> dict[str, list[list]]:
    """An XLSX download: each sheet's rows of values, by sheet title."""
    content = b"".join(response.streaming_content) if response.streaming else response.content
    book = load_workbook(io.BytesIO(content), read_only=True)
    return {sheet.title: [list(row) for row in sheet.iter_rows(values_only=True)] for sheet in book.worksheets}


def pdf_text(response) -> list[str]:
    """A PDF download's text, page by page, spaces collapsed."""
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return [re.sub(r"[ \t]+", " ", page.extract_text() or "").strip() for page in PdfReader(io.BytesIO(content)).pages]
