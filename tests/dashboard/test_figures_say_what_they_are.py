"""Figures that say what they are: the demo's invented figures said so on every page, export and
PDF and never validated by the CNML; regions without data read « pas de données », not zeros; a
rate resting on fewer than 20 young people carries a warning."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal

import openpyxl
import pytest
from django.core.cache import cache
from django.core.management import CommandError, call_command

from cnml.models import Role
from cnml.workflows import TransitionRefused
from dashboard import indicators, pages
from dashboard.models import Snapshot
from dashboard.publication import snapshot_validate
from dashboard.selectors import Figure
from tests.dashboard.test_pages import (
    NATIONAL,
    REGION_A,
    STRUCTURE_A1,
    figures,  # noqa: F401 - fixture
    make_snapshot,
    row_text,
    text_of,
)
from tests.factories import RegionFactory

pytestmark = pytest.mark.django_db

DEMO = "données de démonstration"
PERIODS = ["2010-T2", "2011-T2"]


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


def demo_values() -> dict:
    values = {}
    for period, welcomed in zip(PERIODS, (8, 10), strict=True):
        for scope in (("national", ""), ("region", "901"), ("structure", "MLA1")):
            values[(*scope, period, "jeunes_accueillis")] = welcomed
    return values


@pytest.fixture
def demo(network):
    """The demo's invented figures, computed (as ``manage.py demo`` leaves them)."""
    snapshot = make_snapshot(demo_values(), periods=PERIODS)
    Snapshot.objects.filter(pk=snapshot.pk).update(data_demo=True)
    snapshot.refresh_from_db()
    return snapshot


def read_csv(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(response.content.decode().lstrip("\ufeff")), delimiter=";"))


# --- Demo figures ----------------------------------------------------------------------------


def test_the_cnml_cannot_validate_the_demo_figures(demo, users):
    with pytest.raises(TransitionRefused) as refused:
        snapshot_validate(snapshot_id=demo.pk, user=users[Role.RELECTEUR_CNML])

    assert "données de démonstration" in str(refused.value)
    demo.refresh_from_db()
    assert not demo.is_validated and demo.validated_by is None


def test_the_public_sees_the_demo_figures_under_a_banner_never_as_validated(demo, client):
    response = client.get(NATIONAL)

    assert response.status_code == 200
    text = text_of(response)
    assert row_text(response, "Jeunes accueillis").startswith("8 10 ")
    assert "Données de démonstration" in text
    assert "ils ne décrivent aucune mission locale réelle" in text
    assert f"Source : {DEMO}, inventées pour essayer le tableau de bord" in text
    assert "(données de démonstration)" in text  # the table's caption
    assert "validé par le CNML" not in text and "Chiffres validés" not in text
    assert "Exploitation CNML-COPEXEN" not in text


def test_signed_in_users_see_the_demo_banner_too_and_not_a_provisional_one(demo, client_for, users):
    text = text_of(client_for(users[Role.DIRECTEUR]).get(STRUCTURE_A1))

    assert "Données de démonstration" in text
    assert "Chiffres provisoires" not in text


def test_validated_real_figures_replace_the_demo_for_the_public(demo, client, users):
    real = dict.fromkeys(demo_values(), 500)
    make_snapshot(real, periods=PERIODS, validated_by=users[Role.RELECTEUR_CNML])

    response = client.get(NATIONAL)

    text = text_of(response)
    assert row_text(response, "Jeunes accueillis").startswith("500 500 ")
    assert DEMO not in text.lower()
    assert "Chiffres validés par le CNML" in text


def test_every_export_of_the_demo_figures_says_so(demo, client, pdf_html):
    rows = read_csv(client.get(f"{NATIONAL}export.csv"))
    assert rows and all(row["Source"].startswith(f"Source : {DEMO}, inventées") for row in rows)
    assert all("validé" not in row["Source"] for row in rows)

    book = openpyxl.load_workbook(io.BytesIO(client.get(f"{NATIONAL}export.xlsx").content))
    sheet = list(book["Indicateurs"].iter_rows(values_only=True))
    source = sheet[0].index("Source")
    assert all(DEMO in line[source] for line in sheet[1:])

    response = client.get(f"{NATIONAL}export.pdf")
    assert response.content.startswith(b"%PDF-")
    assert "Données de démonstration : chiffres inventés" in pdf_html["html"]
    assert "non validés" not in pdf_html["html"]


def test_export_indicators_announces_demo_figures_and_keeps_its_format(demo):
    out, err = io.StringIO(), io.StringIO()

    call_command("export_indicators", "--period", "2011-T2", stdout=out, stderr=err)

    assert "Attention : données de démonstration" in err.getvalue()
    rows = json.loads(out.getvalue())
    assert rows[0]["code"] == "jeunes_accueillis" and rows[0]["value"] == 10
    # The published figures only: the demo's never are.
    with pytest.raises(CommandError, match="Aucun calcul validé"):
        call_command("export_indicators", "--period", "2011-T2", "--validated", stdout=io.StringIO())


# --- Regions without data --------------------------------------------------------------------


def test_regions_without_data_read_pas_de_donnees_not_zeros(figures, client_for, users):  # noqa: F811
    RegionFactory(code="903", name="Région Gamma")  # no structure at all
    client = client_for(users[Role.RELECTEUR_CNML])

    # 2011-T1: region Bêta's MLB1 welcomes its first young people in May, MLB2 never: zeros only.
    response = client.get("/tableau-de-bord/regions/", {"periode": "2011-T1"})

    assert row_text(response, "Région Alpha").startswith("7 ")
    for region in ("Région Bêta", "Région Gamma"):
        cells = row_text(response, region)
        assert cells.startswith(pages.NO_DATA)
        assert "0" not in cells and "–" not in cells

    rows = {row["Nom"]: row for row in read_csv(client.get("/tableau-de-bord/regions/export.csv?periode=2011-T1"))}
    assert rows["Région Bêta"]["Jeunes accueillis"] == ""
    assert rows["Région Bêta"]["Remarque"] == pages.NO_DATA
    assert rows["Région Gamma"]["Remarque"] == pages.NO_DATA
    assert rows["Région Alpha"]["Jeunes accueillis"] == "7"


def test_a_region_with_data_later_in_the_year_has_figures_then(figures, client_for, users):  # noqa: F811
    response = client_for(users[Role.RELECTEUR_CNML]).get("/tableau-de-bord/regions/", {"periode": "2011-T3"})

    assert row_text(response, "Région Bêta").startswith("3 ")


# --- Rates resting on few young people -------------------------------------------------------


@pytest.mark.parametrize(("denominator", "warned"), [(1, True), (19, True), (20, False), (400, False), (0, False)])
def test_a_rate_on_fewer_than_20_young_people_is_warned(denominator, warned):
    rate = indicators.get("taux_emploi_ou_formation")
    value = indicators.rate(denominator // 2, denominator)

    row = pages.row_of(Figure(rate, value, None, numerator=denominator // 2, denominator=denominator))

    assert bool(row.warning) is warned
    if warned:
        # A number and its noun are joined by a no-break space (cnml.formatting).
        assert row.warning == f"sur {denominator}\u00a0jeune{'s' if denominator > 1 else ''} seulement"


def test_counts_are_never_warned():
    count = indicators.get("jeunes_accueillis")

    assert pages.row_of(Figure(count, 3, 2)).warning == ""


def test_the_warning_is_on_the_page_and_in_the_exports(figures, client_for, users):  # noqa: F811
    client = client_for(users[Role.ANIMATEUR_REGIONAL])

    page = client.get(STRUCTURE_A1, {"periode": "2011-T1"})
    assert "sur 5\u00a0jeunes seulement" in row_text(page, "Part des jeunes accueillis en emploi ou formation")
    assert "Un taux calculé sur moins de 20 jeunes varie beaucoup" in text_of(page)

    by_code = {row["Code"]: row for row in read_csv(client.get(f"{STRUCTURE_A1}export.csv?periode=2011-T1"))}
    assert by_code["taux_emploi_ou_formation"]["Remarque"] == (
        "taux calculé sur 5\u00a0jeunes seulement (moins de 20) : à lire avec prudence"
    )
    assert by_code["jeunes_accueillis"]["Remarque"] == ""

    structures = read_csv(client.get(f"{REGION_A}export.csv?periode=2011-T1&tableau=structures"))
    assert (
        "Part des jeunes accueillis en emploi ou formation : taux calculé sur 5\u00a0jeunes"
        in structures[0]["Remarque"]
    )
    assert Decimal(structures[0]["Part des jeunes accueillis en emploi ou formation (%)"].replace(",", ".")) == 60
