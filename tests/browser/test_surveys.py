"""Surveys in a real browser: a young person answers on a phone, then the regional animator reads the results.

Every page visited is checked with axe-core (RGAA: zero violations) under the
production Content-Security-Policy.
"""

from __future__ import annotations

import random
import re
from datetime import date, timedelta

import pytest
from django.apps import apps
from django.utils import timezone
from playwright.sync_api import Page, expect

from cnml.models import Structure
from surveys.demo import generate_answers
from surveys.models import Campaign, CampaignStatus, Questionnaire, Response
from surveys.services import access_codes_generate, campaign_sync_points
from surveys.spec import current_version
from tests.browser.axe import AxeReport, assert_accessible
from tests.browser.helpers import BrowserProblems, login
from tests.surveys.conftest import fresh_spec_cache, load_instruments, store_responses  # noqa: F401 - autouse here too

PARTICIPANTS = ["ML93001A1", "ML93002A1", "ML93002A2"]


def survey_campaign(title: str, questionnaire: str, participants: list[str], **fields) -> Campaign:
    """A campaign of ``questionnaire`` (its code) over ``participants`` (structure codes), with its points."""
    campaign = Campaign.objects.create(
        title=title, questionnaire=Questionnaire.objects.get(code=questionnaire), **fields
    )
    campaign.participants.set(Structure.objects.filter(code__in=participants))
    campaign_sync_points(campaign=campaign)
    return campaign


@pytest.fixture
def campaign(demo_network) -> Campaign:
    """An open campaign of the region 93 demo structures (questions phares), committed for the live server."""
    load_instruments(apps, None)
    today = timezone.localdate()
    return survey_campaign(
        "Enquête de satisfaction des jeunes 2011",
        "questions-phares",
        PARTICIPANTS,
        audience="jeunes",
        scope="region",
        region=Structure.objects.get(code="ML93001").region,
        opens_on=today - timedelta(days=5),
        closes_on=today + timedelta(days=30),
        target=90,
        status=CampaignStatus.OPEN,
    )


def question(page: Page, text: str):
    return page.get_by_role("group", name=re.compile(re.escape(text)))


def tick(group, label: str) -> None:
    """Tick a DSFR radio button or checkbox: its label covers the input, as on a real screen."""
    group.get_by_label(label, exact=True).check(force=True)


def test_a_young_person_answers_on_a_phone_then_the_animator_reads_the_results(
    phone: Page, page: Page, campaign: Campaign
):
    point = campaign.points.get(structure__code="ML93001A1")
    phone_problems = BrowserProblems()
    phone.on("console", phone_problems._on_console)
    phone.on("pageerror", phone_problems._on_page_error)

    # --- On the phone: the poster's short link.
    phone.goto(f"/e/{point.code}/")
    expect(phone.get_by_role("heading", level=1)).to_have_text(campaign.title)
    assert_accessible(phone)
    phone.get_by_role("link", name="Commencer le questionnaire").click()
    expect(phone.get_by_role("heading", level=1)).to_contain_text("Votre accueil")
    expect(phone.get_by_role("heading", level=1)).to_contain_text("Étape 1 sur 2")
    # Mobile-first: nothing wider than the screen.
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    assert_accessible(phone)

    # Sending an incomplete screen: errors listed and linked, answers kept.
    tick(question(phone, "Êtes-vous satisfait(e) de l'accueil"), "Très satisfait(e)")
    phone.get_by_role("button", name="Suivant").click()
    alert = phone.get_by_role("alert")
    expect(alert).to_contain_text("3 réponses sont à compléter ou à corriger")
    expect(alert.get_by_role("link", name="Conseilleriez-vous à vos amis de s'y rendre ?")).to_be_visible()
    expect(question(phone, "Êtes-vous satisfait(e) de l'accueil").get_by_label("Très satisfait(e)")).to_be_checked()
    assert_accessible(phone)

    tick(question(phone, "À votre arrivée"), "immédiatement")
    connu = question(phone, "Comment avez-vous connu la mission locale")
    tick(connu, "Amis")
    tick(connu, "Pôle emploi")
    tick(question(phone, "Conseilleriez-vous"), "Oui")
    phone.get_by_role("button", name="Suivant").click()

    expect(phone.get_by_role("heading", level=1)).to_contain_text("Étape 2 sur 2")
    phone.get_by_label(re.compile("Commentaire libre")).fill("Accueil chaleureux, merci.")
    # Back and forth: the answers of both screens are kept in the session.
    phone.get_by_role("button", name="Précédent").click()
    expect(question(phone, "Comment avez-vous connu la mission locale").get_by_label("Pôle emploi")).to_be_checked()
    phone.get_by_role("button", name="Suivant").click()
    expect(phone.get_by_label(re.compile("Commentaire libre"))).to_have_value("Accueil chaleureux, merci.")
    assert_accessible(phone)
    phone.get_by_role("button", name="Envoyer mes réponses").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Merci pour vos réponses")
    assert_accessible(phone)
    phone_problems.assert_clean()

    stored = Response.objects.get(campaign=campaign)
    assert stored.point == point
    assert stored.answers["connu"] == ["amis", "pole_emploi"]
    assert stored.answers["commentaire"] == "Accueil chaleureux, merci."

    # Others answered too (generated): 30 at ML93001A1 in all, 20 at ML93002A1, 4 at ML93002A2.
    _, spec = current_version(campaign.questionnaire)
    rng = random.Random(7)
    for code, count in (("ML93001A1", 29), ("ML93002A1", 20), ("ML93002A2", 4)):
        target = campaign.points.get(structure__code=code)
        store_responses(
            campaign, target, (generate_answers(spec, rng) for _ in range(count)), submitted_on=date.today()
        )

    # --- On a desktop: the regional animator.
    problems = BrowserProblems()
    page.on("console", problems._on_console)
    page.on("pageerror", problems._on_page_error)
    login(page, "animateur@demo.cnml.fr")
    page.goto("/enquetes/")
    assert_accessible(page)
    page.get_by_role("link", name=campaign.title).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(campaign.title)
    rates = page.get_by_role("table", name="Réponses par point de diffusion, face à l'objectif")
    expect(rates.get_by_role("row", name=re.compile("Antenne 1 de ML93001"))).to_contain_text("30")
    assert_accessible(page)
    page.get_by_role("button", name="Clore la campagne").click()
    expect(page.get_by_role("main")).to_contain_text("54 réponses")
    page.get_by_role("link", name="Voir les résultats").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Provence-Alpes-Côte d'Azur")
    expect(page.get_by_role("main")).to_contain_text("54 réponses")
    key_figures = page.get_by_role("table", name=re.compile("Chiffres clés"))
    expect(key_figures.get_by_role("row", name=re.compile("Très satisfaits de l'accueil"))).to_contain_text("%")
    groups = page.get_by_role("table", name=re.compile("Groupes de"))
    expect(groups.get_by_role("row", name=re.compile("Mission locale Provence-Alpes-Côte d'Azur 1"))).to_contain_text(
        "30"
    )
    assert_accessible(page)

    page.get_by_role("link", name="Mission locale Provence-Alpes-Côte d'Azur 2").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mission locale Provence-Alpes-Côte d'Azur 2")
    children = page.get_by_role("table", name=re.compile("Groupes de"))
    # 4 answers at antenne 2: hidden, and antenne 1 with it (24 − 20 would give it away).
    expect(children.get_by_role("row", name=re.compile("Antenne 2 de ML93002"))).to_contain_text("masqué")
    expect(children.get_by_role("row", name=re.compile("Antenne 1 de ML93002"))).to_contain_text("masqué")
    page.get_by_role("button", name=re.compile("Comment avez-vous connu")).click()
    expect(page.locator("svg.surveys-chart").first).to_be_visible()
    assert_accessible(page)
    problems.assert_clean()


def test_every_surveys_page_is_accessible(page: Page, problems: BrowserProblems, campaign: Campaign):
    """axe-core on each back-office page, as the animator, and on the public screens of each instrument."""
    point = campaign.points.get(structure__code="ML93001A1")
    access_codes_generate(point=point, count=4)
    _, spec = current_version(campaign.questionnaire)
    rng = random.Random(3)
    for code, count in (("ML93001A1", 14), ("ML93002A1", 12), ("ML93002A2", 12)):
        store_responses(
            campaign,
            campaign.points.get(structure__code=code),
            (generate_answers(spec, rng) | {"commentaire": "Très bien."} for _ in range(count)),
            submitted_on=date.today(),
        )
    from surveys.aggregation import aggregate_campaign

    aggregate_campaign(campaign)
    # A draft SERVQUAL campaign and an open OQM one, for the public screens of their scales.
    alike = {"region": campaign.region, "opens_on": campaign.opens_on, "closes_on": campaign.closes_on, "target": 50}
    servqual = survey_campaign("SERVQUAL 2011", "servqual-jeunes", ["ML93001A1"], status=CampaignStatus.OPEN, **alike)
    oqm = survey_campaign("OQM 2011", "oqm-jeunes", ["ML93001A1"], status=CampaignStatus.OPEN, **alike)
    closed = survey_campaign(
        "Close", "employeurs", ["ML93001"], audience="entreprises", status=CampaignStatus.CLOSED, **alike
    )

    report = AxeReport()
    public = [f"/e/{point.code}/", f"/e/{point.code}/1/", f"/e/{point.code}/2/", "/e/INCONNU/"]
    public += [f"/e/{servqual.points.get().code}/{step}/" for step in range(1, 8)]
    public += [f"/e/{oqm.points.get().code}/{step}/" for step in range(1, 6)]
    public += [f"/e/{closed.points.get().code}/", f"/e/{point.code}/merci/"]
    for path in public:
        page.goto(path)
        expect(page.get_by_role("heading", level=1), path).to_have_count(1)
        report.check(page, path)
    # A screen with errors, and the points screen of SERVQUAL with a wrong total.
    page.goto(f"/e/{servqual.points.get().code}/6/")
    page.get_by_label(re.compile("tangibles")).fill("30")
    page.get_by_role("button", name="Suivant").click()
    expect(page.get_by_role("alert")).to_contain_text("Le total doit faire 100 points")
    report.check(page, "SERVQUAL, total faux")

    login(page, "animateur@demo.cnml.fr")
    base = f"/enquetes/campagnes/{campaign.pk}"
    back_office = [
        "/enquetes/",
        "/enquetes/campagnes/nouvelle/",
        f"{base}/",
        f"{base}/modifier/",
        f"{base}/diffusion/{point.code}/codes/",
        f"{base}/resultats/region-93/",
        f"{base}/resultats/structure-ML93001/",
        f"{base}/resultats/structure-ML93001A1/",
        f"{base}/resultats/structure-ML93002/",
        f"{base}/resultats/structure-ML93002A2/",
        f"/enquetes/campagnes/{closed.pk}/",
    ]
    for path in back_office:
        response = page.goto(path)
        assert response.status == 200, f"{path} : statut {response.status}"
        expect(page.get_by_role("heading", level=1)).to_have_count(1)
        report.check(page, path)
    # The campaign form with its errors.
    page.goto("/enquetes/campagnes/nouvelle/")
    page.get_by_role("button", name="Enregistrer la campagne").click()
    report.check(page, "formulaire de campagne en erreur")
    report.assert_clean()
    # The unknown link's page answers 404 (a clear page, with the right status): Chromium logs the status.
    problems.console_errors = [error for error in problems.console_errors if "/e/INCONNU/" not in error]
    problems.assert_clean()
