"""A fiche sent back for changes: its authors read the reviewer's request beside the form; the reviewer
who asked is told, when it comes back, what changed, with a link to the versions that opens for them."""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client

from practices import services
from practices.models import Fiche, Status
from tests.practices.factories import ThemeFactory
from tests.practices.helpers import fiche_form_data

pytestmark = pytest.mark.django_db

SITE = "https://cnml.example.org"
CREATE = "/bonnes-pratiques/mes-fiches/nouvelle/"
REQUEST = "Les résultats manquent de chiffres : combien de jeunes ont obtenu le permis ?"


def edit_url(fiche):
    return f"/bonnes-pratiques/fiche/{fiche.pk}/modifier/"


@pytest.fixture(autouse=True)
def site(settings):
    settings.SITE_URL = SITE


@pytest.fixture
def sent_back(actors, network, client_for, django_capture_on_commit_callbacks) -> Fiche:
    """A fiche written and submitted from the form, taken in review and sent back by the regional animator."""
    theme = ThemeFactory(slug="mobilite", name="Mobilité")
    with django_capture_on_commit_callbacks(execute=True):
        client_for(actors["conseiller"]).post(
            CREATE, fiche_form_data(structure=network.ml_a1, themes=[theme], action="submit")
        )
        fiche = Fiche.objects.get()
        services.fiche_take_in_review(fiche=fiche, actor=actors["animateur"])
        services.fiche_request_changes(fiche=fiche, actor=actors["animateur"], comment=REQUEST)
    fiche.refresh_from_db()
    assert fiche.status == Status.A_COMPLETER
    mail.outbox.clear()
    return fiche


def test_the_authors_read_the_reviewers_request_above_the_form(sent_back, actors, client_for):
    for name in ("conseiller", "directeur"):
        page = client_for(actors[name]).get(edit_url(sent_back)).content.decode()

        assert "Ce que le relecteur vous demande" in page
        assert "combien de jeunes ont obtenu le permis ?" in page
        assert actors["animateur"].get_full_name() in page
        assert page.index("demande-du-relecteur") < page.index('name="title"')


@pytest.mark.parametrize("name", ["colleague_a2", "outsider", "animateur", "animateur_b", "relecteur"])
def test_nobody_else_reads_the_request_on_the_edit_page(sent_back, actors, client_for, name):
    response = client_for(actors[name]).get(edit_url(sent_back))

    assert response.status_code == 404
    assert "combien de jeunes" not in response.content.decode()


def test_a_draft_never_sent_back_shows_no_request(actors, network, client_for):
    client = client_for(actors["conseiller"])
    client.post(CREATE, fiche_form_data(structure=network.ml_a1))

    page = client.get(edit_url(Fiche.objects.get())).content.decode()

    assert "Ce que le relecteur vous demande" not in page


def test_the_request_leaves_the_form_once_answered_and_taken_again(sent_back, actors, client_for):
    services.fiche_submit(fiche=sent_back, actor=actors["conseiller"])
    sent_back.refresh_from_db()
    services.fiche_take_in_review(fiche=sent_back, actor=actors["animateur"])
    sent_back.refresh_from_db()
    services.fiche_request_changes(fiche=sent_back, actor=actors["animateur"], comment="Une autre demande.")

    page = client_for(actors["conseiller"]).get(edit_url(sent_back)).content.decode()

    assert "Une autre demande." in page
    assert "combien de jeunes" not in page


def resubmit(client, fiche, **changes):
    return client.post(edit_url(fiche), fiche_form_data(fiche, themes=fiche.themes.all(), action="submit", **changes))


def test_resubmission_tells_the_reviewer_who_asked_what_changed(
    sent_back, actors, client_for, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = resubmit(
            client_for(actors["conseiller"]),
            sent_back,
            title="Un atelier code de la route avec Pôle emploi",
            results="25 jeunes ont obtenu le code, 18 le permis de conduire.",
        )

    assert response.status_code == 302
    assert [message.to for message in mail.outbox] == [[actors["animateur"].email]]
    message = mail.outbox[0]
    assert message.subject == "Fiche complétée, à relire : Un atelier code de la route avec Pôle emploi"
    body = message.body
    assert REQUEST in body
    assert "- Titre : « Un atelier mobilité avec Pôle emploi » → « Un atelier code de la route avec Pôle emploi »" in (
        body
    )
    assert "- Résultats et évaluation : « 25 jeunes ont obtenu le code. » → « 25 jeunes ont obtenu le code, 18" in body
    assert "Objectifs" not in body  # unchanged parts are not listed

    link = next(line.split(" : ", 1)[1] for line in body.splitlines() if line.startswith("Voir les modifications"))
    assert link.startswith(f"{SITE}/bonnes-pratiques/fiche/{sent_back.pk}/versions/?de=1&a=2")
    client = Client()
    client.force_login(actors["animateur"])
    page = client.get(link.removeprefix(SITE))
    assert page.status_code == 200
    assert "<ins>" in page.content.decode()


def test_a_long_text_is_told_as_the_passages_removed_and_added(
    sent_back, actors, client_for, django_capture_on_commit_callbacks
):
    longer = (
        "Des ateliers hebdomadaires avec une auto-école sociale, le mardi matin, pendant six mois, "
        "avec un bilan individuel à la fin de chaque mois."
    )
    with django_capture_on_commit_callbacks(execute=True):
        resubmit(client_for(actors["conseiller"]), sent_back, description=longer)

    body = mail.outbox[0].body
    assert "- Description de l'action :" in body
    assert "    retiré : « sociale. »" in body
    assert "    ajouté : « sociale, le mardi matin, pendant six mois, avec un bilan individuel" in body
    assert "Des ateliers hebdomadaires" not in body  # the unchanged passage is not repeated


def test_the_reviewer_who_asked_no_longer_reviewing_leaves_the_queue_its_plain_notice(
    sent_back, actors, client_for, django_capture_on_commit_callbacks
):
    asker = actors["animateur"]
    asker.is_active = False
    asker.save()

    with django_capture_on_commit_callbacks(execute=True):
        resubmit(client_for(actors["conseiller"]), sent_back, results="40 jeunes.")

    assert all("Fiche complétée" not in message.subject for message in mail.outbox)
    assert all(asker.email not in message.to for message in mail.outbox)
