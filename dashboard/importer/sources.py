"""Where an extract's files come from (a folder or a zip archive), and how they are read.

Files are streamed: a data file is read in blocks of about a megabyte cut at line
ends (:class:`ChunkReader`), each block checked as UTF-8 and handed to the
staging loader whole. Memory holds one block at a time, whatever the size of
the extract; zip members are decompressed on the fly, never extracted.

A zip is inspected before anything is read (:func:`dashboard.importer.limits.inspect_zip`)
and every file is read through :class:`~dashboard.importer.limits.GuardedStream`,
which counts bytes and rows against the limits of the settings.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from cnml.csvfiles import (
    BOM,
    CsvError,
    CsvFileError,
    encoding_error,
    missing_file_error,
    parse_header,
)
from dashboard.importer.limits import ExtractLimits, GuardedStream, ReadBudget, inspect_zip, is_ignored

CHUNK_BYTES = 1 << 20
# A record longer than this (a quote never closed, a binary file) stops the file.
MAX_RECORD_BYTES = 16 << 20
MAX_HEADER_BYTES = 64 << 10


class ExtractError(Exception):
    """The extract as a whole cannot be opened (not a folder, not a zip, unreadable archive, over the limits)."""

    def __init__(self, *errors: CsvError):
        super().__init__("; ".join(str(error) for error in errors))
        self.errors = list(errors)


class ExtractSource:
    """The five files of an extract, opened by name, read through the limits."""

    label: str
    budget: ReadBudget

    @property
    def limits(self) -> ExtractLimits:
        return self.budget.limits

    def open(self, name: str) -> BinaryIO | None:
        raise NotImplementedError

    def names(self) -> list[str]:
        raise NotImplementedError

    def close(self) -> None:
        pass

    def missing_error(self, name: str) -> CsvError:
        error = missing_file_error(name)
        similar = [other for other in self.names() if other.lower() == name.lower() and other != name]
        if similar:
            return CsvError(
                name,
                None,
                None,
                f"fichier manquant dans l'extraction (un fichier « {similar[0]} » est présent : "
                f"renommez-le « {name} », en minuscules)",
                error.reason,
            )
        return error

    def member(self, name: str) -> MemberSource:
        return MemberSource(self, name)

    def __enter__(self) -> ExtractSource:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()


class FolderSource(ExtractSource):
    def __init__(self, path: Path, limits: ExtractLimits):
        self.path = path
        self.label = str(path)
        self.budget = ReadBudget(limits)

    def open(self, name: str) -> BinaryIO | None:
        file = self.path / name
        if not file.is_file():
            return None
        return GuardedStream(file.open("rb"), name=name, limits=self.limits, budget=self.budget)

    def names(self) -> list[str]:
        return [child.name for child in self.path.iterdir() if child.is_file()]


class ZipSource(ExtractSource):
    """A zip archive; its CSV files may sit at the root or in one folder."""

    def __init__(self, file: Path | BinaryIO, label: str, limits: ExtractLimits):
        self.label = label
        self.budget = ReadBudget(limits)
        self._own_file = open(file, "rb") if isinstance(file, Path) else None  # noqa: SIM115 - closed in close()
        file = self._own_file or file
        try:
            errors = inspect_zip(file, label, limits)
            if errors:
                raise ExtractError(*errors)
            self.archive = zipfile.ZipFile(file)
        except (zipfile.BadZipFile, OSError) as exc:
            self._close_own_file()
            raise ExtractError(
                CsvError(label, None, None, "archive illisible : ce n'est pas un fichier zip valide", "archive")
            ) from exc
        except ExtractError:
            self._close_own_file()
            raise
        self.members: dict[str, zipfile.ZipInfo] = {}
        self.duplicates: set[str] = set()
        for info in self.archive.infolist():
            path = PurePosixPath(info.filename)
            if info.is_dir() or is_ignored(path):
                continue
            if path.name in self.members:
                self.duplicates.add(path.name)
            self.members[path.name] = info

    def open(self, name: str) -> BinaryIO | None:
        if name in self.duplicates:
            raise CsvFileError(
                CsvError(name, None, None, "plusieurs fichiers de ce nom dans l'archive : gardez-en un seul", "archive")
            )
        info = self.members.get(name)
        if info is None:
            return None
        try:
            stream = self.archive.open(info)
        except (zipfile.BadZipFile, RuntimeError, NotImplementedError, OSError) as exc:
            # RuntimeError: encrypted member; NotImplementedError: unknown compression.
            raise CsvFileError(
                CsvError(name, None, None, f"fichier illisible dans l'archive ({exc})", "archive")
            ) from exc
        return GuardedStream(
            stream,
            name=name,
            limits=self.limits,
            budget=self.budget,
            declared_size=info.file_size,
            compressed_size=info.compress_size,
        )

    def names(self) -> list[str]:
        return list(self.members)

    def close(self) -> None:
        self.archive.close()
        self._close_own_file()

    def _close_own_file(self) -> None:
        if self._own_file is not None:
            self._own_file.close()


def open_extract(
    path: Path | str | BinaryIO, label: str | None = None, limits: ExtractLimits | None = None
) -> ExtractSource:
    """A folder or a zip (a path, or an open binary file such as an uploaded archive), read within ``limits``."""
    limits = limits or ExtractLimits.from_settings()
    if not isinstance(path, str | Path):
        return ZipSource(path, label or "archive", limits)
    path = Path(path)
    label = label or path.name
    if path.is_dir():
        return FolderSource(path, limits)
    if not path.exists():
        raise ExtractError(
            CsvError(label, None, None, "introuvable : indiquez un dossier ou une archive .zip", "archive")
        )
    return ZipSource(path, label, limits)


@dataclass(frozen=True)
class MemberSource:
    """One file of an extract as a :class:`cnml.csvfiles.CsvSource` (for structures.csv)."""

    extract: ExtractSource
    name: str

    def open(self) -> BinaryIO | None:
        return self.extract.open(self.name)


@dataclass
class Chunk:
    """Complete lines of a data file: ``data`` ends with a line break."""

    data: bytes
    first_line: int
    # Decoded text, when the block is not pure ASCII (already decoded to check it).
    text: str | None = None
    _lines: int | None = None

    @property
    def lines(self) -> int:
        """Number of physical lines (counted only if the loader has not said)."""
        if self._lines is None:
            self._lines = self.data.count(b"\n")
        return self._lines

    @lines.setter
    def lines(self, value: int) -> None:
        self._lines = value

    def decoded(self) -> str:
        return self.text if self.text is not None else self.data.decode("ascii")


class ChunkReader:
    """Read a data file: its header, then blocks of whole lines.

    Blocks are cut at a line break outside double quotes, so that a quoted
    value never straddles two blocks. Raises :class:`CsvFileError` for an
    unreadable file (encoding, header) with the exact line.
    """

    def __init__(self, name: str, stream: BinaryIO, chunk_bytes: int | None = None):
        self.name = name
        self.stream = stream
        self.chunk_bytes = chunk_bytes or CHUNK_BYTES
        first = stream.readline(MAX_HEADER_BYTES)
        if first.startswith(BOM):
            first = first[len(BOM) :]
        self.header = parse_header(name, first)
        # A header without a final line break means a file with a header only.
        self.next_line = 2

    def __iter__(self) -> Iterator[Chunk]:
        pending = b""
        while True:
            block = self.stream.read(self.chunk_bytes)
            if not block:
                break
            data = pending + block if pending else block
            cut = self._cut(data)
            if cut == 0:
                if len(data) > MAX_RECORD_BYTES:
                    raise CsvFileError(
                        CsvError(
                            self.name,
                            self.next_line,
                            None,
                            "ligne démesurée : un guillemet n'est sans doute jamais refermé",
                            "field_count",
                        )
                    )
                pending = data
                continue
            pending = data[cut:]
            chunk = self._chunk(data[:cut])
            yield chunk
            self.next_line += chunk.lines
        if pending.strip():
            chunk = self._chunk(pending if pending.endswith(b"\n") else pending + b"\n")
            yield chunk
            self.next_line += chunk.lines

    @staticmethod
    def _cut(data: bytes) -> int:
        """Position just after the last line break that is not inside quotes (0: none)."""
        cut = data.rfind(b"\n") + 1
        if cut and b'"' in data:
            quotes = data.count(b'"', 0, cut)
            while cut and quotes % 2:
                previous = data.rfind(b"\n", 0, cut - 1) + 1
                quotes -= data.count(b'"', previous, cut)
                cut = previous
        return cut

    def _chunk(self, data: bytes) -> Chunk:
        text = None
        if not data.isascii():
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError as exc:
                line = self.next_line + data.count(b"\n", 0, exc.start)
                raise CsvFileError(encoding_error(self.name, line, exc)) from exc
        return Chunk(data, self.next_line, text)
