"""Exports of the dashboard tables: CSV, XLSX and the printable PDF, for the same reader and period as the page."""

from __future__ import annotations

import contextlib
import csv
import io

import openpyxl
import pytest
from django.urls import Resolver404, resolve, reverse

from cnml.models import Role
from dashboard import exports
from dashboard import indicators as registry
from tests.dashboard.test_pages import (
    NATIONAL,
    PROVENANCE,
    REGION_A,
    STRUCTURE_A1,
    empty_cache,  # noqa: F401 - autouse fixture
    figures,  # noqa: F401 - fixture
    make_snapshot,
    newsletter_values,
    published,  # noqa: F401 - fixture
)

pytestmark = pytest.mark.django_db


def read_csv(response) -> list[dict]:
    content = response.content.decode("utf-8")
    assert content.startswith("\ufeff"), "BOM attendu pour les tableurs"
    return list(csv.DictReader(io.StringIO(content.lstrip("\ufeff")), delimiter=";"))


@pytest.fixture
def newsletter(users):
    return make_snapshot(newsletter_values(), periods=["2010-T2", "2011-T2"], validated_by=users[Role.RELECTEUR_CNML])


def test_national_csv_lists_every_indicator_with_french_decimals_and_the_source(client, newsletter):
    response = client.get(f"{NATIONAL}export.csv", {"periode": "2011-T2"})

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="tableau-de-bord-france-2011-T2.csv"' in response["Content-Disposition"]
    rows = read_csv(response)
    assert [row["Code"] for row in rows] == [indicator.code for indicator in registry.in_display_order()]
    first = rows[0]
    assert first["Indicateur"] == "Jeunes accueillis"
    assert first["Rubrique"] == "Accueil des jeunes"
    assert first["Valeur"] == "958450"
    assert first["Valeur un an avant"] == "915155"
    assert first["Évolution (en %, en points pour un taux)"] == "4,7"
    assert first["Période"] == "2011-T2 (janvier-juin 2011)"
    assert first["Source"] == PROVENANCE
    by_code = {row["Code"]: row for row in rows}
    assert by_code["premiers_accueils"]["Évolution (en %, en points pour un taux)"] == "-6,5"
    assert by_code["taux_premiers_accueils"]["Unité"] == "%"
    assert by_code["taux_premiers_accueils"]["Valeur"] == "23,2"
    assert by_code["taux_premiers_accueils"]["Évolution (en %, en points pour un taux)"] == "-2,8"
    # The national table has no references and no ranks.
    assert "Référence nationale" not in first
    assert "Rang parmi les structures" not in first


@pytest.mark.parametrize(
    "route, kwargs",
    [
        ("dashboard:national_export", {}),
        ("dashboard:regions_export", {}),
        ("dashboard:region_export", {"code": "R1"}),
        ("dashboard:structure_export", {"code": "S1"}),
        ("dashboard:ani_national_export", {}),
        ("dashboard:ani_region_export", {"code": "R1"}),
        ("dashboard:ani_structure_export", {"code": "S1"}),
        ("dashboard:objectives_export", {}),
    ],
)
def test_every_export_address_takes_the_known_formats_only(client, route, kwargs):
    for fmt in exports.FORMATS:
        assert reverse(route, kwargs={**kwargs, "fmt": fmt}).endswith(f"/export.{fmt}")
    unknown = reverse(route, kwargs={**kwargs, "fmt": "csv"}).replace("export.csv", "export.doc")
    # Another format has no route: the address is not found, or read as another page's (a region coded
    # « export.doc »), never as an export.
    with contextlib.suppress(Resolver404):
        assert resolve(unknown).view_name != route
    assert client.get(reverse("dashboard:national_export", kwargs={"fmt": "csv"})[:-3] + "doc").status_code == 404


def test_the_public_cannot_export_unvalidated_figures(client, figures):  # noqa: F811
    assert client.get(f"{NATIONAL}export.csv").status_code == 404
    assert client.get(f"{NATIONAL}export.xlsx").status_code == 404


def test_a_provisional_export_says_it_is_not_validated(client_for, users, figures):  # noqa: F811
    rows = read_csv(client_for(users[Role.DIRECTEUR]).get(f"{STRUCTURE_A1}export.csv"))

    assert rows[0]["Source"] == f"{PROVENANCE} — chiffres provisoires, non validés par le CNML"


def test_structure_csv_carries_references_ranks_and_quartiles(client_for, users, published):  # noqa: F811
    response = client_for(users[Role.DIRECTEUR]).get(f"{STRUCTURE_A1}export.csv", {"periode": "2011-T1"})

    by_code = {row["Code"]: row for row in read_csv(response)}
    welcomed = by_code["jeunes_accueillis"]
    assert welcomed["Périmètre"] == "Mission locale Alpha 1"
    assert (welcomed["Valeur"], welcomed["Valeur un an avant"]) == ("5", "4")
    assert (welcomed["Référence régionale"], welcomed["Référence nationale"]) == ("7", "7")
    assert welcomed["Rang parmi les structures"] == ""
    rate = by_code["taux_emploi_ou_formation"]
    assert (rate["Valeur"], rate["Référence régionale"]) == ("60,0", "71,4")
    assert (rate["Rang parmi les structures"], rate["Structures classées"], rate["Quartile"]) == ("2", "2", "4")


def test_region_xlsx_holds_its_indicators_and_its_structures_as_numbers(client_for, users, published):  # noqa: F811
    response = client_for(users[Role.ANIMATEUR_REGIONAL]).get(f"{REGION_A}export.xlsx", {"periode": "2011-T3"})

    assert response.status_code == 200
    assert response["Content-Type"] == exports.XLSX_TYPE
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Indicateurs", "Structures", "Objectifs"]  # the 2011 seed objectives
    indicators = list(book["Indicateurs"].iter_rows(values_only=True))
    headers = indicators[0]
    first = dict(zip(headers, indicators[1], strict=True))
    assert first["Code"] == "jeunes_accueillis"
    assert (first["Valeur"], first["Valeur un an avant"], first["Référence nationale"]) == (7, 6, 10)
    assert first["Évolution (en %, en points pour un taux)"] == pytest.approx(16.7)
    structures = list(book["Structures"].iter_rows(values_only=True))
    assert [row[:3] for row in structures[1:]] == [
        ("MLA1", "Mission locale Alpha 1", 5),
        ("MLA2", "Mission locale Alpha 2", 2),
    ]


def test_region_csv_of_its_structures(client_for, users, published):  # noqa: F811
    response = client_for(users[Role.ANIMATEUR_REGIONAL]).get(
        f"{REGION_A}export.csv", {"periode": "2011-T3", "tableau": "structures"}
    )

    assert 'filename="tableau-de-bord-region-901-2011-T3-structures.csv"' in response["Content-Disposition"]
    rows = read_csv(response)
    assert [row["Code"] for row in rows] == ["MLA1", "MLA2"]
    assert rows[0]["Part des jeunes accueillis en emploi ou formation (%)"] == "60,0"
    assert rows[0]["Part des jeunes accueillis en emploi ou formation : rang"] == "2"
    assert rows[0]["Source"] == PROVENANCE


def test_pdf_is_the_newsletter_table_with_its_charts_as_svg(client, newsletter, pdf_html):
    response = client.get(f"{NATIONAL}export.pdf")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    assert 'filename="tableau-de-bord-france-2011-T2.pdf"' in response["Content-Disposition"]
    page = pdf_html["html"]
    assert "Le tableau de bord des missions locales" in page
    assert "Janvier-juin 2010" in page and "Janvier-juin 2011" in page
    assert "958\u202f450" in page and "+4,7\u00a0% ↗" in page
    assert 'class="level-1"' in page  # sub-lines indented
    # Every indicator with values: the newsletter's table has none of the ANI's (six lines without a chart).
    assert page.count('role="img" aria-labelledby="graphique-') == len(registry.INDICATORS) - 6
    assert "d&#x27;octobre 2011" in page or "d'octobre 2011" in page
    assert "Chiffres provisoires" not in page
