from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from cnml.services import structures_load_csv

MAX_ERRORS_SHOWN = 20


class Command(BaseCommand):
    help = "Charge ou met à jour les régions et structures depuis un structures.csv d'extraction (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="Chemin de structures.csv, ou du dossier qui le contient.")

    def handle(self, *args, path: Path, **options):
        if path.is_dir():
            path = path / "structures.csv"
        result = structures_load_csv(path=path)
        if not result.ok:
            shown = "\n".join(f"  - {error}" for error in result.errors[:MAX_ERRORS_SHOWN])
            raise CommandError(f"{len(result.errors)} erreur(s), rien n'a été modifié. Premières erreurs :\n{shown}")
        self.stdout.write(
            self.style.SUCCESS(f"Structures chargées : {result.created} créée(s), {result.updated} mise(s) à jour.")
        )
