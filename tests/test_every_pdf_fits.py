"""Every PDF the product makes fits its page: no word cut off at an edge, long tables repeat their head.

Each PDF is made with the widest data the network gives: the longest names of the demo network
(« Provence-Alpes-Côte d'Azur », « Association régionale des missions locales Provence-Alpes-Côte
d'Azur »), every column a table may have (region, France entière, comparable structures, position,
rank), numbers in the millions and enough rows for the long tables to run over several pages.
pdfplumber reads where each word is drawn: every word must lie inside the page, at least
``SIDE`` from its left and right edges (the smallest margin a document sets, the slips') and ``EDGE``
from its top and bottom (the page numbers sit in the bottom margin). A table that runs over pages
shows its head row again on each page that holds its rows.

Every URL that serves a PDF (found as ``tests/test_every_printed_address.py`` finds them) must have a
case: those of its ``PDFS`` come with their arguments, the others and the widest variants are in
``CASES``. To look at the PDFs made: ``PDF_FITS_KEEP=/tmp/pdfs .venv/bin/pytest tests/test_every_pdf_fits.py``,
then ``pdftoppm -png``.
"""

from __future__ import annotations

import io
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import pdfplumber
import pytest
from django.db import models
from django.db.models import F, Value, When
from django.db.models.functions import Least
from django.urls import reverse

from cnml.models import Region, Role, Structure
from dashboard import indicators as registry
from dashboard.models import IndicatorValue
from dashboard.models.objectives import Objective
from mobility.models import Carrier, ReportPeriod, ReportStatus
from mobility.services import project_create_from_application
from practices.recensements import Recensement
from surveys.aggregation import aggregate_campaign
from surveys.models import Campaign, CampaignStatus
from surveys.services import access_codes_generate, results_publish
from tests.dashboard.test_pages import empty_cache, figures, published  # noqa: F401 - fixtures
from tests.factories import AntenneFactory, MissionLocaleFactory, RegionFactory
from tests.mobility.conftest import call, carrier_a1, cat, member, outside_carrier, project  # noqa: F401 - fixtures
from tests.mobility.factories import AlternanceCallFactory, make_alternance_application, make_project, make_report
from tests.surveys.conftest import answer, fresh_spec_cache, instruments, make_campaign  # noqa: F401 - fixtures
from tests.test_every_printed_address import PDFS, feature_urls, printed, serves_pdf  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db

MM = 72 / 25.4  # PDF points in a millimetre
SIDE = 10 * MM
EDGE = 5 * MM
TOLERANCE = 0.5  # a glyph's side bearing
KEEP = os.environ.get("PDF_FITS_KEEP")

PACA = "Provence-Alpes-Côte d'Azur"
ML_NAME = f"Mission locale {PACA} {{}}"
# The regions of France, the longest names first: the region tables and the call report run over pages.
REGION_NAMES = [
    "Bourgogne-Franche-Comté",
    "Auvergne-Rhône-Alpes",
    "Centre-Val de Loire",
    "Nouvelle-Aquitaine",
    "Hauts-de-France",
    "Île-de-France",
    "Pays de la Loire",
    "Normandie",
    "Occitanie",
    "Grand Est",
    "Bretagne",
    "Guadeloupe",
    "Martinique",
    "La Réunion",
    "Guyane",
    "Mayotte",
    "Corse",
]
EXTRA_MLS = 30  # in region A: the region's table of structures runs over two pages at least


@pytest.fixture(autouse=True)
def own_media(private_media):
    """Uploads in this test's own temporary folders (``private_media``), never in the project."""


@pytest.fixture
def widest_network(network):
    """The test network under the demo network's longest names, with every region of France and
    forty more missions locales in region A. Requested before ``printed``, which builds on it."""
    network.region_a.name = PACA
    network.region_a.save()
    network.region_b.name = REGION_NAMES[0]
    network.region_b.save()
    network.arml_a.name = f"Association régionale des missions locales {PACA}"
    network.arml_a.save()
    for index, ml in enumerate((network.ml_a1, network.ml_a2, network.ml_b1, network.ml_b2), start=1):
        ml.name = ML_NAME.format(index) if ml.region_id == network.region_a.pk else f"Mission locale {ml.region.name}"
        ml.save()
    for antenne in (network.antenne_a1, network.antenne_a2, network.antenne_b1, network.antenne_b2):
        antenne.name = f"Antenne de Saint-Rémy-de-Provence de la {antenne.parent.name}"
        antenne.save()
    for index, name in enumerate(REGION_NAMES[1:], start=903):
        region = RegionFactory(code=str(index), name=name)
        MissionLocaleFactory(code=f"ML{index}", name=f"Mission locale {name}", region=region)
    for index in range(EXTRA_MLS):
        ml = MissionLocaleFactory(code=f"ML93{index:03}", name=ML_NAME.format(index + 3), region=network.region_a)
        AntenneFactory(code=f"ML93{index:03}A", name=f"Antenne 1 de ML93{index:03}", parent=ml)
    return network


def _large_figures(snapshot) -> None:
    """Counts in the millions, a period ahead of the other, ranks among a thousand structures.

    Two UPDATE statements: a ``bulk_update`` of the snapshot's ten thousand values wrote one CASE of ten
    thousand branches per column, slow on SQLite (this test's setup took 16.6 s with it, 2.6 s without)."""
    rates = {indicator.code for indicator in registry.rates()}
    values = IndicatorValue.objects.filter(snapshot=snapshot)
    values.exclude(indicator__in=rates).update(
        value=Value(1_234_567)
        + F("pk") * 1_001
        + models.Case(When(period__startswith="2011", then=Value(500_000)), default=Value(0))
    )
    values.filter(rank__isnull=False).update(rank_count=1_234, rank=Least(F("rank") * 617, Value(1_234)))


def _objectives(network) -> None:
    """An alternance objective for every region and for region A's first missions locales: ranked tables."""
    for number, region in enumerate(Region.objects.all(), start=1):
        Objective.objects.create(
            indicator="alternance", year=2011, scope_kind="region", region=region, target=1_500_000 + number * 7
        )
    for structure in Structure.objects.filter(region=network.region_a, kind="ML")[:20]:
        Objective.objects.create(
            indicator="alternance", year=2011, scope_kind="structure", structure=structure, target=987_654
        )


def _closed_campaign(network, make_campaign, answer) -> Campaign:  # noqa: F811
    """A closed campaign of region A: the head office of ML 1 and its antenne, and every other
    mission locale of the region, each with enough answers to be published."""
    mls = list(Structure.objects.filter(region=network.region_a, kind="ML").order_by("code"))
    structures = [*mls, network.antenne_a1]
    campaign = make_campaign(
        structures=structures,
        status=CampaignStatus.CLOSED,
        title=f"Enquête de satisfaction des jeunes accueillis en 2011 — {PACA}",
    )
    for number, structure in enumerate(structures):
        answer(campaign, structure, 12 + number)
    aggregate_campaign(campaign)
    return Campaign.objects.get(pk=campaign.pk)


def _projects(network, users, call, cat) -> None:  # noqa: F811
    """Twenty projects of the call across the regions, with their partners and approved reports."""
    regions = list(Region.objects.all())
    for number in range(20):
        region = regions[number % len(regions)]
        carrier = Carrier.objects.create(
            name=f"Association pour la mobilité et l'insertion des jeunes de {region.name} n° {number + 1}",
            region=region,
        )
        supported = make_project(call=call, user=users[Role.DIRECTEUR], carrier=carrier, cat=cat)
        supported.partners.add(network.ml_a1, network.ml_b1)
        make_report(
            supported,
            period=ReportPeriod.ANNEE,
            status=ReportStatus.APPROUVE,
            people=1_234_567,
            deliveries={cat["location"]: 1_234_567},
        )


def _alternance_call(users):
    """An alternance call (its report has its own columns and the envelope) with twenty selected projects
    across the regions, each asking over a million euros."""
    alternance = AlternanceCallFactory(year=2012)
    for number, region in enumerate(Region.objects.order_by("code")):
        carrier = Carrier.objects.create(
            name=f"Groupement d'employeurs pour l'insertion et la qualification de {region.name} n° {number + 1}",
            region=region,
        )
        application = make_alternance_application(
            call=alternance, user=users[Role.DIRECTEUR], carrier=carrier, requested=Decimal(1_234_567)
        )
        project_create_from_application(application=application)
    return alternance


LONG_ADDRESS = (
    "https://www.missions-locales-provence-alpes-cote-d-azur.example.fr/"
    "actions/accompagnement-renforce-des-jeunes-vers-l-emploi-durable-et-la-formation-qualifiante"
)


def _long_texts(printed: dict) -> None:  # noqa: F811
    """The campaign of the slips and the poster, and the fiche, under long titles; the fiche with a
    long address and long words in its text; fourteen more codes: the slips fill a page and more."""
    campaign = printed["campaign"]
    campaign.title = f"Enquête de satisfaction des jeunes accueillis en 2011 — {PACA}"
    campaign.save(update_fields=["title"])
    access_codes_generate(point=printed["point"], count=14)
    fiche = printed["fiche"]
    fiche.title = f"Accompagnement renforcé des jeunes vers l'emploi durable en {PACA} : la plateforme partagée"
    fiche.context = f"Le constat est détaillé sur {LONG_ADDRESS} ; anticonstitutionnellement cité. " * 3
    fiche.save(update_fields=["title", "context"])
    Recensement.objects.filter(pk=fiche.recensement_id).update(
        title=f"Recensement des actions communes avec les partenaires de l'emploi en {PACA}"
    )


@pytest.fixture
def widest(widest_network, printed, users, make_campaign, answer, call, cat, published, settings) -> dict:  # noqa: F811
    settings.SITE_URL = "https://back-office.cnml.example.fr"  # the slips and the poster print it
    _large_figures(published)
    _objectives(widest_network)
    _projects(widest_network, users, call, cat)
    _long_texts(printed)
    campaign = _closed_campaign(widest_network, make_campaign, answer)
    results_publish(campaign=campaign, actor=users[Role.ANIMATEUR_REGIONAL])  # its report is public too
    return {**printed, "widest_campaign": campaign, "alternance_call": _alternance_call(users)}


@dataclass
class Case:
    """A PDF to make: its URL name and arguments, who asks for it (None: anyone), and the long tables it holds
    (the text of their head row, and a pattern matching their rows)."""

    url: str
    role: str | None
    kwargs: Callable[[dict], dict]
    tables: list[tuple[str, str]] = field(default_factory=list)


def _from_walk(name: str, **extra) -> Case:
    target = PDFS[name]
    return Case(name, target.role, target.kwargs, **extra)


def _report(key: str) -> Callable[[dict], dict]:
    return lambda objects: {"pk": objects["widest_campaign"].pk, "key": key}


CASES: dict[str, Case] = {
    **{name: _from_walk(name) for name in PDFS},
    "dashboard:regions_export": _from_walk(
        "dashboard:regions_export", tables=[("Jeunes accueillis", rf"^({'|'.join(REGION_NAMES)})")]
    ),
    "dashboard:region_export": _from_walk(
        "dashboard:region_export",
        tables=[("Évolution", r"[↗↘→]")],  # the figures and the structures: their rows show a trend
    ),
    "surveys:point_slips": Case(  # the second batch: fourteen slips
        "surveys:point_slips",
        Role.ANIMATEUR_REGIONAL,
        lambda o: {"pk": o["campaign"].pk, "code": o["point"].code, "batch": 2},
    ),
    "mobility:call_report_pdf": _from_walk(
        "mobility:call_report_pdf", tables=[("Budget prévu", r"^Association pour la mobilité")]
    ),
    "mobility:call_report_pdf alternance": Case(
        "mobility:call_report_pdf",
        Role.RELECTEUR_CNML,
        lambda o: {"theme": o["alternance_call"].theme, "year": o["alternance_call"].year},
        tables=[("Budget prévu", r"^Groupement d'employeurs")],
    ),
    "surveys:results_report region": Case(
        "surveys:results_report",
        Role.ANIMATEUR_REGIONAL,
        _report("region-901"),
        tables=[("Réponses", r"^Mission locale Provence-Alpes-Côte d'Azur \d+ \d")],
    ),
    "surveys:public_results_report": Case("surveys:public_results_report", None, _report("region-901")),
    "surveys:results_report mission locale": Case("surveys:results_report", Role.DIRECTEUR, _report("structure-MLA1")),
}


def test_every_pdf_of_the_product_has_a_case():
    assert {case.url for case in CASES.values()} == feature_urls(serves_pdf)


@dataclass
class Outside:
    page: int
    text: str
    by: float  # millimetres past the limit

    def __str__(self) -> str:
        return f"page {self.page} : « {self.text} » dépasse de {self.by:.1f} mm"


@dataclass
class Read:
    """What pdfplumber reads in a PDF, the file parsed once: the words outside the page's limits, and
    each page's lines of text (only when asked: a long table's head rows)."""

    outside: list[Outside]
    lines: list[list[str]]


def read(content: bytes, *, with_lines: bool) -> Read:
    found, lines = [], []
    with pdfplumber.open(io.BytesIO(content)) as pdf:
        for number, page in enumerate(pdf.pages, start=1):
            x0, top, x1, bottom = page.bbox
            for word in page.extract_words():
                past = max(
                    x0 + SIDE - word["x0"],
                    word["x1"] - (x1 - SIDE),
                    top + EDGE - word["top"],
                    word["bottom"] - (bottom - EDGE),
                )
                if past > TOLERANCE:
                    found.append(Outside(number, word["text"], past / MM))
            if with_lines:  # the page's characters are parsed already: its lines cost little more
                lines.append((page.extract_text() or "").splitlines())
    return Read(found, lines)


def made(name: str, objects: dict, users, client_for) -> bytes:
    case = CASES[name]
    response = client_for(users.get(case.role)).get(reverse(case.url, kwargs=case.kwargs(objects)))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf", name
    if KEEP:  # to look at them: PDF_FITS_KEEP=/tmp/pdfs, then pdftoppm -png
        Path(KEEP, f"{name.replace(':', '-').replace(' ', '-')}.pdf").write_bytes(response.content)
    return response.content


def heads_missing(name: str, pages: list[list[str]]) -> list[str]:
    """The pages where a long table's rows come without its head row above them (``pages``: each page's
    lines)."""
    missing = []
    for head, row in CASES[name].tables:
        with_rows = [number for number, lines in enumerate(pages) if any(re.search(row, line) for line in lines)]
        if len(with_rows) < 2:
            missing.append(f"le tableau « {head} » tient sur une page : données trop courtes pour l'essai")
        for number in with_rows:
            first_row = next(i for i, line in enumerate(pages[number]) if re.search(row, line))
            above = " ".join(pages[number][:first_row]).split()  # a heading may wrap over lines
            if not all(word in above for word in head.split()):
                missing.append(f"page {number + 1} : lignes du tableau sans son en-tête « {head} »")
    return missing


def test_every_pdf_fits_its_page_with_the_widest_data(widest_network, widest, users, client_for):
    """All the PDFs in one test: the widest data takes long to build, and each PDF's faults are listed."""
    faults = {}
    for name in sorted(CASES):
        content = made(name, widest, users, client_for)
        parsed = read(content, with_lines=bool(CASES[name].tables))
        outside = parsed.outside
        found = [f"{len(outside)} mot(s) hors de la page", *map(str, outside[:8])] if outside else []
        found += heads_missing(name, parsed.lines)
        if found:
            faults[name] = found
    assert not faults, "\n".join(f"{name} : " + "\n    ".join(found) for name, found in faults.items())
