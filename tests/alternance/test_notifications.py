"""When an agreement is signed, renewed or ended, the regional animators of the regions that decline it are
told by e-mail (through the outbox), with absolute links to its follow-up and, while it is public, its page."""

from __future__ import annotations

import pytest
from django.core import mail

from alternance import services
from cnml.models import Role
from tests.alternance.conftest import make_agreement, make_declination, move
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

SITE = "https://cnml.example.org"


@pytest.fixture(autouse=True)
def site_url(settings):
    settings.SITE_URL = SITE


@pytest.fixture
def animator_b(network):
    return UserFactory(email="animateur-b@test.cnml.fr", role=Role.ANIMATEUR_REGIONAL, structure=network.ml_b1)


def test_signing_tells_the_animators_of_the_declining_regions_with_absolute_links(
    client_for, users, agreements, animator_b, django_capture_on_commit_callbacks
):
    agreement = agreements.draft  # declined in region A only
    # An animator of region A who left is not told.
    UserFactory(
        email="parti@test.cnml.fr",
        role=Role.ANIMATEUR_REGIONAL,
        structure=users[Role.ANIMATEUR_REGIONAL].structure,
        is_active=False,
    )

    with django_capture_on_commit_callbacks(execute=True):
        response = move(client_for(users[Role.RELECTEUR_CNML]), agreement, "signer", "Signée au congrès.")

    assert response.status_code == 302
    assert [message.to for message in mail.outbox] == [[users[Role.ANIMATEUR_REGIONAL].email]]
    message = mail.outbox[0]
    assert message.subject == "Accord signé\u00a0: Convention en discussion"
    assert "Signée au congrès." in message.body
    assert f"{SITE}/partenariats/suivi/{agreement.pk}/" in message.body
    assert f"{SITE}/partenariats/accords/{agreement.pk}/" in message.body


@pytest.mark.parametrize(("action", "word"), [("renouveler", "renouvelé"), ("terminer", "terminé")])
def test_renewing_or_ending_tells_them_too(
    client_for, users, agreements, animator_b, django_capture_on_commit_callbacks, action, word
):
    # ``other`` is declined in region B only: its animator is told, region A's is not.
    with django_capture_on_commit_callbacks(execute=True):
        move(client_for(users[Role.RELECTEUR_CNML]), agreements.other, action, "Fin de la convention.")

    assert [message.to for message in mail.outbox] == [[animator_b.email]]
    assert word in mail.outbox[0].subject
    assert word in mail.outbox[0].body
    public_link = f"{SITE}/partenariats/accords/{agreements.other.pk}/"
    # An ended agreement leaves the public pages: its e-mail does not point there.
    assert (public_link in mail.outbox[0].body) == (action == "renouveler")


def test_an_agreement_declined_nowhere_tells_no_one(client_for, users, django_capture_on_commit_callbacks):
    agreement = make_agreement("Convention sans déclinaison")

    with django_capture_on_commit_callbacks(execute=True):
        move(client_for(users[Role.RELECTEUR_CNML]), agreement, "signer")

    assert mail.outbox == []


def test_a_refused_move_tells_no_one(client_for, users, agreements, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        # Ending needs a reason: refused, nothing owed.
        response = move(client_for(users[Role.RELECTEUR_CNML]), agreements.signed, "terminer")

    assert response.status_code == 200
    assert mail.outbox == []


def test_animators_of_a_region_with_two_declinations_get_one_email(
    users, agreements, network, django_capture_on_commit_callbacks
):
    make_declination(agreements.draft, network.region_a, network.ml_a1)

    with django_capture_on_commit_callbacks(execute=True):
        services.agreement_move(agreement=agreements.draft, user=users[Role.RELECTEUR_CNML], action="signer")

    assert [message.to for message in mail.outbox] == [[users[Role.ANIMATEUR_REGIONAL].email]]
