"""An agreement moves en discussion → signée → renouvelée / terminée, by CNML roles only, each move logged."""

from __future__ import annotations

import pytest
from django.urls import reverse

from alternance.models import Agreement, AgreementStatus
from cnml.audit import transitions_of
from cnml.models import Role
from tests.alternance.conftest import move
from tests.clock import TODAY, frozen

pytestmark = pytest.mark.django_db


@frozen
def test_a_cnml_reviewer_signs_renews_and_ends_an_agreement_and_each_move_is_logged(client_for, users, agreements):
    client = client_for(users[Role.RELECTEUR_CNML])
    agreement = agreements.draft

    assert move(client, agreement, "signer", "Signée au salon").status_code == 302
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.SIGNEE
    assert agreement.signed_on == TODAY
    move(client, agreement, "renouveler")
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.RENOUVELEE
    move(client, agreement, "terminer", "Fin du partenariat")
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.TERMINEE
    assert agreement.ended_on == TODAY

    log = [(entry.from_state, entry.to_state, entry.actor, entry.comment) for entry in transitions_of(agreement)]
    reviewer = users[Role.RELECTEUR_CNML]
    assert log == [
        ("en_discussion", "signee", reviewer, "Signée au salon"),
        ("signee", "renouvelee", reviewer, ""),
        ("renouvelee", "terminee", reviewer, "Fin du partenariat"),
    ]
    page = client.get(reverse("alternance:follow_up_detail", args=[agreement.pk])).text
    assert "Fin du partenariat" in page


def test_ending_needs_a_reason_and_keeps_the_agreement_as_it_was(client_for, users, agreements):
    client = client_for(users[Role.ADMINISTRATEUR])

    response = move(client, agreements.signed, "terminer")

    assert response.status_code == 200
    assert "Dites pourquoi l&#x27;accord se termine." in response.text
    agreements.signed.refresh_from_db()
    assert agreements.signed.status == AgreementStatus.SIGNEE
    assert transitions_of(agreements.signed).count() == 1  # the fixture's signature only


def test_a_move_the_state_does_not_allow_is_refused_with_a_reason(client_for, users, agreements):
    response = move(client_for(users[Role.ADMINISTRATEUR]), agreements.draft, "renouveler")

    assert response.status_code == 200
    assert "pas possible" in response.text
    assert Agreement.objects.get(pk=agreements.draft.pk).status == AgreementStatus.EN_DISCUSSION


@pytest.mark.parametrize(
    ("role", "expected"),
    [(Role.CONSEILLER, 404), (Role.DIRECTEUR, 404), (Role.ANIMATEUR_REGIONAL, 403)],
)
def test_other_roles_cannot_move_an_agreement(client_for, users, agreements, role, expected):
    # The animator reads this agreement (declined in the region), so the refusal is a 403, not a 404.
    assert move(client_for(users[role]), agreements.draft, "signer").status_code == expected
    assert Agreement.objects.get(pk=agreements.draft.pk).status == AgreementStatus.EN_DISCUSSION
    assert transitions_of(agreements.draft).count() == 0


def test_an_unknown_action_is_a_404(client_for, users, agreements):
    assert move(client_for(users[Role.ADMINISTRATEUR]), agreements.draft, "annuler").status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in(client, agreements):
    assert move(client, agreements.draft, "signer").status_code == 302
    assert Agreement.objects.get(pk=agreements.draft.pk).status == AgreementStatus.EN_DISCUSSION
