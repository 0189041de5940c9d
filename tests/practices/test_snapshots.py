"""Snapshots of the public catalogue of fiches, a fiche's page and its PDF (syrupy).

A silent change of what these show fails here with a diff. If the change is wanted, update and review
the stored snapshots (``__snapshots__/``)::

    .venv/bin/pytest tests/practices/test_snapshots.py --snapshot-update

See tests/snapshots.py for what is kept and masked (and docs/tests.md).
"""

from __future__ import annotations

import pytest

from practices.models import Partner, PartnerKind, Status
from tests.clock import NOW
from tests.practices.factories import ThemeFactory, make_fiche
from tests.snapshots import main_html, pdf_text

# The clock stands still: a fiche shows when it was published.
pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(NOW, tick=False)]


@pytest.fixture
def catalogue(network):
    """Three published fiches of two regions, a draft and one waiting for review (neither listed)."""
    insertion = ThemeFactory(slug="insertion", name="Insertion professionnelle", position=1)
    mobility = ThemeFactory(slug="mobilite", name="Mobilité", position=2)
    fiches = [
        make_fiche(
            Status.PUBLIEE,
            title="Un garage solidaire pour passer le permis",
            structure=network.ml_a1,
            themes=[mobility],
            success_factors="Un partenariat avec l'auto-école sociale.",
        ),
        make_fiche(
            Status.PUBLIEE, title="Des ateliers CV avec les entreprises", structure=network.ml_b1, themes=[insertion]
        ),
        make_fiche(
            Status.PUBLIEE,
            title="Parrainage par des retraités",
            structure=network.ml_a2,
            themes=[insertion, mobility],
        ),
        make_fiche(Status.BROUILLON, title="Un brouillon", structure=network.ml_a1),
        make_fiche(Status.SOUMISE, title="Une fiche en relecture", structure=network.ml_b2),
    ]
    Partner.objects.create(fiche=fiches[0], kind=PartnerKind.POLE_EMPLOI, name="Pôle emploi Alpha", role="Oriente.")
    Partner.objects.create(fiche=fiches[0], kind=PartnerKind.ENTREPRISE, name="Garage Martin", role="Prête l'atelier.")
    fiches[0].other_structures.set([network.ml_a2])
    return fiches


def test_the_public_catalogue(client, catalogue, snapshot):
    response = client.get("/bonnes-pratiques/")

    assert response.status_code == 200
    assert main_html(response) == snapshot


def test_a_public_fiche_and_its_pdf(client, catalogue, snapshot):
    fiche = catalogue[0]

    page = client.get(f"/bonnes-pratiques/fiche/{fiche.pk}/")
    pdf = client.get(f"/bonnes-pratiques/fiche/{fiche.pk}/pdf/")

    assert page.status_code == 200
    assert main_html(page) == snapshot(name="page")
    assert pdf_text(pdf) == snapshot(name="pdf")
