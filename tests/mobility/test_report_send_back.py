"""An activity report sent back by the CNML: the carrier reads the request beside the form; the reviewer
who sent it back is told, when it is submitted again, what changed, with a link that opens for them."""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client

from cnml.models import Role
from mobility import services
from mobility.models import ActivityReport, ReportStatus
from tests.factories import UserFactory
from tests.mobility.factories import formset_data, make_report, report_numbers

pytestmark = pytest.mark.django_db

SITE = "https://cnml.example.org"
REQUEST = "Les sorties à 6 mois semblent fausses : vérifiez les jeunes en emploi."


@pytest.fixture(autouse=True)
def site(settings):
    settings.SITE_URL = SITE


def edit_url(report):
    return f"/mobilite/projets/{report.project_id}/bilans/{report.pk}/modifier/"


@pytest.fixture
def sent_back(project, users, cat, django_capture_on_commit_callbacks) -> ActivityReport:
    report = make_report(project, status=ReportStatus.SOUMIS, deliveries={cat["location"]: "120"}, comment="Début.")
    with django_capture_on_commit_callbacks(execute=True):
        services.report_send_back(report=report, actor=users[Role.RELECTEUR_CNML], comment=REQUEST)
    report.refresh_from_db()
    mail.outbox.clear()
    return report


def post_of(report, cat, **overrides) -> dict:
    data = {key: str(value) for key, value in report_numbers(20, **overrides).items()}
    data.update(year=str(report.year), period=report.period, comment="Début.")
    delivery = report.deliveries.get()
    row = {"id": str(delivery.pk), "report": str(report.pk), "service": str(cat["location"].pk), "quantity": "150"}
    data.update(formset_data("services", [row], initial=1))
    return data


def test_the_carrier_reads_the_cnml_request_above_the_form(sent_back, users, client_for):
    page = client_for(users[Role.CONSEILLER]).get(edit_url(sent_back)).content.decode()

    assert "Ce que le relecteur vous demande" in page
    assert "vérifiez les jeunes en emploi." in page
    assert users[Role.RELECTEUR_CNML].get_full_name() in page
    assert page.index("demande-du-relecteur") < page.index('name="people_mission_locale"')


def test_outside_the_carrier_nobody_reads_the_request(sent_back, users, network, outsider, client_for):
    partner = UserFactory(email="b1@test.cnml.fr", role=Role.CONSEILLER, structure=network.ml_b1)
    for user in (outsider, users[Role.ANIMATEUR_REGIONAL], partner):
        response = client_for(user).get(edit_url(sent_back))

        assert response.status_code == 404, user
        assert "vérifiez les jeunes" not in response.content.decode()


def test_a_draft_never_sent_back_shows_no_request(project, users, client_for):
    report = make_report(project)

    page = client_for(users[Role.CONSEILLER]).get(edit_url(report)).content.decode()

    assert "Ce que le relecteur vous demande" not in page


def test_resubmission_tells_the_reviewer_what_changed(
    sent_back, users, cat, client_for, django_capture_on_commit_callbacks
):
    carrier = client_for(users[Role.CONSEILLER])
    saved = carrier.post(edit_url(sent_back), post_of(sent_back, cat, employment_6_months=4, training_6_months=2))
    assert saved.status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        carrier.post(f"/mobilite/projets/{sent_back.project_id}/bilans/{sent_back.pk}/soumettre/")

    sent_back.refresh_from_db()
    assert sent_back.status == ReportStatus.SOUMIS
    reviewer = users[Role.RELECTEUR_CNML]
    assert [message.to for message in mail.outbox] == [[reviewer.email]]
    body = mail.outbox[0].body
    assert mail.outbox[0].subject.startswith(f"Bilan {sent_back.period_label} corrigé, à relire")
    assert REQUEST in body
    assert "- En emploi à 6 mois : « 7 » → « 4 »" in body
    assert "- En formation à 6 mois : « 3 » → « 2 »" in body
    assert "- Services rendus : « Location" in body and "120,0" in body and "150,0" in body
    assert "Hommes" not in body  # unchanged figures are not listed

    link = body.split("Relire le bilan : ", 1)[1].split()[0]
    assert link == f"{SITE}/mobilite/projets/{sent_back.project_id}/bilans/{sent_back.pk}/"
    client = Client()
    client.force_login(reviewer)
    assert client.get(link.removeprefix(SITE)).status_code == 200


def test_a_first_submission_mails_no_reviewer(project, users, django_capture_on_commit_callbacks):
    report = make_report(project)

    with django_capture_on_commit_callbacks(execute=True):
        services.report_submit(report=report, actor=users[Role.CONSEILLER])

    assert mail.outbox == []
