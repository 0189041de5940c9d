"""The demo network and accounts (``python manage.py demo``), idempotent."""

from __future__ import annotations

from typing import TextIO

from django.conf import settings
from django.db import transaction

from cnml.models import Region, Role, Structure, StructureKind, User
from cnml.roles import sync_role_groups
from cnml.services import structures_load_csv

DEMO_PASSWORD = "demo-cnml-2011"
SAMPLE_EXTRACT = "extract-sample"

# e-mail, role, structure code, first name, last name
DEMO_ACCOUNTS = [
    ("conseiller@demo.cnml.fr", Role.CONSEILLER, "ML93001", "Camille", "Martin"),
    ("directeur@demo.cnml.fr", Role.DIRECTEUR, "ML93001", "Dominique", "Bernard"),
    ("animateur@demo.cnml.fr", Role.ANIMATEUR_REGIONAL, "ARML93", "Alex", "Durand"),
    ("relecteur@demo.cnml.fr", Role.RELECTEUR_CNML, "CNML", "Claude", "Petit"),
    ("admin@demo.cnml.fr", Role.ADMINISTRATEUR, "CNML", "Sacha", "Robert"),
]


class DemoDataError(Exception):
    pass


@transaction.atomic
def demo_load_network(*, stdout: TextIO) -> list[tuple[str, str]]:
    """Load the sample network, the CNML and one ARML, and one account per role."""
    structures_csv = settings.SHARED_DATA_DIR / SAMPLE_EXTRACT / "structures.csv"
    result = structures_load_csv(path=structures_csv)
    if not result.ok:
        raise DemoDataError("\n".join(str(error) for error in result.errors))
    stdout.write(f"Réseau : {result.created} structure(s) créée(s), {result.updated} mise(s) à jour.\n")

    Structure.objects.update_or_create(
        code="CNML",
        defaults={"name": "Conseil national des missions locales", "kind": StructureKind.CNML, "region": None},
    )
    paca = Region.objects.get(code="93")
    Structure.objects.update_or_create(
        code="ARML93",
        defaults={
            "name": "Association régionale des missions locales Provence-Alpes-Côte d'Azur",
            "kind": StructureKind.ARML,
            "region": paca,
        },
    )
    sync_role_groups()

    accounts = []
    for email, role, structure_code, first_name, last_name in DEMO_ACCOUNTS:
        user, _ = User.objects.get_or_create(email=email)
        user.role = role
        user.structure = Structure.objects.get(code=structure_code)
        user.first_name, user.last_name = first_name, last_name
        user.is_active = True
        user.set_password(DEMO_PASSWORD)
        user.save()
        accounts.append((email, Role(role).label))
    return accounts
