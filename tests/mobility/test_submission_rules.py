"""The rules of a submitted application hold on every path: the form, the submit button, the service,
the admin and the model itself (a submitted application is a record under review, frozen)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from cnml.models import Role
from cnml.workflows import TransitionRefused
from mobility import services
from mobility.models import Application, ApplicationFunding, ApplicationStatus
from tests.mobility.factories import application_post_data, make_application, text

pytestmark = pytest.mark.django_db

NO_CONTACT_NAME = "Contact : indiquez la personne à contacter."
NO_CONTACT_EMAIL = "Contact : indiquez l'adresse e-mail de contact."


@pytest.fixture
def draft_without_contact(conseiller, carrier_a1, call, cat) -> Application:
    return make_application(call=call, user=conseiller, carrier=carrier_a1, cat=cat, contact_name="", contact_email="")


def test_an_application_saved_without_contact_cannot_be_submitted_with_the_submit_button(
    client_for, conseiller, network, call, cat
):
    client = client_for(conseiller)
    data = application_post_data(
        cat=cat, structure=network.ml_a1, action="enregistrer", contact_name="", contact_email=""
    )
    assert client.post(f"/mobilite/appels/{call.year}/candidater/", data).status_code == 302
    application = Application.objects.get()

    response = client.post(f"/mobilite/candidatures/{application.pk}/deposer/", follow=True)

    application.refresh_from_db()
    assert application.status == ApplicationStatus.BROUILLON
    content = text(response)
    assert NO_CONTACT_NAME in content
    assert NO_CONTACT_EMAIL in content


def test_the_service_refuses_an_application_without_contact(draft_without_contact, conseiller):
    with pytest.raises(TransitionRefused) as refused:
        services.application_submit(application=draft_without_contact, actor=conseiller)

    assert NO_CONTACT_NAME in refused.value.reasons
    assert NO_CONTACT_EMAIL in refused.value.reasons
    draft_without_contact.refresh_from_db()
    assert draft_without_contact.is_draft


def test_the_application_page_lists_the_missing_contact_before_submission(
    client_for, conseiller, draft_without_contact
):
    content = text(client_for(conseiller).get(f"/mobilite/candidatures/{draft_without_contact.pk}/"))

    assert NO_CONTACT_NAME in content


def _submitted(conseiller, carrier_a1, call, cat) -> Application:
    application = make_application(call=call, user=conseiller, carrier=carrier_a1, cat=cat)
    services.application_submit(application=application, actor=conseiller)
    application.refresh_from_db()
    return application


def test_a_submitted_application_is_not_saved_without_its_contact(conseiller, carrier_a1, call, cat):
    application = _submitted(conseiller, carrier_a1, call, cat)
    application.contact_email = ""

    with pytest.raises(ValidationError) as error:
        application.full_clean()
    assert NO_CONTACT_EMAIL in error.value.messages
    with pytest.raises(ValidationError):
        application.save()
    application.refresh_from_db()
    assert application.contact_email == "contact@porteur.example.fr"


def test_the_financing_plan_of_a_submitted_application_is_frozen(conseiller, carrier_a1, call, cat):
    application = _submitted(conseiller, carrier_a1, call, cat)
    line = application.fundings.get(label="Fonctionnement")

    line.amount = Decimal("180000")
    with pytest.raises(ValidationError):
        line.save()
    with pytest.raises(ValidationError):
        ApplicationFunding.objects.create(application=application, funder=line.funder, amount=Decimal("1"))
    with pytest.raises(ValidationError):
        line.delete()
    assert application.fundings.get(label="Fonctionnement").amount == Decimal("40000")
    assert application.fundings.count() == 2


def test_the_admin_shows_a_submitted_application_read_only(client_for, users, conseiller, carrier_a1, call, cat):
    application = _submitted(conseiller, carrier_a1, call, cat)
    client = client_for(users[Role.ADMINISTRATEUR])
    url = reverse("admin:mobility_application_change", args=[application.pk])

    content = client.get(url).content.decode()
    assert 'name="contact_email"' not in content
    assert 'name="fundings-0-amount"' not in content

    client.post(url, {"contact_email": "", "contact_name": "", "title": "Autre titre", "fundings-0-amount": "180000"})

    application.refresh_from_db()
    assert (application.contact_email, application.title) == (
        "contact@porteur.example.fr",
        "Plateforme de Mission locale Alpha 1",
    )
    assert application.fundings.get(label="Fonctionnement").amount == Decimal("40000")
