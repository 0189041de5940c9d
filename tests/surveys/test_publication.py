"""Published results: whoever runs a closed campaign publishes its results to everyone (per region, mission
locale and antenne, small groups still hidden, never the free comments), and can withdraw them, saying why."""

from __future__ import annotations

import pytest

from cnml.audit import transitions_of
from cnml.models import Role
from surveys.models import CampaignStatus, PublicationStatus, ResultsPublication
from tests.factories import UserFactory
from tests.pages import page_text
from tests.surveys.test_results import results  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db

PUBLIC = "/enquetes/resultats-publies/"


def publish(client, campaign):
    return client.post(
        f"/enquetes/campagnes/{campaign.pk}/resultats/publier/", {"seen_status": PublicationStatus.UNPUBLISHED}
    )


def test_results_are_not_public_until_published(client, results):  # noqa: F811
    assert client.get(f"{PUBLIC}{results.pk}/").status_code == 404
    assert client.get(f"{PUBLIC}{results.pk}/region-901/").status_code == 404
    assert client.get(f"{PUBLIC}{results.pk}/region-901/rapport.pdf").status_code == 404
    assert "Aucun résultat n'est publié" in page_text(client.get(PUBLIC), plain_spaces=True)


def test_the_confirmation_says_what_becomes_public(client_for, users, results):  # noqa: F811
    page = page_text(
        client_for(users["animateur_regional"]).get(f"/enquetes/campagnes/{results.pk}/resultats/publier/"),
        plain_spaces=True,
    )
    assert "Ce qui devient public" in page
    assert "chaque région, mission locale et antenne" in page
    assert "moins de 11 réponses" in page
    assert "Les commentaires libres ne sont jamais publiés" in page
    assert not ResultsPublication.objects.exists()  # reading the confirmation publishes nothing


@pytest.mark.parametrize("role", [Role.ANIMATEUR_REGIONAL, Role.RELECTEUR_CNML, Role.ADMINISTRATEUR])
def test_the_region_animator_and_cnml_roles_publish_and_anyone_reads(client_for, users, results, role):  # noqa: F811
    response = publish(client_for(users[role]), results)

    assert response.status_code == 302
    publication = ResultsPublication.objects.get(campaign=results)
    assert publication.status == PublicationStatus.PUBLISHED and publication.published_at is not None
    [move] = transitions_of(publication)
    assert (move.actor, move.from_state, move.to_state) == (users[role], "non_publies", "publies")

    anonymous = client_for(None)
    assert results.title in page_text(anonymous.get(PUBLIC), plain_spaces=True)
    assert anonymous.get(f"{PUBLIC}{results.pk}/")["Location"] == f"{PUBLIC}{results.pk}/region-901/"
    region = page_text(anonymous.get(f"{PUBLIC}{results.pk}/region-901/"), plain_spaces=True)
    assert "95 réponses" in region
    assert f'href="{PUBLIC}{results.pk}/structure-MLA1/"' in region
    mission_locale = page_text(anonymous.get(f"{PUBLIC}{results.pk}/structure-MLA1/"), plain_spaces=True)
    assert "55 réponses" in mission_locale and "54,5 %" in mission_locale
    # Never the free comments, never the exports of the signed-in pages.
    assert "Super accueil" not in mission_locale and "Commentaires libres" not in mission_locale
    assert "export.csv" not in mission_locale
    antenne = page_text(anonymous.get(f"{PUBLIC}{results.pk}/structure-ANTA1/"), plain_spaces=True)
    assert "30 réponses" in antenne
    pdf = anonymous.get(f"{PUBLIC}{results.pk}/structure-MLA1/rapport.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_small_groups_stay_hidden_on_the_public_pages(client_for, users, results):  # noqa: F811
    publish(client_for(users["relecteur_cnml"]), results)
    anonymous = client_for(None)

    hidden = page_text(anonymous.get(f"{PUBLIC}{results.pk}/structure-ANTA1B/"), plain_spaces=True)
    assert "Résultats masqués" in hidden
    assert "pas du tout" not in hidden.lower().split("résultats masqués")[1]
    assert "Secret de la petite antenne" not in hidden
    assert anonymous.get(f"{PUBLIC}{results.pk}/structure-ANTA1B/rapport.pdf").status_code == 404
    assert anonymous.get(f"{PUBLIC}{results.pk}/inconnu/").status_code == 404


@pytest.mark.parametrize("role", [Role.CONSEILLER, Role.DIRECTEUR])
def test_mission_locale_staff_cannot_publish(client_for, users, results, role):  # noqa: F811
    client = client_for(users[role])
    assert client.get(f"/enquetes/campagnes/{results.pk}/resultats/publier/").status_code == 404
    assert publish(client, results).status_code == 404
    assert not ResultsPublication.objects.exists()


def test_another_region_animator_cannot_publish(client_for, network, results):  # noqa: F811
    other = UserFactory(role=Role.ANIMATEUR_REGIONAL, structure=network.arml_b)
    assert publish(client_for(other), results).status_code == 404
    assert client_for(None).post(f"/enquetes/campagnes/{results.pk}/resultats/publier/").status_code == 302  # login
    assert not ResultsPublication.objects.exists()


def test_an_open_campaign_or_results_not_computed_cannot_be_published(client_for, users, make_campaign):
    client = client_for(users["relecteur_cnml"])
    open_campaign = make_campaign(status=CampaignStatus.OPEN)
    page = page_text(client.get(f"/enquetes/campagnes/{open_campaign.pk}/resultats/publier/"), plain_spaces=True)
    assert "Seuls les résultats d'une campagne close peuvent être publiés." in page
    closed = make_campaign(status=CampaignStatus.CLOSED, title="Close, non calculée")
    response = publish(client, closed)
    assert response.status_code == 302
    messages = page_text(client.get(response["Location"]), plain_spaces=True)
    assert "Calculez les résultats de la campagne avant de les publier." in messages
    assert not ResultsPublication.objects.filter(status=PublicationStatus.PUBLISHED).exists()


def test_a_withdrawal_says_why_is_logged_and_closes_the_public_pages(client_for, users, results):  # noqa: F811
    client = client_for(users["animateur_regional"])
    publish(client, results)
    withdraw = f"/enquetes/campagnes/{results.pk}/resultats/retirer/"

    refused = page_text(client.post(withdraw, {"comment": "  "}), plain_spaces=True)
    assert "Ce champ est obligatoire." in refused
    assert ResultsPublication.objects.get().status == PublicationStatus.PUBLISHED

    client.post(withdraw, {"comment": "Une erreur dans la liste des antennes.", "seen_status": "publies"})

    assert ResultsPublication.objects.get().status == PublicationStatus.WITHDRAWN
    last = transitions_of(ResultsPublication.objects.get()).last()
    assert (last.to_state, last.comment) == ("retires", "Une erreur dans la liste des antennes.")
    assert client_for(None).get(f"{PUBLIC}{results.pk}/region-901/").status_code == 404
    campaign_page = page_text(client.get(f"/enquetes/campagnes/{results.pk}/"), plain_spaces=True)
    assert "Une erreur dans la liste des antennes." in campaign_page  # the publication's history
    # Published again later: readable again.
    client.post(f"/enquetes/campagnes/{results.pk}/resultats/publier/", {"seen_status": "retires"})
    assert client_for(None).get(f"{PUBLIC}{results.pk}/region-901/").status_code == 200


def test_the_public_finds_the_results_from_the_home_page(client_for):
    home = page_text(client_for(None).get("/"), plain_spaces=True)
    assert f'href="{PUBLIC}"' in home
