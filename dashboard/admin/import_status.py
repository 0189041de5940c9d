"""What an import's page says first: how the import went, and what the operator does next.

One alert at the top of the page (DSFR markup, ``role="alert"`` when something went
wrong), built from the record alone, so that it says the same after a reload, from
the worker or from the request: the import is waiting or running (the page follows
it), it failed (the reason, the error CSV, fix and upload again), or it succeeded
(the recompute it owes is running, then its snapshot is to be validated for
publication, or is published).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.urls import reverse

from cnml.formatting import format_count
from cnml.models import OutboxMessage
from dashboard.models import ExtractImport, ImportStatus
from dashboard.models.snapshots import Snapshot, SnapshotStatus
from dashboard.services import STEP_REFUSED
from dashboard.tasks import RECOMPUTE_AFTER_IMPORT_KEY


@dataclass
class Link:
    label: str
    url: str


@dataclass
class ImportAlert:
    """The alert: ``kind`` is the DSFR alert's type (error, success, info)."""

    kind: str
    title: str
    text: str = ""
    next_step: str = ""
    links: list[Link] = field(default_factory=list)
    # Still moving: the page polls (static/dashboard/admin/import-progress.js) and reloads at the end.
    following: bool = False


def recompute_owed(extract_import: ExtractImport) -> bool:
    """The recompute a successful import owes is recorded and not run yet (nor abandoned)."""
    return OutboxMessage.objects.filter(
        key=RECOMPUTE_AFTER_IMPORT_KEY.format(extract_import.pk), done_at__isnull=True, failed_at__isnull=True
    ).exists()


def latest_snapshot(extract_import: ExtractImport) -> Snapshot | None:
    return Snapshot.objects.filter(extract_import=extract_import).order_by("-pk").first()


def import_alert(extract_import: ExtractImport, *, may_validate: bool) -> ImportAlert:
    status = extract_import.status
    if status == ImportStatus.FAILED:
        return _failed(extract_import)
    if status == ImportStatus.SUCCEEDED:
        return _succeeded(extract_import, may_validate=may_validate)
    if status == ImportStatus.RUNNING:
        return ImportAlert(
            "info",
            "Import en cours",
            f"Étape : {extract_import.step or 'démarrage'}. Les données en place restent affichées jusqu'à la fin.",
            "Cette page suit sa progression et dira quoi faire une fois l'import terminé.",
            following=True,
        )
    return ImportAlert(
        "info",
        "Import en attente de traitement",
        "L'extraction est déposée ; l'import n'a pas encore commencé.",
        "Cette page suit sa progression et dira quoi faire une fois l'import terminé.",
        following=True,
    )


def _failed(extract_import: ExtractImport) -> ImportAlert:
    upload = Link("Déposer une extraction corrigée", reverse("admin:dashboard_extractimport_add"))
    if extract_import.step != STEP_REFUSED or not extract_import.errors_in_files:
        # Not an error of the files (the service was down, the process stopped…): its message says why.
        reason = extract_import.first_error or "Cause inconnue."
        return ImportAlert(
            "error",
            "Import échoué : les données en place n'ont pas changé",
            reason,
            "Déposez de nouveau l'extraction.",
            [Link("Déposer l'extraction", upload.url)],
        )
    count = extract_import.error_count
    kept = len(extract_import.error_details)
    errors = format_count(count, "erreur", feminine=True)
    first = extract_import.first_error
    csv_label = "Télécharger les erreurs (CSV)"
    if kept < count:
        csv_label = f"Télécharger les {format_count(kept, 'première erreur', feminine=True)} (CSV)"
    return ImportAlert(
        "error",
        "Import refusé : les données en place n'ont pas changé",
        f"{errors[0].upper()}{errors[1:]} dans les fichiers de l'extraction. Première : {first}",
        "Corrigez les fichiers, puis déposez de nouveau l'extraction.",
        [
            Link(csv_label, reverse("admin:dashboard_extractimport_errors_csv", args=[extract_import.pk])),
            Link("Lire les erreurs sur cette page", "#erreurs"),
            upload,
        ],
    )


def _succeeded(extract_import: ExtractImport, *, may_validate: bool) -> ImportAlert:
    title = "Import réussi : ses données remplacent les précédentes"
    snapshot = latest_snapshot(extract_import)
    if snapshot is None or snapshot.status == SnapshotStatus.COMPUTING:
        if snapshot is not None or recompute_owed(extract_import):
            return ImportAlert(
                "success",
                title,
                "Le recalcul des indicateurs est en cours.",
                "Cette page se met à jour à la fin du calcul : il restera à le valider pour publication.",
                following=True,
            )
        return ImportAlert(
            "success",
            title,
            "Aucun calcul des indicateurs n'a encore été fait sur ces données.",
            "Lancez un recalcul des indicateurs, puis validez-le pour publication.",
            [Link("Calculs des indicateurs", reverse("admin:dashboard_snapshot_changelist"))],
        )
    snapshot_link = Link(str(snapshot), reverse("admin:dashboard_snapshot_change", args=[snapshot.pk]))
    if snapshot.status == SnapshotStatus.FAILED:
        return ImportAlert(
            "error",
            "Import réussi, mais le calcul des indicateurs a échoué",
            snapshot.error or "",
            "Relancez un recalcul des indicateurs depuis la liste des calculs.",
            [Link("Calculs des indicateurs", reverse("admin:dashboard_snapshot_changelist"))],
        )
    if snapshot.is_validated:
        return ImportAlert(
            "success",
            title,
            f"{snapshot} est validé : ses chiffres sont publics.",
            links=[snapshot_link],
        )
    links = [snapshot_link]
    if may_validate and not snapshot.data_demo:
        links.insert(
            0, Link("Valider pour publication", reverse("admin:dashboard_snapshot_validate", args=[snapshot.pk]))
        )
    return ImportAlert(
        "success",
        title,
        f"{snapshot} est terminé : ses chiffres sont provisoires, visibles des seules personnes connectées.",
        "Vérifiez-les, puis validez le calcul pour les publier.",
        links,
    )
