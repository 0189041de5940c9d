"""Stored results: aggregation, small-cell protection applied alike in pages, charts and exports."""

from __future__ import annotations

import copy
import csv
import io
import re

import pytest
from openpyxl import load_workbook

from surveys import selectors
from surveys.aggregation import aggregate_campaign
from surveys.models import Campaign, CampaignStatus, NodeLevel, ResultNode
from tests.factories import AntenneFactory
from tests.pages import page_text
from tests.surveys.conftest import store_responses

pytestmark = pytest.mark.django_db


@pytest.fixture
def results(make_campaign, answer, network):
    """ML A1: antennes of 30, 5 and 20 answers; ML A2: one antenne of 40. Aggregated."""
    b = AntenneFactory(code="ANTA1B", name="Antenne Alpha 1 B", parent=network.ml_a1)
    c = AntenneFactory(code="ANTA1C", name="Antenne Alpha 1 C", parent=network.ml_a1)
    campaign = make_campaign(structures=[network.antenne_a1, b, c, network.antenne_a2], status=CampaignStatus.CLOSED)
    answer(campaign, network.antenne_a1, 30, accueil="tres_satisfait", commentaire="Super accueil")
    answer(campaign, b, 5, accueil="pas_du_tout_satisfait", commentaire="Secret de la petite antenne")
    answer(campaign, c, 20, accueil="plutot_satisfait")
    answer(campaign, network.antenne_a2, 20, accueil="tres_satisfait")
    answer(campaign, network.antenne_a2, 20, accueil="plutot_satisfait", delai="autre_jour")
    aggregate_campaign(campaign)
    campaign.refresh_from_db()
    return campaign


def node(campaign, key) -> ResultNode:
    return ResultNode.objects.get(campaign=campaign, key=key)


def test_aggregation_stores_every_group_with_its_parent(results):
    nodes = {n.key: n for n in ResultNode.objects.filter(campaign=results)}
    assert nodes["region-901"].n == 95 and nodes["region-901"].parent is None
    assert nodes["structure-MLA1"].n == 55 and nodes["structure-MLA1"].parent == nodes["region-901"]
    assert nodes["structure-MLA2"].n == 40
    assert nodes["structure-ANTA1"].n == 30 and nodes["structure-ANTA1"].parent == nodes["structure-MLA1"]
    assert results.aggregated_responses == 95
    accueil = nodes["structure-MLA1"].figures["headline"]["accueil"]
    assert accueil["pct"] == pytest.approx(100 * 30 / 55)
    assert accueil["moe"] == pytest.approx(100 * 1.96 * ((30 / 55) * (25 / 55) / 55) ** 0.5)


def test_a_small_antenne_and_the_sibling_that_would_reveal_it_are_stored_without_figures(results):
    small, sibling = node(results, "structure-ANTA1B"), node(results, "structure-ANTA1C")
    for hidden in (small, sibling):
        assert hidden.suppressed and hidden.n is None and hidden.figures == {}
    assert not node(results, "structure-ANTA1").suppressed
    others = node(results, "autres-structure-MLA1")
    assert others.level == NodeLevel.OTHERS
    assert others.n == 25  # 5 + 20, what ML A1 minus antenne A1 gives anyway
    assert others.label == "Autres antennes (regroupées)"


def test_results_page_shows_hidden_groups_as_masked_and_compares_with_the_parent(client_for, users, results):
    page = page_text(client_for(users["directeur"]).get(f"/enquetes/campagnes/{results.pk}/resultats/structure-MLA1/"))
    assert "55\u00a0réponses" in page
    assert "54,5\u00a0%" in page  # very satisfied in ML A1
    assert "52,6\u00a0%" in page  # the region, for comparison (50 / 95)
    assert re.search(r"Antenne Alpha 1 B </th> <td class=\"surveys-hidden-cell\">masqué", page)
    assert re.search(r"Antenne Alpha 1 C </th> <td class=\"surveys-hidden-cell\">masqué", page)
    assert "Autres antennes (regroupées)" in page
    hidden_page = page_text(
        client_for(users["directeur"]).get(f"/enquetes/campagnes/{results.pk}/resultats/structure-ANTA1B/")
    )
    assert "Résultats masqués" in hidden_page
    assert "pas du tout" not in hidden_page.lower().split("résultats masqués")[1]


def test_exports_hide_exactly_what_pages_hide(client_for, users, results):
    client = client_for(users["animateur_regional"])
    content = client.get(f"/enquetes/campagnes/{results.pk}/resultats/export.csv").content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(content), delimiter=";"))
    header, body = rows[0], rows[1:]
    assert header[0] == "Niveau" and "Marge d'erreur à 95 %" in header
    by_group: dict[str, list[list[str]]] = {}
    for row in body:
        by_group.setdefault(row[1], []).append(row)
    for code in ("ANTA1B", "ANTA1C"):
        assert by_group[code] == [
            [
                "Antenne",
                code,
                by_group[code][0][2],
                "Mission locale Alpha 1",
                "masqué",
                "Tous les indicateurs",
                "",
                "",
                "masqué",
                "masqué",
                "masqué",
            ]
        ]
    accueil = next(r for r in by_group["MLA1"] if r[5] == "Très satisfaits de l'accueil")
    assert accueil[9] == "54,5"  # French decimal comma in the CSV
    xlsx = client.get(f"/enquetes/campagnes/{results.pk}/resultats/export.xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    cells = [[cell.value for cell in row] for row in sheet.iter_rows()]
    hidden_rows = [row for row in cells if row[1] in ("ANTA1B", "ANTA1C")]
    assert len(hidden_rows) == 2 and all(row[4] == "masqué" and row[9] == "masqué" for row in hidden_rows)
    # No export row carries a figure computed on the 5 answers of the small antenne alone.
    assert not any(row[1] == "ANTA1B" and isinstance(row[9], (int, float)) for row in cells)


def test_exports_list_the_questions_in_the_questionnaires_order_whatever_order_the_database_keeps(
    client_for, users, results
):
    # PostgreSQL's jsonb keeps an object's keys in an order of its own (shortest first), not as written.
    for stored in ResultNode.objects.filter(campaign=results, suppressed=False):
        stored.figures["questions"] = dict(reversed(stored.figures.get("questions", {}).items()))
        stored.save(update_fields=["figures"])

    content = client_for(users["animateur_regional"]).get(f"/enquetes/campagnes/{results.pk}/resultats/export.csv")
    rows = list(csv.reader(io.StringIO(content.content.decode("utf-8-sig")), delimiter=";"))
    exported = list(dict.fromkeys(row[6] for row in rows[1:] if row[1] == "MLA1" and row[5] == "Répartition (%)"))
    in_questionnaire = [
        question["text"]
        for section in results.results_spec["sections"]
        for question in section["questions"]
        if question["text"] in exported
    ]
    assert len(exported) > 1
    assert exported == in_questionnaire


def test_pdf_reports_for_a_mission_locale_and_a_region(client_for, users, results):
    client = client_for(users["animateur_regional"])
    for key in ("structure-MLA1", "region-901"):
        pdf = client.get(f"/enquetes/campagnes/{results.pk}/resultats/{key}/rapport.pdf")
        assert pdf.status_code == 200
        assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert client.get(f"/enquetes/campagnes/{results.pk}/resultats/structure-ANTA1/rapport.pdf").status_code == 404


def test_free_comments_are_for_directors_animators_and_cnml_only(client_for, users, results):
    url = f"/enquetes/campagnes/{results.pk}/resultats/structure-MLA1/"
    for role in ("directeur", "animateur_regional", "relecteur_cnml", "administrateur"):
        page = page_text(client_for(users[role]).get(url))
        assert "Super accueil" in page, role
        # Listed for the whole mission locale (55 answers), never attributed to an antenne.
        assert "35\u00a0commentaires" in page, role
    conseiller_page = page_text(client_for(users["conseiller"]).get(url))
    assert "Commentaires libres" not in conseiller_page
    assert "Super accueil" not in conseiller_page


def test_every_free_comment_can_be_read_page_after_page_and_in_the_report(
    client_for, users, make_campaign, answer, network, monkeypatch
):
    from surveys import views

    monkeypatch.setattr(views, "COMMENTS_PER_PAGE", 10)
    campaign = make_campaign(structures=[network.antenne_a1], status=CampaignStatus.CLOSED)
    for number in range(1, 26):
        answer(campaign, network.antenne_a1, 1, accueil="tres_satisfait", commentaire=f"Remarque numéro {number}.")
    aggregate_campaign(campaign)
    client = client_for(users["directeur"])
    url = f"/enquetes/campagnes/{campaign.pk}/resultats/structure-ANTA1/"

    seen = set()
    for page_number in (1, 2, 3):
        page = page_text(client.get(url, {"page": page_number}))
        seen |= set(re.findall(r"Remarque numéro (\d+)\.", page))
    first = page_text(client.get(url))

    assert seen == {str(number) for number in range(1, 26)}
    assert "25\u00a0commentaires" in first and "1 à 10 sur cette page" in first
    assert 'aria-label="Pagination"' in first
    pdf = client.get(f"/enquetes/campagnes/{campaign.pk}/resultats/structure-MLA1/rapport.pdf")
    assert pdf.status_code == 200


def test_no_free_comment_is_dropped_however_many_there_are(make_campaign, answer, network):
    from surveys.selectors import node_comments

    campaign = make_campaign(structures=[network.antenne_a1], status=CampaignStatus.CLOSED)
    answer(campaign, network.antenne_a1, 305, accueil="tres_satisfait", commentaire="Merci")
    aggregate_campaign(campaign)
    campaign.refresh_from_db()

    comments = node_comments(node(campaign, "structure-ANTA1"), spec=campaign.results_spec)

    assert len(comments) == 305


def test_comments_of_a_hidden_group_are_not_shown_on_its_page(client_for, users, results):
    page = page_text(
        client_for(users["animateur_regional"]).get(f"/enquetes/campagnes/{results.pk}/resultats/structure-ANTA1B/")
    )
    assert "Secret de la petite antenne" not in page


def test_the_questionnaires_texts_read_the_french_way_in_tables_charts_and_reports_alike(results):
    # Typed with plain spaces before « ? ! : »; the page, its charts and the PDF report share these texts.
    ml = node(results, "structure-MLA1")
    spec = copy.deepcopy(results.results_spec)
    accueil = next(q for section in spec["sections"] for q in section["questions"] if q["code"] == "accueil")
    accueil["text"] = "Satisfait ? Vraiment : oui"
    ml.figures["questions"]["accueil"]["distribution"][0]["label"] = "Oui ! Très"
    ml.figures["headline"]["connu"][0]["label"] = "Autre : un ami"
    ml.figures["servqual"] = {"dimensions": [], "items": [{"item": 1, "code": "accueil", "gap": None}]}

    data = selectors.node_results(ml, spec=spec)

    block = next(block for block in data["questions"] if block["code"] == "accueil")
    assert block["text"] == data["servqual"]["items"][0]["text"] == "Satisfait\u202f? Vraiment\u00a0: oui"
    assert block["rows"][0]["label"] == block["chart"].bars[0].label == "Oui\u202f! Très"
    heard = data["headline"]["heard"]
    assert heard["rows"][0]["label"] == heard["chart"].bars[0].label == "Autre\u00a0: un ami"


def test_a_question_answered_by_few_is_hidden_even_in_a_shown_group(make_campaign, answer, network):
    campaign = make_campaign()
    answer(campaign, network.antenne_a1, 20, services=["ateliers"])
    answer(campaign, network.antenne_a2, 20, services=None)
    answer(campaign, network.antenne_a2, 4, services=["internet"])
    aggregate_campaign(campaign)
    a2 = node(campaign, "structure-ANTA2")
    assert not a2.suppressed
    assert a2.figures["questions"]["services"] is None  # 4 answers
    assert a2.figures["questions"]["accueil"] is not None
    # And its sibling's, or the difference with the region would give antenne A2's 4 answers away.
    assert node(campaign, "structure-ANTA1").figures["questions"]["services"] is None
    assert node(campaign, "region-901").figures["questions"]["services"]["n"] == 24


def test_servqual_results_are_stored_per_item_dimension_and_overall(make_campaign, network):
    from datetime import date

    from surveys.demo import generate_answers
    from surveys.spec import current_version

    campaign = make_campaign(questionnaire="servqual-jeunes")
    _, spec = current_version(campaign.questionnaire)
    import random

    rng = random.Random(1)
    point = campaign.points.get(structure=network.antenne_a1)
    store_responses(campaign, point, (generate_answers(spec, rng) for _ in range(15)), submitted_on=date(2011, 1, 1))
    aggregate_campaign(campaign)
    servqual = node(campaign, "structure-ANTA1").figures["servqual"]
    assert len(servqual["items"]) == 22
    assert [d["name"] for d in servqual["dimensions"]] == [
        "Tangibles",
        "Fiabilité",
        "Réactivité",
        "Assurance",
        "Empathie",
    ]
    assert servqual["overall"]["n"] == 15 and servqual["weighted"]["n"] == 15
    assert servqual["overall"]["value"] == pytest.approx(sum(d["gap"] for d in servqual["dimensions"]) / 5)


def test_a_national_campaign_has_a_nation_level_above_regions(make_campaign, answer, network):
    campaign = make_campaign(scope="nation", structures=[network.antenne_a1, network.antenne_b1])
    answer(campaign, network.antenne_a1, 12)
    answer(campaign, network.antenne_b1, 15)
    aggregate_campaign(campaign)
    nation = node(campaign, "nation")
    assert nation.n == 27 and nation.level == NodeLevel.NATION
    assert node(campaign, "region-902").parent == nation


def test_the_demo_loads_the_paca_campaign_idempotently(settings):
    from cnml.demo import demo_load_network
    from surveys.demo import EMPLOYER_TITLE, YOUTH_TITLE, demo_load_surveys

    out = io.StringIO()
    demo_load_network(stdout=out)
    from django.apps import apps

    from tests.surveys.conftest import load_instruments

    load_instruments(apps, None)
    demo_load_surveys(stdout=out)
    demo_load_surveys(stdout=out)
    youth = Campaign.objects.get(title=YOUTH_TITLE)
    assert youth.responses.count() == 129
    assert Campaign.objects.filter(title=YOUTH_TITLE).count() == 1
    nodes = {n.key: n for n in youth.nodes.all()}
    assert not nodes["region-93"].suppressed
    assert not nodes["structure-ML93001"].suppressed and not nodes["structure-ML93002"].suppressed
    assert nodes["structure-ML93002A2"].suppressed  # 7 answers
    assert nodes["structure-ML93002A1"].suppressed  # would be ML93002 minus the small one
    assert 40 <= nodes["region-93"].figures["headline"]["accueil"]["pct"] <= 55
    employer = Campaign.objects.get(title=EMPLOYER_TITLE)
    assert employer.status == CampaignStatus.DRAFT and employer.points.count() == 2
