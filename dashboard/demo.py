"""Demo figures of the tableau de bord (``python manage.py demo``), idempotent.

Imports the sample extract shipped inside the project
(``settings.DEMO_DATA_DIR / "extract-sample"``, :func:`cnml.demo.sample_extract_dir`) through the importer service,
as the demo's invented data (``demo=True``) extracted on the sample's last day
(31 December 2011: its last contact and its last entries), and recomputes the
indicators. The CNML never validates invented figures: every page, export and PDF
made from them says « données de démonstration », and the public page shows them
under that banner while no real figures are published
(:meth:`~dashboard.models.snapshots.SnapshotQuerySet.latest_public`). Run again, it
imports nothing if the same extract (same folder, extraction date, status, source
and demo flag) is already the latest successful import, and recomputes nothing if
that import already has a computed snapshot.
"""

from __future__ import annotations

from datetime import date
from typing import TextIO

from cnml.demo import ensure_shipped_rows, sample_extract_dir
from cnml.models import User
from dashboard.models import ExtractImport, ImportStatus, Snapshot
from dashboard.recompute import snapshot_recompute
from dashboard.services import DEFAULT_SOURCE_LABEL, extract_import_create, extract_import_run

# The sample runs from 2 January 2009 to 31 December 2011 (contacts, first receptions, entries).
DEMO_EXTRACTED_ON = date(2011, 12, 31)
DEMO_REVIEWER = "relecteur@demo.cnml.fr"


class DemoDashboardError(Exception):
    pass


def sample_path():
    return sample_extract_dir()


def _demo_import(path) -> tuple[ExtractImport, bool]:
    """The import of the sample, done now unless it is already the facts in place."""
    latest = (
        ExtractImport.objects.filter(status=ImportStatus.SUCCEEDED)
        .order_by("-finished_at", "-created_at", "-pk")
        .first()
    )
    if (
        latest is not None
        and latest.path == str(path)
        and latest.extracted_on == DEMO_EXTRACTED_ON
        and latest.provisional
        and latest.source_label == DEFAULT_SOURCE_LABEL
        and latest.demo
    ):
        return latest, False
    reviewer = User.objects.filter(email=DEMO_REVIEWER).first()
    extract_import = extract_import_create(
        path=path,
        extracted_on=DEMO_EXTRACTED_ON,
        provisional=True,
        source_label=DEFAULT_SOURCE_LABEL,
        created_by=reviewer,
        demo=True,
    )
    extract_import = extract_import_run(extract_import_id=extract_import.pk)
    if extract_import.status != ImportStatus.SUCCEEDED:
        errors = "\n".join(extract_import.errors[:10])
        raise DemoDashboardError(f"L'extraction de démonstration {path} a été refusée :\n{errors}")
    return extract_import, True


def demo_load_dashboard(*, stdout: TextIO) -> Snapshot | None:
    """Import and recompute the sample extract as demo data; return its snapshot (never validated)."""
    # The national objectives are data shipped by a migration; a test database emptied by a transactional
    # test no longer holds them, so the demo ensures them with the migration's own (idempotent) function.
    ensure_shipped_rows("dashboard.migrations.0001_squashed", "seed")
    path = sample_path()
    if not path.is_dir():
        stdout.write(f"Tableau de bord : extraction de démonstration absente ({path}), rien n'est importé.\n")
        return None
    extract_import, imported = _demo_import(path)
    if imported:
        counts = ", ".join(f"{name} : {count}" for name, count in extract_import.row_counts.items())
        stdout.write(f"Tableau de bord : extraction de démonstration importée ({counts}).\n")
    snapshot = Snapshot.objects.computed().filter(extract_import=extract_import).order_by("-computed_at", "-pk").first()
    if snapshot is None:
        snapshot = snapshot_recompute(extract_import_id=extract_import.pk)
        stdout.write(
            f"Tableau de bord : indicateurs calculés ({snapshot.value_count} valeurs), "
            "montrés comme données de démonstration, sans validation du CNML.\n"
        )
    return snapshot
