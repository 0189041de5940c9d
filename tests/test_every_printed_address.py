"""Every address the product e-mails or prints is on SITE_URL and opens for whoever receives it.

The walk finds its targets itself, so that a new e-mail, PDF or QR code cannot slip past it:

- every e-mail template of the project (``<app>/templates/**/emails/*.txt`` and the password
  reset's) must be sent by a scenario below, through the real service that sends it (eager
  tasks, the outbox run on commit);
- every URL that serves a PDF (its route or name speaks of PDF, or it takes a ``fmt`` that
  may be ``pdf``) and every QR code URL must have a row below.

SITE_URL is set to an address the test client never uses as its host: a link built from the
request would show. Every ``http(s)://`` address found in an e-mail, in a PDF's text, or in a QR
code (decoded from the image with zxing-cpp: the PNG as served or embedded in a PDF, the SVG
drawn from its path) must start with SITE_URL; its path is fetched by the recipient (e-mails) or
by a passer-by, then by the user who printed it when it asks for a login (paper), and must
answer 200. Nothing but ``cnml/links.py`` builds an absolute address.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
import zxingcpp
from django.apps import apps
from django.conf import settings
from django.core import mail
from django.shortcuts import resolve_url
from django.test import Client
from django.test.signals import template_rendered
from django.urls import reverse
from django.utils import timezone
from PIL import Image, ImageDraw
from pypdf import PdfReader

from cnml.models import Role, User
from mobility import services as mobility_services
from mobility.models import Application, ReportStatus
from practices import services as practices_services
from practices.models import Status
from practices.recensements import Recensement
from surveys import services as surveys_services
from surveys.aggregation import aggregate_campaign
from surveys.models import AccessMode, Campaign, CampaignStatus, DistributionPoint, Questionnaire
from surveys.services import access_codes_generate, results_publish
from tests.clock import TODAY
from tests.dashboard.test_pages import empty_cache, figures, published  # noqa: F401 - fixtures
from tests.factories import UserFactory
from tests.mobility.conftest import call, carrier_a1, cat, member, outside_carrier, project  # noqa: F401 - fixtures
from tests.mobility.factories import make_application, make_report
from tests.practices.factories import make_fiche
from tests.routes import url_patterns
from tests.sources import PROJECT_APPS, lines_matching, product_files
from tests.surveys.conftest import answer, fresh_spec_cache, instruments, make_campaign  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db

SITE = "https://back-office.cnml.example.fr"
ADDRESS = re.compile(r"https?://[^\s<>\"'«»]+")


@pytest.fixture(autouse=True)
def site(settings):
    settings.SITE_URL = SITE


@pytest.fixture(autouse=True)
def own_media(private_media):
    """Uploads in this test's own temporary folders (``private_media``), never in the project."""


# --- Following an address -------------------------------------------------------------------------


def addresses_in(text: str) -> list[str]:
    return [address.rstrip(".,;:)") for address in ADDRESS.findall(text)]


def path_of(address: str, where: str) -> str:
    assert address.startswith(SITE + "/"), f"{where}: {address} n'est pas sur SITE_URL ({SITE})"
    return address.removeprefix(SITE).split("#", 1)[0]


def assert_opens(address: str, *, user: User | None, where: str, login_for: User | None = None) -> None:
    """``user`` opens the address (200 after redirects); a passer-by (``user`` None) sent to the login
    page is ``login_for`` once logged in, or a recipient without an account who may log in there."""
    path = path_of(address, where)
    client = Client()
    if user is not None:
        client.force_login(user)
    response = client.get(path, follow=True)
    login = resolve_url(settings.LOGIN_URL)
    if user is None and any(url.startswith(login) for url, _ in response.redirect_chain):
        if login_for is None:
            assert response.status_code == 200, f"{where}: {address} → page de connexion {response.status_code}"
            return
        client.force_login(login_for)
        response = client.get(path, follow=True)
    assert response.status_code == 200, f"{where}: {address} → {response.status_code}"
    final = response.redirect_chain[-1][0] if response.redirect_chain else path
    assert not final.startswith(login), f"{where}: {address} renvoie {user} à la connexion"


# --- E-mails ------------------------------------------------------------------------------------------


def email_templates() -> set[str]:
    """The e-mail bodies of the project: every ``emails/*.txt`` template, and the password reset's."""
    roots = [Path(apps.get_app_config(app).path) / "templates" for app in PROJECT_APPS]
    roots += [Path(folder) for engine in settings.TEMPLATES for folder in engine["DIRS"]]
    found = set()
    for root in roots:
        found |= {str(path.relative_to(root)) for path in root.glob("**/emails/*.txt")}
        found |= {str(path.relative_to(root)) for path in root.glob("registration/*_email.txt")}
    return found


@dataclass
class World:
    network: object
    users: dict
    call: object
    cat: dict
    carrier: object
    outside_carrier: object
    member: User
    applicant: User


@pytest.fixture
def world(network, users, call, cat, carrier_a1, outside_carrier, member) -> World:  # noqa: F811
    applicant = UserFactory(email="candidat@ailleurs.example.fr", role=Role.CONSEILLER, structure=network.ml_b2)
    return World(network, users, call, cat, carrier_a1, outside_carrier, member, applicant)


def fiche_submitted_regional(world: World) -> None:
    fiche = make_fiche(structure=world.network.ml_a1, author=world.users[Role.CONSEILLER])
    practices_services.fiche_submit(fiche=fiche, actor=world.users[Role.CONSEILLER])


def fiche_submitted_to_the_cnml(world: World) -> None:
    # Region B has no animator: the CNML queue, whose e-mail also links to the admin.
    author = UserFactory(email="b2@test.cnml.fr", structure=world.network.ml_b2)
    practices_services.fiche_submit(fiche=make_fiche(structure=world.network.ml_b2, author=author), actor=author)


def fiche_decided(verb: str, state: str = Status.EN_RELECTURE) -> Callable[[World], None]:
    def decide(world: World) -> None:
        fiche = make_fiche(state, structure=world.network.ml_a1, author=world.users[Role.CONSEILLER])
        practices_services.fiche_apply(fiche=fiche, actor=world.users[Role.RELECTEUR_CNML], verb=verb, comment="Vu.")

    return decide


def fiche_resubmitted(world: World) -> None:
    author, animator = world.users[Role.CONSEILLER], world.users[Role.ANIMATEUR_REGIONAL]
    fiche = make_fiche(Status.EN_RELECTURE, structure=world.network.ml_a1, author=author)
    practices_services.fiche_request_changes(fiche=fiche, actor=animator, comment="Ajoutez des chiffres.")
    fiche.refresh_from_db()
    fiche.results = "61 jeunes, 40 en emploi."
    fiche.save()
    practices_services.fiche_submit(fiche=fiche, actor=author)


def membership_requested(world: World):
    return mobility_services.membership_request_open(
        carrier=world.outside_carrier, user=world.applicant, actor=world.applicant, reason="Je coordonne le projet."
    )


def membership_decided(verb: str) -> Callable[[World], None]:
    def decide(world: World) -> None:
        mail.outbox.clear()  # the request's own e-mails are another scenario's
        request = membership_requested(world)
        mail.outbox.clear()
        getattr(mobility_services, f"membership_request_{verb}")(request=request, actor=world.member, comment="Vu.")

    return decide


def submitted_application(world: World) -> Application:
    application = make_application(
        call=world.call, user=world.users[Role.CONSEILLER], carrier=world.carrier, cat=world.cat
    )
    mobility_services.application_submit(application=application, actor=world.users[Role.CONSEILLER])
    return Application.objects.get(pk=application.pk)


def submitted_alternance_application(world: World) -> Application:
    """An application to this year's alternance call (its sections answered, an amount asked of the FPSPP)."""
    from tests.mobility.factories import AlternanceCallFactory, make_alternance_application

    alternance_call = AlternanceCallFactory(year=world.call.year)
    application = make_alternance_application(
        call=alternance_call, user=world.users[Role.CONSEILLER], carrier=world.carrier
    )
    mobility_services.application_submit(application=application, actor=world.users[Role.CONSEILLER])
    return Application.objects.get(pk=application.pk)


def application_submitted(submit: Callable[[World], Application]) -> Callable[[World], None]:
    def submitted(world: World) -> None:
        submit(world)

    return submitted


def application_decided(verb: str, submit: Callable[[World], Application]) -> Callable[[World], None]:
    """``submit`` an application (of a mobility or an alternance call), score it, then ``verb`` it."""

    def decide(world: World) -> None:
        application = submit(world)
        mobility_services.review_save(
            application=application,
            reviewer=world.users[Role.RELECTEUR_CNML],
            scores={criterion.pk: 3 for criterion in application.call.criteria.all()},
            comment="Solide.",
        )
        mail.outbox.clear()
        decide_ = getattr(mobility_services, f"application_{verb}")
        decide_(application=application, actor=world.users[Role.RELECTEUR_CNML], comment="Le CNML a décidé.")

    return decide


def a_project(world: World):
    from tests.mobility.factories import make_project

    return make_project(call=world.call, user=world.users[Role.DIRECTEUR], carrier=world.carrier, cat=world.cat)


def amendment_requested(world: World):
    selected = a_project(world)
    return mobility_services.budget_amendment_request(
        project=selected,
        actor=world.users[Role.CONSEILLER],
        reason="Deux véhicules de plus.",
        changes=[(selected.budget_lines.get(label="Fonctionnement"), None, "", Decimal("60000"))],
    )


def amendment_decided(verb: str) -> Callable[[World], None]:
    def decide(world: World) -> None:
        amendment = amendment_requested(world)
        mail.outbox.clear()
        getattr(mobility_services, f"budget_amendment_{verb}")(
            amendment=amendment, actor=world.users[Role.RELECTEUR_CNML], comment="Le CNML a décidé."
        )

    return decide


def report_decided(verb: str) -> Callable[[World], None]:
    def decide(world: World) -> None:
        report = make_report(a_project(world), status=ReportStatus.SOUMIS)
        getattr(mobility_services, f"report_{verb}")(
            report=report, actor=world.users[Role.RELECTEUR_CNML], comment="Le CNML a décidé."
        )

    return decide


def report_resubmitted(world: World) -> None:
    report = make_report(a_project(world), status=ReportStatus.SOUMIS)
    mobility_services.report_send_back(report=report, actor=world.users[Role.RELECTEUR_CNML], comment="À revoir.")
    report.refresh_from_db()
    report.comment = "Chiffres vérifiés."
    report.save()
    mobility_services.report_submit(report=report, actor=world.users[Role.DIRECTEUR])


def recensement_reminded(world: World) -> None:
    """The structures of region A that sent nothing are reminded before the deadline."""
    today = timezone.localdate()
    recensement = Recensement.objects.create(
        title="Recensement du partenariat renforcé",
        instructions="Vos actions avec Pôle emploi.",
        opens_on=today - timedelta(days=10),
        closes_on=today + timedelta(days=5),
    )
    recensement.regions.set([world.network.region_a])
    practices_services.recensement_remind(recensement=recensement, today=today)


def staff_invited(world: World) -> None:
    """The staff of ML A1 invited to a survey of professionals, each with a personal link."""
    today = timezone.localdate()
    questionnaire = Questionnaire.objects.get(code="professionnels")
    campaign = Campaign.objects.create(
        title="Enquête auprès des professionnels",
        questionnaire=questionnaire,
        audience=questionnaire.audience,
        region=world.network.region_a,
        opens_on=today - timedelta(days=1),
        closes_on=today + timedelta(days=20),
        target=10,
        status=CampaignStatus.OPEN,
        access_mode="codes",
    )
    campaign.participants.set([world.network.ml_a1])
    surveys_services.campaign_sync_points(campaign=campaign)
    surveys_services.campaign_invite_staff(campaign=campaign, actor=world.users[Role.RELECTEUR_CNML])


def agreement_moved(action: str, status: str = "en_discussion") -> Callable[[World], None]:
    def move(world: World) -> None:
        # An alternance agreement declined in region A: its animator is told, and follows its links.
        from alternance import services as alternance_services
        from alternance.models import Agreement, LocalDeclination

        agreement = Agreement.objects.create(title=f"Convention {action}", kind="convention_nationale")
        if status != "en_discussion":
            Agreement.workflow.record_move(agreement, status)
        LocalDeclination.objects.create(agreement=agreement, region=world.network.region_a, declined_on=TODAY)
        alternance_services.agreement_move(
            agreement=agreement, user=world.users[Role.RELECTEUR_CNML], action=action, comment="Vu."
        )

    return move


def password_reset(world: World) -> None:
    # Asked from a host name the site answers to that is not its address: the link must not follow it.
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "autre-nom.example"]
    Client().post(
        reverse("password_reset"), {"email": world.users[Role.CONSEILLER].email}, HTTP_HOST="autre-nom.example"
    )


@dataclass
class Emailed:
    template: str
    send: Callable[[World], None]


EMAILS: dict[str, Emailed] = {
    "fiche soumise à l'animateur": Emailed("practices/emails/fiche_submitted.txt", fiche_submitted_regional),
    "fiche soumise au CNML": Emailed("practices/emails/fiche_submitted.txt", fiche_submitted_to_the_cnml),
    "fiche à compléter": Emailed("practices/emails/fiche_decision.txt", fiche_decided("request_changes")),
    "fiche publiée": Emailed("practices/emails/fiche_decision.txt", fiche_decided("publish")),
    "fiche refusée": Emailed("practices/emails/fiche_decision.txt", fiche_decided("reject")),
    "fiche archivée": Emailed("practices/emails/fiche_decision.txt", fiche_decided("archive", Status.PUBLIEE)),
    "fiche complétée": Emailed("practices/emails/fiche_resubmitted.txt", fiche_resubmitted),
    "demande de rattachement": Emailed("mobility/emails/membership_request.txt", membership_requested),
    "rattachement accepté": Emailed("mobility/emails/membership_decision.txt", membership_decided("approve")),
    "rattachement refusé": Emailed("mobility/emails/membership_decision.txt", membership_decided("refuse")),
    "candidature déposée": Emailed(
        "mobility/emails/application_submitted.txt", application_submitted(submitted_application)
    ),
    "candidature retenue": Emailed(
        "mobility/emails/application_decision.txt", application_decided("select", submitted_application)
    ),
    "candidature non retenue": Emailed(
        "mobility/emails/application_decision.txt", application_decided("decline", submitted_application)
    ),
    "candidature alternance déposée": Emailed(
        "mobility/emails/application_submitted.txt", application_submitted(submitted_alternance_application)
    ),
    "candidature alternance retenue": Emailed(
        "mobility/emails/application_decision.txt", application_decided("select", submitted_alternance_application)
    ),
    "candidature alternance non retenue": Emailed(
        "mobility/emails/application_decision.txt", application_decided("decline", submitted_alternance_application)
    ),
    "avenant demandé": Emailed("mobility/emails/budget_amendment_requested.txt", amendment_requested),
    "avenant approuvé": Emailed("mobility/emails/budget_amendment_decision.txt", amendment_decided("approve")),
    "avenant refusé": Emailed("mobility/emails/budget_amendment_decision.txt", amendment_decided("refuse")),
    "bilan approuvé": Emailed("mobility/emails/report_decision.txt", report_decided("approve")),
    "bilan renvoyé": Emailed("mobility/emails/report_decision.txt", report_decided("send_back")),
    "bilan corrigé": Emailed("mobility/emails/report_resubmitted.txt", report_resubmitted),
    "recensement : relance": Emailed("practices/emails/recensement_reminder.txt", recensement_reminded),
    "enquête des professionnels : invitation": Emailed("surveys/emails/staff_invitation.txt", staff_invited),
    "mot de passe oublié": Emailed("registration/password_reset_email.txt", password_reset),
    "accord d'alternance signé": Emailed("alternance/emails/agreement_moved.txt", agreement_moved("signer")),
    "accord d'alternance renouvelé": Emailed(
        "alternance/emails/agreement_moved.txt", agreement_moved("renouveler", "signee")
    ),
    "accord d'alternance terminé": Emailed(
        "alternance/emails/agreement_moved.txt", agreement_moved("terminer", "signee")
    ),
}


@pytest.fixture
def rendered() -> set[str]:
    """The names of the templates rendered while the test runs."""
    names: set[str] = set()

    def seen(sender, template, context, **kwargs) -> None:
        names.add(template.name)

    template_rendered.connect(seen, dispatch_uid="every-printed-address")
    yield names
    template_rendered.disconnect(dispatch_uid="every-printed-address")


def test_the_walk_sends_every_email_template_of_the_product():
    on_disk = email_templates()
    walked = {emailed.template for emailed in EMAILS.values()}
    assert on_disk - walked == set(), f"modèles d'e-mail sans scénario dans EMAILS : {on_disk - walked}"
    assert walked - on_disk == set(), f"EMAILS nomme des modèles qui n'existent plus : {walked - on_disk}"


@pytest.mark.parametrize("name", sorted(EMAILS))
def test_every_address_an_email_carries_is_on_site_url_and_opens_for_its_recipient(
    name, world, rendered, django_capture_on_commit_callbacks
):
    emailed = EMAILS[name]
    with django_capture_on_commit_callbacks(execute=True):
        emailed.send(world)
    assert emailed.template in rendered, f"{name}: {emailed.template} n'a pas été rendu"
    assert mail.outbox, f"{name}: aucun e-mail envoyé"
    followed = 0
    for message in mail.outbox:
        addresses = addresses_in(message.body)
        assert addresses, f"{name}: « {message.subject} » ne porte aucune adresse"
        for recipient in message.to:
            user = User.objects.filter(email__iexact=recipient).first()
            for address in addresses:
                assert_opens(address, user=user, where=f"{name} → {recipient}")
                followed += 1
    assert followed


# --- PDFs and QR codes --------------------------------------------------------------------------------


def feature_urls(test: Callable[[str, str], bool]) -> set[str]:
    return {name for name, route in url_patterns() if name and test(name, route)}


def serves_pdf(name: str, route: str) -> bool:
    # ``fmt`` under any converter (``<str:fmt>``, the dashboard's ``<export_format:fmt>``) may be ``pdf``.
    takes_format = re.search(r"<(?:\w+:)?fmt>", route) is not None
    return not name.startswith("admin:") and ("pdf" in name.lower() or "pdf" in route.lower() or takes_format)


def serves_qr(name: str, route: str) -> bool:
    return not name.startswith("admin:") and ("qr" in name.lower() or "qr" in route.lower())


def decoded(image: Image.Image) -> list[str]:
    return [result.text for result in zxingcpp.read_barcodes(image.convert("L"))]


def svg_image(svg: bytes, pixels: int = 6) -> Image.Image:
    """segno's SVG drawn again: its path is rows of horizontal strokes one module high."""
    width = int(re.search(rb'width="(\d+)"', svg).group(1))
    scale = int(re.search(rb'transform="scale\((\d+)\)"', svg).group(1))
    modules = width // scale
    image = Image.new("L", (modules * pixels, modules * pixels), 255)
    draw = ImageDraw.Draw(image)
    x = y = 0.0
    for command, first, second in re.findall(
        r"([MmHh])(-?[\d.]+)(?:\s(-?[\d.]+))?", re.search(rb' d="([^"]+)"', svg).group(1).decode()
    ):
        if command == "M":
            x, y = float(first), float(second)
        elif command == "m":
            x, y = x + float(first), y + float(second)
        else:
            length = float(first)
            row = int(y - 0.5)
            draw.rectangle([x * pixels, row * pixels, (x + length) * pixels - 1, (row + 1) * pixels - 1], fill=0)
            x += length
    return image


@dataclass
class Printed:
    """Who downloads it, from which URL arguments (``fmt`` filled for the dashboard), and the least
    it must carry: distinct addresses printed as text, and QR codes."""

    role: str
    kwargs: Callable[[dict], dict]
    addresses: int = 0
    qr_codes: int = 0


def _point(objects: dict) -> dict:
    return {"pk": objects["campaign"].pk, "code": objects["point"].code}


PDFS: dict[str, Printed] = {
    "surveys:point_poster": Printed(Role.ANIMATEUR_REGIONAL, _point, addresses=1, qr_codes=1),
    "surveys:point_slips": Printed(
        Role.ANIMATEUR_REGIONAL, lambda o: _point(o) | {"batch": 1}, addresses=1, qr_codes=3
    ),
    "surveys:results_report": Printed(Role.ANIMATEUR_REGIONAL, lambda o: {"pk": o["closed"].pk, "key": "region-901"}),
    "surveys:public_results_report": Printed(Role.CONSEILLER, lambda o: {"pk": o["closed"].pk, "key": "region-901"}),
    "practices:recensement_pdf": Printed(Role.RELECTEUR_CNML, lambda o: {"pk": o["fiche"].recensement_id}),
    "practices:pdf": Printed(Role.CONSEILLER, lambda o: {"pk": o["fiche"].pk}),
    "mobility:call_report_pdf": Printed(
        Role.RELECTEUR_CNML, lambda o: {"theme": o["call"].theme, "year": o["call"].year}
    ),
    "dashboard:national_export": Printed(Role.CONSEILLER, lambda o: {"fmt": "pdf"}),
    "dashboard:regions_export": Printed(Role.RELECTEUR_CNML, lambda o: {"fmt": "pdf"}),
    "dashboard:region_export": Printed(Role.ANIMATEUR_REGIONAL, lambda o: {"code": "901", "fmt": "pdf"}),
    "dashboard:structure_export": Printed(Role.DIRECTEUR, lambda o: {"code": "MLA1", "fmt": "pdf"}),
    "dashboard:ani_national_export": Printed(Role.CONSEILLER, lambda o: {"fmt": "pdf"}),
    "dashboard:ani_region_export": Printed(Role.ANIMATEUR_REGIONAL, lambda o: {"code": "901", "fmt": "pdf"}),
    "dashboard:ani_structure_export": Printed(Role.DIRECTEUR, lambda o: {"code": "MLA1", "fmt": "pdf"}),
    "dashboard:objectives_export": Printed(Role.RELECTEUR_CNML, lambda o: {"fmt": "pdf"}),
}
QR_CODES: dict[str, Printed] = {
    "surveys:point_qr_png": Printed(Role.DIRECTEUR, _point, qr_codes=1),
    "surveys:point_qr_svg": Printed(Role.DIRECTEUR, _point, qr_codes=1),
}


@pytest.fixture
def printed(network, users, make_campaign, answer, call, project, published) -> dict:  # noqa: F811
    """One of everything that prints: a campaign on codes only, with a batch of three codes for a
    head office (the ML's own link), a closed campaign with published results, a published fiche
    answering a recensement."""
    campaign = make_campaign(access_mode=AccessMode.CODES_ONLY, structures=[network.ml_a1, network.antenne_a1])
    point = DistributionPoint.objects.get(campaign=campaign, structure=network.ml_a1)
    access_codes_generate(point=point, count=3)
    closed = make_campaign(structures=[network.antenne_a1, network.antenne_a2], status=CampaignStatus.CLOSED)
    answer(closed, network.antenne_a1, 30)
    answer(closed, network.antenne_a2, 40)
    aggregate_campaign(closed)
    results_publish(campaign=closed, actor=users[Role.ANIMATEUR_REGIONAL])
    recensement = Recensement.objects.create(title="Recensement des actions communes", opens_on=TODAY, closes_on=TODAY)
    return {
        "campaign": campaign,
        "point": point,
        "closed": Campaign.objects.get(pk=closed.pk),
        "fiche": make_fiche(
            Status.PUBLIEE, structure=network.ml_a1, author=users[Role.CONSEILLER], recensement=recensement
        ),
        "call": call,
    }


def test_the_walk_knows_every_pdf_and_qr_code_of_the_product():
    pdfs, qr_codes = feature_urls(serves_pdf), feature_urls(serves_qr)
    assert pdfs == set(PDFS), f"PDF sans ligne dans PDFS : {pdfs - set(PDFS)} ; en trop : {set(PDFS) - pdfs}"
    assert qr_codes == set(QR_CODES), f"QR sans ligne dans QR_CODES : {qr_codes ^ set(QR_CODES)}"


@dataclass
class PdfContents:
    text: str  # as extracted: a long address may be broken across lines
    links: set[str]  # the exact http(s) addresses, from the link annotations of the printed ones
    qr_codes: list[str]  # the payloads of the QR codes found in its images

    def printed(self, address: str) -> bool:
        return address in "".join(self.text.split())


def pdf_contents(content: bytes) -> PdfContents:
    reader = PdfReader(io.BytesIO(content))
    # One annotation per line the link spans; mailto: links (a fiche's contacts) are not addresses of the site.
    links = {
        annotation.get_object()["/A"]["/URI"]
        for page in reader.pages
        for annotation in page.get("/Annots", [])
        if str(annotation.get_object().get("/A", {}).get("/URI", "")).startswith(("http://", "https://"))
    }
    return PdfContents(
        text="\n".join(page.extract_text() for page in reader.pages),
        links=links,
        qr_codes=[payload for page in reader.pages for picture in page.images for payload in decoded(picture.image)],
    )


@pytest.mark.parametrize("name", sorted(PDFS))
def test_every_address_a_pdf_prints_is_on_site_url_and_opens(name, printed, users, client_for):
    target = PDFS[name]
    user = users[target.role]
    response = client_for(user).get(reverse(name, kwargs=target.kwargs(printed)))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf", name
    pdf = pdf_contents(response.content)
    starts = re.findall(r"https?://\S*", pdf.text)
    assert all(start.startswith(SITE) for start in starts), f"{name}: adresses hors de SITE_URL : {starts}"
    # Each printed address is a link too, so that it is read exactly (and opens from the PDF on screen);
    # each link is printed as it is, for whoever holds the paper.
    unlinked = [start for start in starts if not any(link.startswith(start) for link in pdf.links)]
    assert not unlinked, f"{name}: adresses imprimées sans lien : {unlinked}"
    assert all(pdf.printed(link) for link in pdf.links), f"{name}: liens non imprimés tels quels : {pdf.links}"
    assert len(pdf.links) >= target.addresses, f"{name}: {len(pdf.links)} adresse(s) imprimée(s)"
    assert len(pdf.qr_codes) >= target.qr_codes, f"{name}: {len(pdf.qr_codes)} QR code(s) lisible(s)"
    for address in [*pdf.links, *pdf.qr_codes]:
        assert_opens(address, user=None, login_for=user, where=name)


def test_the_poster_prints_the_address_its_qr_code_holds(printed, users, client_for):
    url = reverse("surveys:point_poster", kwargs=_point(printed))
    pdf = pdf_contents(client_for(users[Role.ANIMATEUR_REGIONAL]).get(url).content)
    address = f"{SITE}/e/{printed['point'].code}/"
    assert pdf.qr_codes == [address] and pdf.links == {address}
    assert pdf.printed(address)


def test_each_slip_holds_its_own_code_and_the_address_to_type_it(printed, users, client_for):
    point = printed["point"]
    url = reverse("surveys:point_slips", kwargs=_point(printed) | {"batch": 1})
    pdf = pdf_contents(client_for(users[Role.ANIMATEUR_REGIONAL]).get(url).content)
    codes = sorted(point.access_codes.values_list("code", flat=True))
    assert sorted(pdf.qr_codes) == [f"{SITE}/e/{code}/" for code in codes]
    assert pdf.links == {f"{SITE}/e/"}
    assert "".join(pdf.text.split()).count(f"{SITE}/e/puis") == len(codes)  # on every slip
    for code in codes:
        assert f"{code[:5]}-{code[5:]}" in pdf.text


@pytest.mark.parametrize("name", sorted(QR_CODES))
def test_every_qr_code_holds_an_address_on_site_url_that_opens(name, printed, users, client_for):
    target = QR_CODES[name]
    response = client_for(users[target.role]).get(reverse(name, kwargs=target.kwargs(printed)))
    assert response.status_code == 200, name
    if response["Content-Type"] == "image/svg+xml":
        payloads = decoded(svg_image(response.content))
    else:
        payloads = decoded(Image.open(io.BytesIO(response.content)))
    assert payloads == [f"{SITE}/e/{printed['point'].code}/"], name
    assert_opens(payloads[0], user=None, where=name)


# --- One way to build them ------------------------------------------------------------------------------

LINKS = Path(apps.get_app_config("cnml").path, "links.py").resolve()
SETTINGS = Path(apps.get_app_config("cnml").path, "settings.py").resolve()
HAND_BUILT = re.compile(
    r"build_absolute_uri|get_current_site|\.get_host\(|\bSITE_URL\b"  # in code
    r"|\{\{\s*(?:protocol|domain)\s*\}\}"  # Django's reset e-mail, from the request's Host
)


def test_no_code_of_the_product_builds_an_absolute_address_but_the_links_module():
    files = product_files(suffixes=(".py", ".html", ".txt"), templates=True, but=[LINKS, SETTINGS])
    found = lines_matching(files, HAND_BUILT)
    assert not found, "à construire avec cnml.links.absolute_url :\n" + "\n".join(found)
