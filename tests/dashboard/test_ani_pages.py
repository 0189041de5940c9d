"""The ANI pages (nation, region, structure) and the ANI lines of the dashboards and their exports.

Scope as the tableau de bord's (404 outside); « non disponible » (never 0) for ``ani_eligibles``
when the extract had no ``niveau_certification`` column; no ANI line for a snapshot computed
before the ANI indicators existed.
"""

from __future__ import annotations

import csv
import html
import io
import re

import openpyxl
import pytest
from django.core.cache import cache

from cnml.models import Role
from dashboard.models import IndicatorValue, Snapshot
from dashboard.publication import snapshot_validate
from tests.dashboard.ani_extracts import ani_young, import_and_recompute, write_ani_extract
from tests.dashboard.conftest import enrolment, structure

pytestmark = pytest.mark.django_db

ANI = "/tableau-de-bord/ani/"
ANI_REGION_A = "/tableau-de-bord/ani/regions/901/"
ANI_REGION_B = "/tableau-de-bord/ani/regions/902/"
ANI_STRUCTURE_A1 = "/tableau-de-bord/ani/structures/MLA1/"
ANI_STRUCTURE_B1 = "/tableau-de-bord/ani/structures/MLB1/"
NBSP = "\u00a0"
ALPHA = ("901", "Région Alpha")
BETA = ("902", "Région Bêta")
STRUCTURES = [
    structure("MLA1", nom="Mission locale Alpha 1", region=ALPHA),
    structure("MLA2", nom="Mission locale Alpha 2", region=ALPHA),
    structure("MLB1", nom="Mission locale Bêta 1", region=BETA),
]


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


def _extract(directory, *, with_certification: bool = True):
    """2011: MLA1 two eligible young people, both entered the ANI; one left it for a training, one gave up.

    2010: one entry in MLA1 (still followed in 2011), one in MLB1.
    """
    jeunes = [
        ani_young("A1", structure="MLA1", first="2011-02-01"),
        ani_young("A2", structure="MLA1", first="2011-03-01"),
        ani_young("A3", structure="MLA1", first="2010-02-01", level="III"),
        ani_young("B1", structure="MLB1", first="2010-03-01", level="III"),
    ]
    dispositifs = [
        enrolment("A1", "ANI", date_entree="2011-04-01", date_sortie="2011-05-15", motif_sortie="FORMATION"),
        enrolment("A2", "ANI", date_entree="2011-04-10", date_sortie="2011-06-01", motif_sortie="ABANDON"),
        enrolment("A3", "ANI", date_entree="2010-04-01"),
        enrolment("B1", "ANI", date_entree="2010-05-01"),
    ]
    write_ani_extract(directory, jeunes, dispositifs=dispositifs, with_certification=with_certification)
    (directory / "jeunes.csv").write_text((directory / "jeunes.csv").read_text().replace("ML93001", "MLA1"))
    from tests.dashboard.conftest import write_csv

    write_csv(directory / "structures.csv", [*STRUCTURES, structure("ML93001", region=ALPHA)])
    return directory


@pytest.fixture
def ani_published(tmp_path, network, users):
    snapshot = import_and_recompute(_extract(tmp_path / "extract"))
    return snapshot_validate(snapshot_id=snapshot.pk, user=users[Role.RELECTEUR_CNML])


@pytest.fixture
def without_certification(tmp_path, network, users):
    snapshot = import_and_recompute(_extract(tmp_path / "extract", with_certification=False))
    return snapshot_validate(snapshot_id=snapshot.pk, user=users[Role.RELECTEUR_CNML])


def text_of(response) -> str:
    content = re.sub(r"<(script|style|svg)\b.*?</\1>", " ", response.content.decode(), flags=re.S)
    return re.sub(r"[ \t\r\n]+", " ", html.unescape(re.sub(r"<[^>]+>", " ", content)))


def row_text(response, label: str) -> str:
    for header, cells in re.findall(
        r'<tr>\s*<th scope="row"[^>]*>(.*?)</th>(.*?)</tr>', response.content.decode(), re.S
    ):
        if re.sub(r"[ \t\r\n\f]+", " ", html.unescape(re.sub(r"<[^>]+>", " ", header))).strip() == label:
            return re.sub(r"[ \t\r\n]+", " ", html.unescape(re.sub(r"<[^>]+>", " ", cells))).strip()
    raise AssertionError(f"ligne « {label} » absente")


# --- The pages -----------------------------------------------------------------------------


def test_the_national_ani_page_is_public_and_shows_the_year_on_year_figures(client, ani_published):
    response = client.get(ANI, {"periode": "2011-T2"})

    assert response.status_code == 200
    text = text_of(response)
    assert "Accompagnement ANI des jeunes « décrocheurs » : France entière" in text
    # Janvier-juin 2010 -> 2011: columns previous, current, evolution.
    assert row_text(response, "Jeunes éligibles à l'accompagnement ANI").startswith("0 2 ")
    assert row_text(response, "Jeunes entrés dans l'accompagnement ANI").startswith(f"2 2 0,0{NBSP}% → stable")
    assert row_text(response, "Jeunes accompagnés (ANI)").startswith("2 4 +100,0")
    assert row_text(response, "Jeunes sortis de l'accompagnement ANI").startswith("0 2 ")
    assert row_text(response, "sortis positivement").startswith("0 1 ")
    assert row_text(response, "Taux de sorties positives de l'accompagnement ANI").startswith(f"– 50,0{NBSP}%")
    # Only the ANI lines, and their charts.
    assert "Jeunes accueillis pour la 1re fois" not in text
    assert 'aria-controls="donnees-graphique-ani_entrees"' in response.content.decode()
    assert 'aria-controls="donnees-graphique-jeunes_accueillis"' not in response.content.decode()


def test_the_region_and_structure_ani_pages_compare_with_their_references(client_for, users, ani_published):
    animator = client_for(users[Role.ANIMATEUR_REGIONAL])

    region = animator.get(ANI_REGION_A, {"periode": "2011-T2"})
    structure_page = animator.get(ANI_STRUCTURE_A1, {"periode": "2011-T2"})

    assert region.status_code == structure_page.status_code == 200
    # Region Alpha: 2 entries in 2011 of 2 nationally (previous, current, evolution, then the nation).
    assert row_text(region, "Jeunes entrés dans l'accompagnement ANI").startswith("1 2 +100,0")
    assert row_text(region, "Jeunes entrés dans l'accompagnement ANI").endswith(" 2")
    assert "Mission locale Alpha 1" in text_of(structure_page)
    assert row_text(structure_page, "Jeunes accompagnés (ANI)").startswith("1 3 +200,0")


@pytest.mark.parametrize(
    ("role", "path", "status"),
    [
        (Role.DIRECTEUR, ANI_STRUCTURE_A1, 200),
        (Role.DIRECTEUR, ANI_STRUCTURE_B1, 404),
        (Role.DIRECTEUR, ANI_REGION_A, 404),
        (Role.CONSEILLER, ANI_STRUCTURE_A1, 200),
        (Role.ANIMATEUR_REGIONAL, ANI_REGION_A, 200),
        (Role.ANIMATEUR_REGIONAL, ANI_REGION_B, 404),
        (Role.ANIMATEUR_REGIONAL, ANI_STRUCTURE_B1, 404),
        (Role.RELECTEUR_CNML, ANI_REGION_B, 200),
        (Role.RELECTEUR_CNML, ANI_STRUCTURE_B1, 200),
        (Role.RELECTEUR_CNML, f"{ANI_STRUCTURE_B1}export.csv", 200),
        (Role.DIRECTEUR, f"{ANI_STRUCTURE_B1}export.csv", 404),
        (Role.ANIMATEUR_REGIONAL, f"{ANI_REGION_B}export.xlsx", 404),
    ],
)
def test_ani_pages_follow_the_dashboards_scope(client_for, users, ani_published, role, path, status):
    assert client_for(users[role]).get(path).status_code == status


def test_anonymous_users_read_only_the_national_ani_page(client, ani_published):
    assert client.get(ANI).status_code == 200
    response = client.get(ANI_STRUCTURE_A1)
    assert response.status_code == 302
    assert "/connexion/" in response["Location"] or "login" in response["Location"]


def test_without_the_certification_column_eligibles_read_non_disponible_never_zero(client, without_certification):
    response = client.get(ANI, {"periode": "2011-T2"})

    row = row_text(response, "Jeunes éligibles à l'accompagnement ANI")
    assert row.startswith("non disponible non disponible")
    assert "0" not in row
    # The other ANI indicators are there.
    assert row_text(response, "Jeunes entrés dans l'accompagnement ANI").startswith("2 2 ")
    content = html.unescape(response.content.decode())
    assert "non disponible pour ce calcul" in content
    # The chart's text alternative says so too.
    table = re.search(r'id="donnees-graphique-ani_eligibles">(.*?)</table>', content, re.S).group(1)
    assert "non disponible" in table and ">0<" not in table


def test_the_main_dashboard_carries_the_ani_section(client, without_certification):
    response = client.get("/tableau-de-bord/", {"periode": "2011-T2"})

    assert "Accompagnement ANI des jeunes « décrocheurs »" in text_of(response)
    assert row_text(response, "Jeunes éligibles à l'accompagnement ANI").startswith("non disponible")
    assert row_text(response, "Jeunes entrés dans l'accompagnement ANI").startswith("2 2 ")


def test_a_snapshot_computed_before_the_ani_shows_no_ani_line(client, ani_published):
    IndicatorValue.objects.filter(snapshot=ani_published, indicator__contains="ani_").delete()
    codes = [code for code in ani_published.indicators if "ani_" not in code]
    Snapshot.objects.filter(pk=ani_published.pk).update(indicators=codes)

    national = client.get("/tableau-de-bord/")
    ani = client.get(ANI)

    assert row_text(national, "Jeunes accueillis")
    sections = re.findall(
        r'<th scope="rowgroup"[^>]*>\s*<span class="dashboard-section-title">([^<]+?)</span>', national.content.decode()
    )
    assert "Jeunes en contrat d'insertion dans la vie sociale - CIVIS" in map(html.unescape, sections)
    assert not [section for section in sections if "ANI" in section]
    for label in ("Jeunes éligibles à l'accompagnement ANI", "Jeunes entrés dans l'accompagnement ANI"):
        with pytest.raises(AssertionError, match="absente"):
            row_text(national, label)
    assert ani.status_code == 200
    assert "Pas d'indicateurs de l'ANI dans ce calcul" in text_of(ani)
    assert client.get(f"{ANI}export.csv").status_code == 404


# --- Exports -------------------------------------------------------------------------------


def test_ani_csv_holds_the_ani_lines_with_non_disponible(client, without_certification):
    response = client.get(f"{ANI}export.csv", {"periode": "2011-T2"})

    assert response.status_code == 200
    assert 'filename="tableau-de-bord-ani-france-2011-T2.csv"' in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert [row["Code"] for row in rows] == [
        "ani_eligibles",
        "ani_entrees",
        "ani_accompagnes",
        "ani_sorties",
        "ani_sorties_positives",
        "taux_ani_sorties_positives",
    ]
    assert (rows[0]["Valeur"], rows[0]["Valeur un an avant"]) == ("non disponible", "non disponible")
    assert (rows[1]["Valeur"], rows[1]["Valeur un an avant"]) == ("2", "2")
    assert rows[-1]["Valeur"] == "50,0"


def test_ani_xlsx_and_pdf(client_for, users, without_certification, pdf_html):
    reader = client_for(users[Role.ANIMATEUR_REGIONAL])
    xlsx = reader.get(f"{ANI_REGION_A}export.xlsx", {"periode": "2011-T2"})
    book = openpyxl.load_workbook(io.BytesIO(xlsx.content))
    rows = list(book["Indicateurs"].iter_rows(values_only=True))
    first = dict(zip(rows[0], rows[1], strict=True))
    assert (first["Code"], first["Valeur"], first["Référence nationale"]) == (
        "ani_eligibles",
        "non disponible",
        "non disponible",
    )
    entries = dict(zip(rows[0], rows[2], strict=True))
    assert (entries["Valeur"], entries["Référence nationale"]) == (2, 2)

    pdf = reader.get(f"{ANI_REGION_A}export.pdf", {"periode": "2011-T2"})
    assert pdf.status_code == 200
    assert pdf.content.startswith(b"%PDF-")
    page = html.unescape(pdf_html["html"])
    assert "non disponible" in page
    assert page.count('aria-labelledby="graphique-') == 5  # the ANI charts (eligibles: a sentence)
    assert "graphique-jeunes_accueillis" not in page


def test_export_indicators_says_when_eligibles_are_not_available(without_certification):
    import json

    from django.core.management import call_command

    out = io.StringIO()
    call_command("export_indicators", "--period", "2011-T2", "--scope", "region:901", stdout=out)

    rows = {row["code"]: row for row in json.loads(out.getvalue())}
    assert rows["ani_eligibles"]["available"] is False
    assert rows["ani_eligibles"]["value"] is None
    assert (rows["ani_entrees"]["value"], rows["ani_entrees"]["available"]) == (2, True)
    assert rows["taux_ani_sorties_positives"]["value"] == 50.0
