"""``python manage.py recompute_indicators [--import N] [--sync]``: recompute every indicator."""

from django.core.management.base import BaseCommand, CommandError

from dashboard.models import Snapshot
from dashboard.recompute import RecomputeError, snapshot_recompute


def recompute_task():
    """The Celery task of the import's app, if it is there."""
    try:
        from dashboard import tasks
    except ImportError:
        return None
    return getattr(tasks, "recompute_indicators", None)


class Command(BaseCommand):
    help = (
        "Recalcule tous les indicateurs du tableau de bord (toutes périodes, structures, régions et France "
        "entière) dans un nouveau calcul, qui remplace le précédent d'un seul coup."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--import",
            dest="extract_import_id",
            type=int,
            default=None,
            help="Numéro de l'import dont les données sont calculées (par défaut : le dernier import réussi).",
        )
        parser.add_argument(
            "--sync", action="store_true", help="Calculer dans ce processus, sans passer par la file Celery."
        )

    def handle(self, *args, extract_import_id: int | None, sync: bool, **options):
        task = None if sync else recompute_task()
        if task is None:
            self._run_here(extract_import_id)
            return
        result = task.delay(extract_import_id=extract_import_id)
        if not result.ready():
            self.stdout.write(f"Recalcul lancé en tâche de fond (tâche {result.id}).")
            return
        try:
            snapshot_id = result.get()
        except RecomputeError as exc:
            raise CommandError(str(exc)) from exc
        self._report(Snapshot.objects.get(pk=snapshot_id))

    def _run_here(self, extract_import_id: int | None) -> None:
        try:
            snapshot = snapshot_recompute(extract_import_id=extract_import_id)
        except RecomputeError as exc:
            raise CommandError(str(exc)) from exc
        self._report(snapshot)

    def _report(self, snapshot: Snapshot) -> None:
        seconds = snapshot.duration.total_seconds() if snapshot.duration else 0
        periods = f"{snapshot.periods[0]} à {snapshot.periods[-1]}" if snapshot.periods else "aucune"
        self.stdout.write(
            self.style.SUCCESS(
                f"Calcul n° {snapshot.pk} terminé en {seconds:.1f} s : {snapshot.value_count} valeurs, "
                f"périodes {periods}."
            )
        )
        self.stdout.write(snapshot.provenance)
