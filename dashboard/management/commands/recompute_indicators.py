"""``python manage.py recompute_indicators [--import N] [--sync]``: recompute every indicator.

Here, and reported, with ``--sync`` or when tasks run in-process (no ``REDIS_URL``);
otherwise owed to a worker through the outbox (``cnml.outbox``), not lost if Redis is down.
"""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from cnml import outbox
from cnml.celery import app as celery_app
from cnml.formatting import format_duration
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
            help="Numéro de l'import dont les données sont calculées (par défaut : le dernier import réussi).",
        )
        parser.add_argument(
            "--sync", action="store_true", help="Calculer dans ce processus, sans passer par la file Celery."
        )

    def handle(self, *args, extract_import_id: int | None, sync: bool, **options):
        task = None if sync or celery_app.conf.task_always_eager else recompute_task()
        if task is None:
            self._run_here(extract_import_id)
            return
        with transaction.atomic():
            message = outbox.enqueue(task, extract_import_id=extract_import_id)
        self.stdout.write(f"Recalcul confié au worker Celery (travail différé n° {message.pk}).")

    def _run_here(self, extract_import_id: int | None) -> None:
        try:
            snapshot = snapshot_recompute(extract_import_id=extract_import_id)
        except RecomputeError as exc:
            raise CommandError(str(exc)) from exc
        self._report(snapshot)

    def _report(self, snapshot: Snapshot) -> None:
        duration = format_duration(snapshot.duration, empty="0 s")
        periods = f"{snapshot.periods[0]} à {snapshot.periods[-1]}" if snapshot.periods else "aucune"
        self.stdout.write(
            self.style.SUCCESS(
                f"Calcul n° {snapshot.pk} terminé en {duration} : {snapshot.value_count} valeurs, périodes {periods}."
            )
        )
        self.stdout.write(snapshot.provenance)
