"""Helpers of the practices tests: the fiche form posted as a browser would, the names of the actors."""

from __future__ import annotations

import datetime

from practices.content import LONG_TEXTS
from practices.models import Fiche, Recensement
from tests.clock import TODAY

PDF_BYTES = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64

# The names of the ``actors`` fixture (tests/practices/conftest.py): everyone who may try something on a fiche.
ACTOR_NAMES = (
    "conseiller",
    "directeur",
    "antenne",
    "colleague_a2",
    "outsider",
    "animateur",
    "animateur_b",
    "relecteur",
    "administrateur",
    "anonyme",
)


def fiche_form_data(fiche: Fiche | None = None, *, structure=None, themes=(), action="save", **overrides) -> dict:
    """A complete POST of the fiche form: one partner, one contact, every text filled."""
    data = {
        "revision": str(fiche.revision) if fiche else "0",
        "title": "Un atelier mobilité avec Pôle emploi",
        "structure": str((fiche.structure_id if fiche else None) or structure.pk),
        "scale": "locale",
        "themes": [str(theme.pk) for theme in themes],
        "start_date": "2011-09-01",
        "end_date": "",
        "context": "Peu de jeunes ont le permis de conduire.",
        "objectives": "- Lever le frein de la mobilité\n- Accéder à l'emploi",
        "public_concerned": "Les jeunes sans moyen de transport.",
        "description": "Des ateliers hebdomadaires avec une auto-école sociale.",
        "means": "Un conseiller et un moniteur.",
        "results": "25 jeunes ont obtenu le code.",
        "success_factors": "Un partenaire local engagé.",
        "difficulties": "Le coût des leçons de conduite.",
        "transferability": "Toute mission locale avec une auto-école sociale.",
        "action": action,
        "partenaires-TOTAL_FORMS": "1",
        "partenaires-INITIAL_FORMS": "0",
        "partenaires-MIN_NUM_FORMS": "0",
        "partenaires-MAX_NUM_FORMS": "20",
        "partenaires-0-kind": "pole_emploi",
        "partenaires-0-name": "Agence Pôle emploi de Lille",
        "partenaires-0-role": "Oriente les jeunes vers l'atelier.",
        "contacts-TOTAL_FORMS": "1",
        "contacts-INITIAL_FORMS": "0",
        "contacts-MIN_NUM_FORMS": "0",
        "contacts-MAX_NUM_FORMS": "10",
        "contacts-0-name": "Camille Martin",
        "contacts-0-function": "Conseillère",
        "contacts-0-email": "camille.martin@ml.fr",
        "contacts-0-phone": "03 20 00 00 00",
    }
    if fiche is not None:
        partners, contacts = list(fiche.partners.all()), list(fiche.contacts.all())
        data.update(
            {"partenaires-TOTAL_FORMS": str(len(partners) + 1), "partenaires-INITIAL_FORMS": str(len(partners))}
        )
        data.update({"contacts-TOTAL_FORMS": str(len(contacts) + 1), "contacts-INITIAL_FORMS": str(len(contacts))})
        for key in [key for key in data if key.startswith(("partenaires-0-", "contacts-0-"))]:
            del data[key]
        for index, partner in enumerate(partners):
            data.update(
                {
                    f"partenaires-{index}-id": str(partner.pk),
                    f"partenaires-{index}-kind": partner.kind,
                    f"partenaires-{index}-name": partner.name,
                    f"partenaires-{index}-role": partner.role,
                }
            )
        for index, contact in enumerate(contacts):
            data.update(
                {
                    f"contacts-{index}-id": str(contact.pk),
                    f"contacts-{index}-name": contact.name,
                    f"contacts-{index}-function": contact.function,
                    f"contacts-{index}-email": contact.email,
                    f"contacts-{index}-phone": contact.phone,
                }
            )
        data.update(
            {
                "title": fiche.title,
                "scale": fiche.scale,
                "themes": [str(pk) for pk in fiche.themes.values_list("pk", flat=True)] or data["themes"],
                "start_date": fiche.start_date.isoformat() if fiche.start_date else "",
                "end_date": fiche.end_date.isoformat() if fiche.end_date else "",
                **{name: getattr(fiche, name) for name in LONG_TEXTS},
            }
        )
    data.update(overrides)
    return data


def open_recensement(*, created_by, **fields) -> Recensement:
    """A recensement open since ten days and closing in twenty (``fields``: its title, instructions…)."""
    return Recensement.objects.create(
        opens_on=TODAY - datetime.timedelta(days=10),
        closes_on=TODAY + datetime.timedelta(days=20),
        created_by=created_by,
        **fields,
    )
