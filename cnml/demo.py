"""The demo network and accounts (``python manage.py demo``), idempotent."""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import TextIO

from django.apps import apps as django_apps
from django.conf import settings
from django.db import transaction

from cnml.models import Committee, CommitteeLevel, Region, Role, Structure, StructureKind, User
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
    # A Pôle emploi agent: no structure, a member of the demo comité de pilotage.
    ("partenaire@demo.cnml.fr", Role.PARTENAIRE, None, "Morgane", "Lefèvre"),
]


class DemoDataError(Exception):
    pass


def ensure_shipped_rows(migration: str, function: str) -> None:
    """Run again the idempotent function of a data migration. The rows it ships (instruments, catalogues,
    objectives) are gone from a test database a transactional test emptied, and an app's demo builds on them."""
    getattr(importlib.import_module(migration), function)(django_apps, None)


def sample_extract_dir() -> Path:
    """The sample extract the demo loads: shipped in the project (``cnml/demo_data/``), never beside it."""
    return (settings.DEMO_DATA_DIR / SAMPLE_EXTRACT).resolve()


@transaction.atomic
def demo_load_network(*, stdout: TextIO) -> list[tuple[str, str]]:
    """Load the sample network, the CNML and one ARML, and one account per role."""
    structures_csv = sample_extract_dir() / "structures.csv"
    if not structures_csv.is_file():
        raise DemoDataError(f"Fichier des structures introuvable : {structures_csv} (voir DEMO_DATA_DIR).")
    stdout.write(f"Extraction d'exemple (fictive, livrée avec le projet) : {sample_extract_dir()}\n")
    result = structures_load_csv(path=structures_csv)
    if not result.ok:
        raise DemoDataError("\n".join(str(error) for error in result.errors))
    stdout.write(
        f"Réseau : les structures de {structures_csv.name}, {result.created} créée(s), {result.updated} mise(s) à jour,"
        " plus le CNML et l'association régionale de Provence-Alpes-Côte d'Azur.\n"
    )

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
        user.structure = Structure.objects.get(code=structure_code) if structure_code else None
        user.first_name, user.last_name = first_name, last_name
        user.is_active = True
        user.set_password(DEMO_PASSWORD)
        user.save()
        accounts.append((email, Role(role).label))
    demo_load_committee()
    return accounts


DEMO_COMMITTEE = "Comité de pilotage local de la cotraitance – Marseille"


def demo_load_committee() -> Committee:
    """One local comité de pilotage in region 93: ML93001, its conseiller and the Pôle emploi partner."""
    committee, _ = Committee.objects.update_or_create(
        name=DEMO_COMMITTEE,
        defaults={
            "level": CommitteeLevel.LOCAL,
            "region": Region.objects.get(code="93"),
            "territory": "Marseille",
            "active": True,
        },
    )
    committee.structures.set(Structure.objects.filter(code="ML93001"))
    committee.members.set(User.objects.filter(email__in=["conseiller@demo.cnml.fr", "partenaire@demo.cnml.fr"]))
    return committee
