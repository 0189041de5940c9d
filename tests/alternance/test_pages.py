"""Every role on every page of the alternance app: the public agreements for everyone, the follow-up
for CNML roles (all agreements) and regional animators (their region's declinations), 404 otherwise."""

from __future__ import annotations

import pytest
from django.urls import reverse

from alternance.models import AgreementStatus
from cnml.formatting import format_number
from cnml.models import Role
from tests.alternance.conftest import make_agreement

pytestmark = pytest.mark.django_db

ANONYMOUS = "anonyme"
VISITORS = [ANONYMOUS, *Role.values]
NATIONAL = {Role.RELECTEUR_CNML, Role.ADMINISTRATEUR}
FOLLOWERS = NATIONAL | {Role.ANIMATEUR_REGIONAL}


def client_of(client_for, users, visitor):
    return client_for(None if visitor == ANONYMOUS else users.get(visitor))


def expected_follow_up(visitor, in_scope_for_animator: bool) -> int:
    if visitor == ANONYMOUS:
        return 302
    if visitor in NATIONAL or (visitor == Role.ANIMATEUR_REGIONAL and in_scope_for_animator):
        return 200
    return 404


@pytest.mark.parametrize("visitor", VISITORS)
def test_public_pages_show_signed_agreements_to_everyone_and_hide_the_others(
    client_for, users_all, agreements, visitor
):
    client = client_of(client_for, users_all, visitor)

    home = client.get(reverse("alternance:home"))
    assert home.status_code == 200
    assert "Convention signée" in home.text and "Convention de la région Bêta" in home.text
    assert "Convention en discussion" not in home.text
    assert client.get(reverse("alternance:agreement", args=[agreements.signed.pk])).status_code == 200
    assert client.get(reverse("alternance:agreement", args=[agreements.draft.pk])).status_code == 404


@pytest.mark.parametrize("visitor", VISITORS)
def test_follow_up_pages_answer_each_role_within_its_scope(client_for, users_all, agreements, visitor):
    client = client_of(client_for, users_all, visitor)

    def status(name, pk=None):
        return client.get(reverse(f"alternance:{name}", args=[pk] if pk else [])).status_code

    assert status("follow_up") == expected_follow_up(visitor, True)
    assert status("follow_up_detail", agreements.signed.pk) == expected_follow_up(visitor, True)
    assert status("follow_up_detail", agreements.draft.pk) == expected_follow_up(visitor, True)
    assert status("follow_up_detail", agreements.other.pk) == expected_follow_up(visitor, False)
    assert status("results_edit", agreements.declination_a.pk) == expected_follow_up(visitor, True)
    assert status("results_edit", agreements.declination_b.pk) == expected_follow_up(visitor, False)


def test_public_list_keeps_only_signed_and_renewed_agreements(client, agreements):
    make_agreement("Accord renouvelé", AgreementStatus.RENOUVELEE)
    make_agreement("Accord terminé", AgreementStatus.TERMINEE)

    text = client.get(reverse("alternance:home")).text

    assert "Accord renouvelé" in text
    assert "Accord terminé" not in text
    assert "Convention en discussion" not in text


def test_an_animator_follows_only_the_agreements_declined_in_the_region(client_for, users, agreements):
    text = client_for(users[Role.ANIMATEUR_REGIONAL]).get(reverse("alternance:follow_up")).text

    assert "Convention signée" in text and "Convention en discussion" in text
    assert "Convention de la région Bêta" not in text


def test_the_follow_up_shows_the_results_in_scope_in_french(client_for, users, agreements):
    national = client_for(users[Role.RELECTEUR_CNML]).get(
        reverse("alternance:follow_up_detail", args=[agreements.other.pk])
    )
    page = client_for(users[Role.ANIMATEUR_REGIONAL]).get(
        reverse("alternance:follow_up_detail", args=[agreements.signed.pk])
    )

    assert format_number(1340) in page.text  # the 2012 result
    assert format_number(1200) in page.text  # the target
    assert "Mission locale Bêta 1" in national.text
    # Animators enter results; only CNML roles move the agreement.
    assert reverse("alternance:results_edit", args=[agreements.declination_a.pk]) in page.text
    assert "Terminer" not in page.text
    assert (
        "Renouveler"
        in client_for(users[Role.ADMINISTRATEUR])
        .get(reverse("alternance:follow_up_detail", args=[agreements.signed.pk]))
        .text
    )


def test_a_missing_or_malformed_agreement_is_a_404(client_for, users, agreements):
    client = client_for(users[Role.ADMINISTRATEUR])

    assert client.get(reverse("alternance:follow_up_detail", args=[agreements.signed.pk + 999])).status_code == 404
    assert client.get(f"/partenariats/accords/{agreements.draft.pk + 999}/").status_code == 404
