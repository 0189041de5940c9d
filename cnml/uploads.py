"""Uploaded files: type checked by content (not by name), size limited, stored privately.

Private files live under ``PRIVATE_MEDIA_ROOT``, outside the web server's reach,
and are only served by views that check permissions first (:func:`serve_private_file`).
"""

from __future__ import annotations

import uuid
import zipfile
from collections.abc import Iterable
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import FileSystemStorage
from django.db import models, transaction
from django.http import FileResponse, Http404
from django.utils.deconstruct import deconstructible
from django.utils.functional import LazyObject

from cnml.audit import recorded_by
from cnml.formatting import format_size

MAX_UPLOAD_BYTES = 10 * 1024 * 1024

# kind -> (label shown to users, MIME type served)
FILE_KINDS = {
    "pdf": ("PDF", "application/pdf"),
    "odt": ("ODT", "application/vnd.oasis.opendocument.text"),
    "docx": ("DOCX", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "xlsx": ("XLSX", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "ods": ("ODS", "application/vnd.oasis.opendocument.spreadsheet"),
    "png": ("PNG", "image/png"),
    "jpeg": ("JPEG", "image/jpeg"),
}
# The documents a project or an agreement keeps: texts, spreadsheets (budgets, results) and pictures.
DOCUMENT_KINDS = ("pdf", "odt", "docx", "xlsx", "ods", "png", "jpeg")
# A file picker's ``accept`` names extensions; JPEG pictures come under two.
_EXTENSIONS = {"jpeg": (".jpg", ".jpeg")}


def upload_help(kinds: Iterable[str], *, max_bytes: int = MAX_UPLOAD_BYTES, several: bool = False) -> str:
    """The help of a file field: « PDF, ODT ou PNG ; 10 Mo au plus. »; ``several`` when it takes several files."""
    labels = [FILE_KINDS[kind][0] for kind in kinds]
    types = f"{', '.join(labels[:-1])} ou {labels[-1]}" if len(labels) > 1 else labels[0]
    if several:
        return f"{types} ; {format_size(max_bytes)} au plus par fichier ; plusieurs fichiers possibles."
    return f"{types} ; {format_size(max_bytes)} au plus."


def accept_attribute(kinds: Iterable[str]) -> str:
    """A file input's ``accept`` for ``kinds``: the picker offers those files first (the content is checked)."""
    return ",".join(extension for kind in kinds for extension in _EXTENSIONS.get(kind, (f".{kind}",)))


def sniff_kind(uploaded) -> str | None:
    """Return the file's kind from its first bytes (and, for zips, their content)."""
    uploaded.seek(0)
    head = uploaded.read(8)
    uploaded.seek(0)
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(uploaded) as archive:
                names = set(archive.namelist())
                if "mimetype" in names:
                    mimetype = archive.read("mimetype").decode("ascii", "replace").strip()
                    for kind in ("odt", "ods"):
                        if mimetype == FILE_KINDS[kind][1]:
                            return kind
                if "[Content_Types].xml" in names:
                    if any(name.startswith("word/") for name in names):
                        return "docx"
                    if any(name.startswith("xl/") for name in names):
                        return "xlsx"
        except zipfile.BadZipFile:
            return None
        finally:
            uploaded.seek(0)
    return None


@deconstructible
class UploadValidator:
    """Form/model field validator: allowed kinds by content, and a size limit."""

    def __init__(self, kinds: Iterable[str], max_bytes: int = MAX_UPLOAD_BYTES):
        self.kinds = tuple(kinds)
        self.max_bytes = max_bytes

    def __call__(self, uploaded) -> None:
        if uploaded.size > self.max_bytes:
            raise ValidationError(
                f"Le fichier « {uploaded.name} » dépasse la taille maximale de {self.max_bytes // (1024 * 1024)} Mo.",
                code="file_too_large",
            )
        kind = sniff_kind(uploaded)
        if kind not in self.kinds:
            allowed = ", ".join(FILE_KINDS[k][0] for k in self.kinds)
            raise ValidationError(
                f"Le contenu du fichier « {uploaded.name} » n'est pas d'un type accepté ({allowed}).",
                code="file_type",
            )

    def __eq__(self, other) -> bool:
        return isinstance(other, UploadValidator) and (self.kinds, self.max_bytes) == (other.kinds, other.max_bytes)


class _PrivateStorage(LazyObject):
    def _setup(self):
        self._wrapped = FileSystemStorage(location=settings.PRIVATE_MEDIA_ROOT, base_url=None)


private_storage = _PrivateStorage()


def get_private_storage():
    """Callable for ``FileField(storage=...)``, keeping migrations free of paths."""
    return private_storage


def serve_private_file(field_file, *, download_name: str | None = None) -> FileResponse:
    """Serve a private file. Call only after the view has checked permissions."""
    if not field_file:
        raise Http404("Fichier introuvable.")
    try:
        handle = field_file.open("rb")
    except FileNotFoundError:
        raise Http404("Fichier introuvable.") from None
    kind = sniff_kind(handle)
    content_type = FILE_KINDS[kind][1] if kind else "application/octet-stream"
    response = FileResponse(handle, as_attachment=True, filename=download_name or field_file.name.rsplit("/", 1)[-1])
    response["Content-Type"] = content_type
    response["X-Content-Type-Options"] = "nosniff"
    return response


def delete_on_commit(names: Iterable[str]) -> None:
    """Remove private files once the transaction that drops their rows commits: a rollback keeps them."""
    names = [name for name in names if name]
    if names:
        transaction.on_commit(lambda: [private_storage.delete(name) for name in names])


class DeletesPrivateFiles:
    """Model admin mixin for rows that own private files: deleting them, one or a selection, or deleting one of
    their files' rows from an inline, removes the files once the deletion commits. ``private_files``: the path
    from the row to the files, e.g. ``"attachments__file"``."""

    private_files: str

    def delete_model(self, request, obj) -> None:
        self._delete_files(type(obj)._default_manager.filter(pk=obj.pk))
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset) -> None:
        self._delete_files(queryset)
        super().delete_queryset(request, queryset)

    def save_formset(self, request, form, formset, change) -> None:
        super().save_formset(request, form, formset, change)
        delete_on_commit(
            getattr(row, field.name).name
            for row in formset.deleted_objects
            for field in row._meta.fields
            if isinstance(field, models.FileField) and field.storage is private_storage
        )

    def _delete_files(self, owners) -> None:
        delete_on_commit(owners.values_list(self.private_files, flat=True))


def random_name(folder: str, filename: str) -> str:
    """Where ``upload_to`` keeps a file: a random name in ``folder``, neither guessable nor the user's,
    with the file's extension."""
    suffix = PurePath(filename).suffix.lower()[:10]
    return f"{folder}/{uuid.uuid4().hex}{suffix}"


def display_name(name: str) -> str:
    """The file's own name as the user knows it, without any folder a browser may send, at most
    255 characters (the end kept: it holds the extension)."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1].strip() or "fichier"
    return base[-255:]


class UploadRecord(models.Model):
    """Who deposited a private file, and when: the common part of every app's file models."""

    uploaded_by = recorded_by("déposé par")
    uploaded_at = models.DateTimeField("déposé le", auto_now_add=True)

    class Meta:
        abstract = True
