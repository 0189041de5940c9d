from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from cnml.demo import DEMO_PASSWORD, DemoDataError, demo_load_network
from cnml.registry import feature_apps


class Command(BaseCommand):
    help = "Charge les données de démonstration (réseau, comptes, données de chaque rubrique). Idempotent."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("Les données de démonstration ne se chargent qu'en développement (DEBUG=true).")
        try:
            accounts = demo_load_network(stdout=self.stdout)
        except DemoDataError as exc:
            raise CommandError(f"Réseau de démonstration illisible :\n{exc}") from exc
        for config in feature_apps():
            config.load_demo(stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS("Données de démonstration chargées."))
        self.stdout.write(f"Comptes de démonstration (mot de passe : {DEMO_PASSWORD}) :")
        for email, role in accounts:
            self.stdout.write(f"  - {email} ({role})")
