"""``python manage.py outbox_redeliver [--abandoned]``: hand over again the owed work still pending.

With Redis, the periodic pass and each worker's start already do it; this is for the
embedded default (no broker: the work runs here) and for after fixing what made work
abandoned (``--abandoned`` puts it back in the queue first).
"""

from django.core.management.base import BaseCommand

from cnml import outbox


class Command(BaseCommand):
    help = (
        "Confie de nouveau les travaux différés en attente (e-mails, calculs) au worker, ou les exécute ici sans Redis."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--abandoned", action="store_true", help="Remettre d'abord en attente les travaux abandonnés."
        )

    def handle(self, *args, abandoned: bool, **options):
        if abandoned:
            revived = outbox.revive_abandoned()
            self.stdout.write(f"Travaux abandonnés remis en attente : {revived}.")
        handed = outbox.redeliver(everything=True)
        report = outbox.pending_report()
        self.stdout.write(f"Travaux confiés ou exécutés : {handed}. Encore en attente : {report['en_attente']}.")
