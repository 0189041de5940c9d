"""``python manage.py import_extract PATH``: import a warehouse extract (folder or .zip)."""

from __future__ import annotations

import argparse
import re
from datetime import date
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from cnml.celery import app
from cnml.formatting import format_count, format_duration, format_number
from cnml.models import User
from dashboard.importer import MAX_ERRORS
from dashboard.importer.spec import ALL_FILES
from dashboard.models import ExtractImport, ImportStatus
from dashboard.services import DEFAULT_SOURCE_LABEL, extract_import_create, extract_import_run
from dashboard.tasks import recompute_after_import


def iso_date(text: str) -> date:
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            raise ValueError(text)
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"date invalide « {text} » : format attendu AAAA-MM-JJ") from None


class Command(BaseCommand):
    help = (
        "Importe une extraction de l'entrepôt national (format P3-2011) : un dossier ou une archive .zip "
        "contenant structures.csv, jeunes.csv, contacts.csv, situations.csv et dispositifs.csv. "
        "L'extraction remplace entièrement les données de la précédente (les structures sont mises à jour) ; "
        "une extraction invalide est refusée sans rien modifier, avec la liste des erreurs. "
        "Après un import réussi, le recalcul des indicateurs est lancé. Sort avec le code 1 en cas d'échec."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="Dossier ou archive .zip de l'extraction.")
        parser.add_argument(
            "--as-of",
            type=iso_date,
            dest="as_of",
            metavar="AAAA-MM-JJ",
            help="Date d'extraction. Par défaut : la date du dernier contact de contacts.csv.",
        )
        parser.add_argument(
            "--provisional", action="store_true", help="Données provisoires (affiché avec chaque chiffre)."
        )
        parser.add_argument(
            "--source",
            default=DEFAULT_SOURCE_LABEL,
            help=f"Source citée sous chaque chiffre (par défaut « {DEFAULT_SOURCE_LABEL} »).",
        )
        parser.add_argument("--user", metavar="E-MAIL", help="Personne qui importe, consignée dans l'historique.")
        parser.add_argument(
            "--max-errors",
            type=int,
            default=MAX_ERRORS,
            help=f"Nombre d'erreurs détaillées (par défaut {MAX_ERRORS}) ; toutes sont comptées.",
        )
        parser.add_argument(
            "--no-recompute", action="store_true", help="Ne pas lancer le recalcul des indicateurs après l'import."
        )

    def handle(self, *args, path: Path, as_of, provisional, source, user, max_errors, no_recompute, **options):
        created_by = None
        if user:
            created_by = User.objects.filter(email__iexact=user).first()
            if created_by is None:
                raise CommandError(f"Utilisateur inconnu : « {user} ».")
        try:
            extract_import = extract_import_create(
                path=path.resolve(),
                extracted_on=as_of,
                provisional=provisional,
                source_label=source,
                created_by=created_by,
            )
        except ValidationError as exc:
            raise CommandError(f"Import refusé : {' '.join(exc.messages)}") from exc
        self.stdout.write(f"Import n° {extract_import.pk} de {path} en cours…")
        # With a worker, the recompute is owed in the import's own transaction (the outbox);
        # without one (tasks in-process), it runs below so that its errors reach this command.
        owed = None if no_recompute or app.conf.task_always_eager else recompute_after_import
        extract_import = extract_import_run(
            extract_import_id=extract_import.pk, max_errors=max(1, max_errors), owed_on_success=owed
        )
        if extract_import.status != ImportStatus.SUCCEEDED:
            self._write_failure(extract_import)
            raise CommandError(
                f"Import refusé : {self._errors(extract_import.error_count)}. Les données en place n'ont pas changé."
            )
        self._write_success(extract_import, as_of_given=as_of is not None)
        if owed is not None:
            self.stdout.write("Recalcul des indicateurs confié au worker Celery.")
        elif not no_recompute:
            self._recompute(extract_import)

    @staticmethod
    def _errors(count: int) -> str:
        return format_count(count, "erreur", feminine=True)

    def _write_counts(self, extract_import: ExtractImport) -> None:
        for name in ALL_FILES:
            if name in extract_import.row_counts:
                count = extract_import.row_counts[name]
                self.stdout.write(f"  {name} : {format_count(count, 'ligne', feminine=True)}")

    def _write_success(self, extract_import: ExtractImport, *, as_of_given: bool) -> None:
        status = "données provisoires" if extract_import.provisional else "données définitives"
        self.stdout.write(
            self.style.SUCCESS(
                f"Import n° {extract_import.pk} réussi en {format_duration(extract_import.duration, empty='0 s')} : "
                "les données de l'extraction remplacent les précédentes."
            )
        )
        self._write_counts(extract_import)
        origin = "" if as_of_given else " (date du dernier contact, faute de --as-of)"
        self.stdout.write(f"Date d'extraction : {extract_import.extracted_on:%d/%m/%Y}{origin} ; {status}.")
        self.stdout.write(f"Source : {extract_import.source_label}.")
        report = extract_import.quality_report
        remarks = [item for item in report.get("suspicious", []) if item.get("count")]
        empty = report.get("structures_without_data", [])
        if remarks or empty:
            self.stdout.write("Qualité des données, à vérifier :")
            for item in remarks:
                self.stdout.write(f"  {item['label']} : {format_number(item['count'])}")
            if empty:
                codes = ", ".join(structure["code"] for structure in empty[:20])
                more = " …" if len(empty) > 20 else ""
                self.stdout.write(f"  Missions locales et PAIO sans aucun jeune : {len(empty)} ({codes}{more})")

    def _write_failure(self, extract_import: ExtractImport) -> None:
        total = extract_import.error_count
        self.stderr.write(
            self.style.ERROR(f"Import n° {extract_import.pk} refusé : {self._errors(total)}. Rien n'a été modifié.")
        )
        if extract_import.row_counts:
            self.stderr.write("Lignes lues :")
            for name in ALL_FILES:
                if name in extract_import.row_counts:
                    self.stderr.write(f"  {name} : {format_number(extract_import.row_counts[name])}")
        shown = extract_import.errors
        if len(shown) < total:
            self.stderr.write(f"Les {len(shown)} premières erreurs :")
        for error in shown:
            self.stderr.write(f"  {error}")
        if len(shown) < total:
            self.stderr.write(f"  … et {self._errors(total - len(shown))} de plus ({format_number(total)} au total).")
        reasons = extract_import.quality_report.get("rejected", {}).get("by_reason", [])
        if len(reasons) > 1:
            self.stderr.write("Erreurs par motif :")
            for reason in reasons:
                self.stderr.write(f"  {reason['label']} : {format_number(reason['count'])}")

    def _recompute(self, extract_import: ExtractImport) -> None:
        from dashboard.recompute import snapshot_recompute

        try:
            snapshot_recompute(extract_import_id=extract_import.pk)
        except Exception as exc:
            raise CommandError(
                f"Import réussi, mais le recalcul des indicateurs a échoué ({exc}). "
                "Relancez-le : python manage.py recompute_indicators"
            ) from exc
        self.stdout.write("Indicateurs recalculés.")
