"""Limits of an extract's archive, so that a hostile zip costs neither time nor memory.

Two moments, each as cheap as it can be:

- **Where the archive is deposited** (the admin's form, the service; the worker
  again when it opens it): :func:`inspect_zip` reads the zip's directory only —
  the archive's size, the number of members (from the end record, before the
  directory itself is parsed), their names (the contract's files, at the root
  or in one folder, no path that climbs out), the total size they declare and
  each one's compression ratio. Nothing is decompressed.
- **While the worker reads** a file: :class:`GuardedStream` counts the bytes
  that come out, so that a size the directory lies about does not help (more
  bytes than declared, a ratio, the total of every file: :class:`ReadBudget`),
  and the rows (lines) of each file.

Every refusal is a :class:`~cnml.csvfiles.CsvError` in French, with the reason
``archive_limit``; sizes are in Mo of 1 024 × 1 024 bytes.
"""

from __future__ import annotations

import struct
import threading
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import BinaryIO

from django.conf import settings

from cnml.csvfiles import CsvError, CsvFileError
from cnml.formatting import format_number, format_size
from dashboard.importer.spec import ALL_FILES, STRUCTURES

MEGABYTE = 1024 * 1024
# Below this, a file's ratio is not looked at: a small file of repeated lines compresses
# very well and costs nothing.
RATIO_FLOOR_BYTES = MEGABYTE
# structures.csv is read whole into memory (a network of a few thousand structures).
STRUCTURES_MAX_ROWS = 20_000
# A directory entry is 46 bytes, its name and its extra fields: a generous bound per member,
# so that a directory far larger than its members need is refused before it is parsed.
DIRECTORY_BYTES_PER_MEMBER = 4096
LIMIT = "archive_limit"

_END_RECORD = b"PK\x05\x06"
_END_RECORD_SIZE = 22
_MAX_COMMENT = 0xFFFF


@dataclass(frozen=True)
class ExtractLimits:
    archive_bytes: int
    members: int
    uncompressed_bytes: int
    ratio: int
    rows: int

    @classmethod
    def from_settings(cls) -> ExtractLimits:
        return cls(
            archive_bytes=settings.EXTRACT_MAX_ARCHIVE_MB * MEGABYTE,
            members=settings.EXTRACT_MAX_MEMBERS,
            uncompressed_bytes=settings.EXTRACT_MAX_UNCOMPRESSED_MB * MEGABYTE,
            ratio=settings.EXTRACT_MAX_COMPRESSION_RATIO,
            rows=settings.EXTRACT_MAX_ROWS,
        )

    def rows_of(self, name: str) -> int:
        return min(self.rows, STRUCTURES_MAX_ROWS) if name == STRUCTURES else self.rows


# --- the directory -----------------------------------------------------------------------


def is_ignored(path: PurePosixPath) -> bool:
    """What archivers add beside the files (macOS): tolerated, counted in the limits, never read."""
    return "__MACOSX" in path.parts or path.name.startswith(".")


def _directory_summary(file: BinaryIO) -> tuple[int, int] | None:
    """(members, directory size) from the zip's end record, or None when there is none."""
    file.seek(0, 2)
    size = file.tell()
    tail_size = min(size, _END_RECORD_SIZE + _MAX_COMMENT)
    file.seek(size - tail_size)
    tail = file.read(tail_size)
    file.seek(0)
    at = len(tail)
    while (at := tail.rfind(_END_RECORD, 0, at)) >= 0:
        if len(tail) - at >= _END_RECORD_SIZE:
            members, directory_size, _, comment = struct.unpack("<HIIH", tail[at + 10 : at + _END_RECORD_SIZE])
            if at + _END_RECORD_SIZE + comment == len(tail):
                return members, directory_size
    return None


def _member_errors(info: zipfile.ZipInfo, label: str) -> list[CsvError]:
    name = info.filename
    path = PurePosixPath(name)
    where = "les fichiers doivent être à la racine de l'archive ou dans un seul dossier"
    if name.startswith("/") or "\\" in name or ".." in path.parts or ":" in name:
        return [CsvError(label, None, None, f"chemin interdit « {name} » : {where}", LIMIT)]
    if is_ignored(path):
        return []
    depth = len(path.parts) - (0 if info.is_dir() else 1)
    if depth > 1:
        return [CsvError(label, None, None, f"dossier imbriqué « {name} » : {where}", LIMIT)]
    if info.is_dir() or path.name.lower() in ALL_FILES:  # a name in the wrong case: reported as missing
        return []
    expected = f"{', '.join(ALL_FILES[:-1])} et {ALL_FILES[-1]}"
    return [CsvError(label, None, None, f"fichier inattendu « {name} » : l'archive ne contient que {expected}", LIMIT)]


def _ratio_error(name: str, uncompressed: int, compressed: int, limit: int) -> CsvError:
    ratio = format_number(uncompressed // max(compressed, 1))
    return CsvError(
        name,
        None,
        None,
        f"taux de compression anormal ({ratio} pour 1, au plus {limit} pour 1) : archive refusée par précaution",
        LIMIT,
    )


def inspect_zip(file: BinaryIO, label: str, limits: ExtractLimits | None = None) -> list[CsvError]:
    """Everything the zip's directory tells against it; nothing decompressed. [] for an acceptable archive."""
    limits = limits or ExtractLimits.from_settings()
    file.seek(0, 2)
    size = file.tell()
    file.seek(0)
    if size > limits.archive_bytes:
        message = f"l'archive pèse {format_size(size)} : au plus {format_size(limits.archive_bytes)}"
        return [CsvError(label, None, None, message, LIMIT)]
    summary = _directory_summary(file)
    if summary is None:
        return [CsvError(label, None, None, "archive illisible : ce n'est pas un fichier zip valide", "archive")]
    members, directory_size = summary
    too_many = CsvError(
        label,
        None,
        None,
        f"l'archive contient {format_number(members)} fichiers : au plus {limits.members} "
        "(les cinq fichiers CSV de l'extraction, à la racine ou dans un dossier)",
        LIMIT,
    )
    if members > limits.members:
        return [too_many]
    if directory_size > limits.members * DIRECTORY_BYTES_PER_MEMBER:
        message = "le répertoire de l'archive est bien plus grand que ses fichiers ne le demandent : archive refusée"
        return [CsvError(label, None, None, message, LIMIT)]
    try:
        with zipfile.ZipFile(file) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return [CsvError(label, None, None, "archive illisible : ce n'est pas un fichier zip valide", "archive")]
    finally:
        file.seek(0)
    if len(infos) > limits.members:  # an end record that lied about the count
        return [too_many]
    errors = [error for info in infos for error in _member_errors(info, label)]
    total = sum(info.file_size for info in infos)
    if total > limits.uncompressed_bytes:
        message = (
            f"les fichiers de l'archive occupent {format_size(total)} une fois décompressés : "
            f"au plus {format_size(limits.uncompressed_bytes)}"
        )
        errors.append(CsvError(label, None, None, message, LIMIT))
    for info in infos:
        if info.file_size > RATIO_FLOOR_BYTES and info.file_size > info.compress_size * limits.ratio:
            errors.append(
                _ratio_error(PurePosixPath(info.filename).name, info.file_size, info.compress_size, limits.ratio)
            )
    return errors


# --- while reading -----------------------------------------------------------------------


class ReadBudget:
    """Bytes read from every file of one extract (two connections read at once)."""

    def __init__(self, limits: ExtractLimits):
        self.limits = limits
        self.total = 0
        self._lock = threading.Lock()

    def spend(self, name: str, size: int) -> None:
        with self._lock:
            self.total += size
            over = self.total > self.limits.uncompressed_bytes
        if over:
            message = (
                f"les fichiers décompressés dépassent {format_size(self.limits.uncompressed_bytes)} au total : "
                "archive refusée"
            )
            raise CsvFileError(CsvError(name, None, None, message, LIMIT))


class GuardedStream:
    """A file of the extract, read through limits: bytes declared, ratio, the extract's total, rows.

    ``declared_size`` and ``compressed_size`` come from the zip's directory (None
    for a file of a folder). The zip module's own errors (a checksum that fails
    because a declared size lied, a truncated member) become French errors.
    """

    def __init__(
        self,
        stream: BinaryIO,
        *,
        name: str,
        limits: ExtractLimits,
        budget: ReadBudget,
        declared_size: int | None = None,
        compressed_size: int | None = None,
    ):
        self.stream = stream
        self.name = name
        self.limits = limits
        self.budget = budget
        self.declared_size = declared_size
        self.allowed_by_ratio = (
            None if compressed_size is None else max(compressed_size * limits.ratio, RATIO_FLOOR_BYTES)
        )
        self.max_lines = limits.rows_of(name) + 1  # the header
        self.read_bytes = 0
        self.lines = 0

    def _error(self, message: str) -> CsvFileError:
        return CsvFileError(CsvError(self.name, None, None, message, LIMIT))

    def _count(self, data: bytes) -> bytes:
        if not data:
            return data
        self.read_bytes += len(data)
        self.lines += data.count(b"\n")
        if self.declared_size is not None and self.read_bytes > self.declared_size:
            raise self._error(
                f"fichier corrompu dans l'archive (plus d'octets que les {format_number(self.declared_size)} "
                "annoncés) : déposez-la à nouveau"
            )
        if self.allowed_by_ratio is not None and self.read_bytes > self.allowed_by_ratio:
            raise self._error(
                f"taux de compression anormal (plus de {self.limits.ratio} pour 1) : archive refusée par précaution"
            )
        # A last line without a line break is a row too: counted by the reader, not here.
        if self.lines > self.max_lines or (self.lines == self.max_lines and not data.endswith(b"\n")):
            raise self._error(
                f"plus de {format_number(self.limits.rows_of(self.name))} lignes de données : "
                "fichier refusé (limite de l'application)"
            )
        self.budget.spend(self.name, len(data))
        return data

    def _guard(self, read, *args) -> bytes:
        try:
            data = read(*args)
        except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
            raise self._error(
                "fichier corrompu dans l'archive (contenu illisible ou taille annoncée fausse) : déposez-la à nouveau"
            ) from exc
        return self._count(data)

    def read(self, size: int = -1) -> bytes:
        return self._guard(self.stream.read, size)

    def readline(self, size: int = -1) -> bytes:
        return self._guard(self.stream.readline, size)

    def __iter__(self) -> GuardedStream:
        return self

    def __next__(self) -> bytes:
        line = self.readline()
        if not line:
            raise StopIteration
        return line

    def close(self) -> None:
        self.stream.close()

    def __enter__(self) -> GuardedStream:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()
