"""Query-count guards of the practices pages at a realistic size (see tests/querycounts.py).

One world for the module (``kept_for_module``): 60 published fiches of both regions (three themes,
two partners and a contact each), 30 waiting for review, and the fiche of mission locale A1 with
everything a fiche can hold (themes, other structures, partners, contacts, attachments, versions,
history). A page whose queries grow with its rows goes far past its ceiling. None did when these
were written: the lists select and prefetch what their cards show (``practices.selectors``).
"""

from __future__ import annotations

import pytest

from cnml.audit import log_transition
from cnml.models import Role
from practices.models import Attachment, Contact, FicheVersion, Partner, PartnerKind, Status
from tests.conftest import build_network_and_users, kept_for_module
from tests.practices.factories import ThemeFactory, make_fiche
from tests.querycounts import ANONYMOUS

# The module's data is built once (kept_for_module): its tests stay on one pytest-xdist worker.
pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("practices-query-counts")]

PUBLISHED = 60
IN_REVIEW = 30


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with kept_for_module(django_db_blocker):
        network, users = build_network_and_users()
        themes = [ThemeFactory(slug=f"theme-{n}", name=f"Thème {n}", position=n) for n in range(8)]
        structures = [network.ml_a1, network.ml_a2, network.ml_b1, network.ml_b2]
        author = users[Role.CONSEILLER]
        for n in range(PUBLISHED + IN_REVIEW):
            structure = structures[n % len(structures)]
            status = Status.PUBLIEE if n < PUBLISHED else Status.SOUMISE
            fiche = make_fiche(
                status,
                author=author if structure == network.ml_a1 else None,
                title=f"Pratique {n:02d}",
                structure=structure,
                themes=themes[n % 6 : n % 6 + 3],
            )
            Partner.objects.create(fiche=fiche, kind=PartnerKind.POLE_EMPLOI, name=f"Agence {n}")
            Partner.objects.create(fiche=fiche, kind=PartnerKind.ENTREPRISE, name=f"Entreprise {n}")
        full = make_fiche(Status.PUBLIEE, author=author, title="La fiche complète", structure=network.ml_a1)
        full.themes.set(themes)
        full.other_structures.set([network.ml_a2, network.ml_b1, network.antenne_a1])
        Partner.objects.bulk_create(
            Partner(fiche=full, kind=PartnerKind.values[n % len(PartnerKind.values)], name=f"Partenaire {n}")
            for n in range(10)
        )
        Contact.objects.bulk_create(Contact(fiche=full, name=f"Contact {n}", function="Conseiller") for n in range(8))
        Attachment.objects.bulk_create(
            Attachment(fiche=full, file=f"fiches/piece-{n}.pdf", name=f"piece-{n}.pdf", size=2048, uploaded_by=author)
            for n in range(10)
        )
        for _ in range(6):
            FicheVersion.snapshot(full, actor=author)
        for n in range(12):
            log_transition(
                full, actor=users[Role.RELECTEUR_CNML], from_state="soumise", to_state="publiee", comment=f"{n}"
            )
        yield {"users": users, "fiche": full}


def pages(world) -> dict[str, str]:
    fiche = world["fiche"]
    return {
        "catalogue": "/bonnes-pratiques/",
        "catalogue filtré": "/bonnes-pratiques/?theme=theme-1&q=pratique",
        "catalogue, page 3": "/bonnes-pratiques/?page=3",
        "mes fiches": "/bonnes-pratiques/mes-fiches/",
        "relecture": "/bonnes-pratiques/relecture/",
        "fiche": f"/bonnes-pratiques/fiche/{fiche.pk}/",
        "fiche à imprimer": f"/bonnes-pratiques/fiche/{fiche.pk}/imprimer/",
        "versions": f"/bonnes-pratiques/fiche/{fiche.pk}/versions/",
    }


# (visitor, page): the most queries the page may make, and a text that shows its rows are there.
CEILINGS = {
    (ANONYMOUS, "catalogue"): (9, "Pratique 59"),
    (ANONYMOUS, "catalogue filtré"): (10, "Pratique"),
    (ANONYMOUS, "catalogue, page 3"): (9, "Pratique"),
    (ANONYMOUS, "fiche"): (6, "Partenaire 9"),
    (ANONYMOUS, "fiche à imprimer"): (6, "Partenaire 9"),
    (Role.CONSEILLER, "catalogue"): (13, "Pratique 59"),
    (Role.CONSEILLER, "mes fiches"): (5, "Pratique 88"),
    (Role.CONSEILLER, "fiche"): (14, "piece-9.pdf"),
    (Role.CONSEILLER, "versions"): (7, "Version"),
    (Role.RELECTEUR_CNML, "relecture"): (3, "Pratique 89"),
    (Role.RELECTEUR_CNML, "fiche"): (10, "piece-9.pdf"),
    # One more for the navigation: is the animator a member of a comité de pilotage (« Mes fiches »)?
    (Role.ANIMATEUR_REGIONAL, "relecture"): (5, "Pratique 88"),
}


@pytest.mark.parametrize(("visitor", "page"), list(CEILINGS))
def test_each_page_makes_a_bounded_number_of_queries_at_a_realistic_size(world, bounded_page, visitor, page):
    bounded_page(world["users"], visitor, pages(world)[page], *CEILINGS[visitor, page])
