from django.core.management.base import BaseCommand

from cnml.models import Role
from cnml.roles import sync_role_groups


class Command(BaseCommand):
    help = (
        "Crée les groupes des rôles et leur applique les permissions déclarées dans le code (sans risque à relancer)."
    )

    def handle(self, *args, **options):
        for role, count in sync_role_groups().items():
            self.stdout.write(f"{Role(role).label} : {count} permission(s)")
        self.stdout.write(self.style.SUCCESS("Groupes des rôles à jour."))
