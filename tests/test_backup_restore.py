"""Backups proven by restoring them (docs/operations.md): the demo and uploads of every kind are backed
up with the commands the operator runs (``dbbackup``, ``mediabackup``), the database and the uploads
destroyed, both restored (``dbrestore``, ``mediarestore``), and nothing is lost: every table has its
rows, every upload its bytes. On SQLite (a database file, as the embedded default has it) and on
PostgreSQL (pg_dump's custom format, pg_restore), whichever ``DATABASE_URL`` names.

The test has its own backup and upload folders (pytest-xdist workers never share them) and, on
SQLite, its own database file; on PostgreSQL it empties and restores its worker's test database.
"""

from __future__ import annotations

import hashlib
import io
import os
import shutil
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.apps import apps
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.db import connection, connections, models
from django.utils.functional import empty

from cnml.uploads import private_storage
from surveys.models import Questionnaire
from tests.surveys.conftest import load_instruments

pytestmark = pytest.mark.django_db(transaction=True)

PDF = b"%PDF-1.4\n" + os.urandom(4096) + b"\n%%EOF\n"


@pytest.fixture
def backup_dir(tmp_path, monkeypatch) -> Path:
    """The test's own backup folder (django-dbbackup reads its storage options when it is imported)."""
    from dbbackup import settings as dbbackup_settings

    folder = tmp_path / "sauvegardes"
    monkeypatch.setattr(dbbackup_settings, "STORAGE_OPTIONS", {"location": str(folder)})
    return folder


@pytest.fixture
def uploads_dir(settings, tmp_path) -> Iterator[Path]:
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    private_storage._wrapped = empty
    yield settings.PRIVATE_MEDIA_ROOT
    private_storage._wrapped = empty


@pytest.fixture
def database(file_database) -> Iterator[None]:
    """SQLite: a database file of the test's own (``file_database``); PostgreSQL: the worker's test database,
    migrated again after the test should it fail between destroying and restoring."""
    yield
    if connection.vendor == "postgresql":
        call_command("migrate", verbosity=0)


def private_file_models() -> list[tuple[type[models.Model], str]]:
    """Every (model, field name) whose files are private uploads, in every app."""
    return [
        (model, field.name)
        for model in apps.get_models()
        for field in model._meta.get_fields()
        if isinstance(field, models.FileField) and field.storage is private_storage
    ]


def deposit_uploads() -> None:
    """A file of each kind the product keeps: fiche attachment, project document, agreement document,
    extract archive."""
    from alternance.models import Agreement, AgreementDocument, DocumentKind
    from dashboard.models import ExtractImport
    from mobility.models import Project, ProjectDocument
    from practices.models import Attachment, Fiche

    fiche = Fiche.objects.order_by("pk").first()
    Attachment.objects.create(fiche=fiche, name="compte-rendu.pdf", size=len(PDF), file=ContentFile(PDF, "cr.pdf"))
    project = Project.objects.order_by("pk").first()
    ProjectDocument.objects.create(project=project, title="Convention", file=ContentFile(PDF, "convention.pdf"))
    AgreementDocument.objects.create(
        agreement=Agreement.objects.order_by("pk").first(),
        kind=DocumentKind.TEXTE_SIGNE,
        title="Texte signé",
        name="accord.pdf",
        size=len(PDF),
        file=ContentFile(PDF, "accord.pdf"),
    )
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as extract:
        extract.writestr("jeunes.csv", "id_jeune;code_structure\n" + os.urandom(64).hex())
    ExtractImport.objects.order_by("pk").first().archive.save("extrait.zip", ContentFile(archive.getvalue()))


def row_counts() -> dict[str, int]:
    with connection.cursor() as cursor:
        counts = {}
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")
            counts[table] = cursor.fetchone()[0]
    return counts


def checksums(root: Path) -> dict[str, str]:
    return {
        str(path.relative_to(root)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def destroy_database() -> None:
    """The database gone: on SQLite its file (and WAL files), on PostgreSQL every table of its schema."""
    if connection.vendor == "sqlite":
        name = connection.settings_dict["NAME"]
        connections.close_all()
        for path in (name, f"{name}-wal", f"{name}-shm"):
            Path(path).unlink(missing_ok=True)
    else:
        with connection.cursor() as cursor:
            cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
        connections.close_all()


def test_the_demo_and_every_upload_come_back_whole_from_their_backups(settings, database, backup_dir, uploads_dir):
    settings.DEBUG = True  # the demo loads in development only
    # The survey instruments ship with a migration; on PostgreSQL another transactional test of this
    # worker may have emptied the tables since (as tests/surveys/conftest.py's `instruments` does).
    if not Questionnaire.objects.exists():
        load_instruments(apps, None)
    call_command("demo", stdout=io.StringIO())
    deposit_uploads()
    for model, field in private_file_models():
        assert model.objects.exclude(**{field: ""}).exists(), f"{model.__name__}.{field} : aucun fichier sauvegardé"
    counts, files = row_counts(), checksums(uploads_dir)
    assert counts["cnml_user"] > 0 and counts["practices_fiche"] > 0 and counts["dashboard_extractimport"] > 0
    assert len(files) >= 3

    call_command("dbbackup", "--clean", verbosity=0)
    call_command("mediabackup", "--clean", "--compress", verbosity=0)
    destroy_database()
    shutil.rmtree(uploads_dir)
    assert row_counts() == {}
    assert not uploads_dir.exists()

    call_command("dbrestore", "--noinput", verbosity=0)
    call_command("mediarestore", "--uncompress", "--noinput", verbosity=0)

    assert row_counts() == counts
    assert checksums(uploads_dir) == files
    # The restored rows name the restored files.
    for model, field in private_file_models():
        for row in model.objects.exclude(**{field: ""}):
            assert (uploads_dir / getattr(row, field).name).is_file()
    assert sorted(path.suffix for path in backup_dir.iterdir()) == sorted(
        [".gz", ".metadata", ".bin" if connection.vendor == "postgresql" else ".sqlite3"]
    )
