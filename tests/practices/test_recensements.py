"""Recensements: the CNML asks regions for fiches until a date; authors answer, reviewers follow per region,
silent structures are reminded before the deadline, a closed recensement takes no new fiche."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client
from openpyxl import load_workbook

from cnml.audit import transitions_of
from cnml.models import Role
from practices import recensement_selectors, services
from practices.models import Fiche, Recensement, RecensementStatus, Status
from tests.clock import TODAY, frozen
from tests.factories import MissionLocaleFactory, UserFactory
from tests.practices.factories import FicheFactory
from tests.practices.helpers import ACTOR_NAMES, fiche_form_data, open_recensement

pytestmark = [pytest.mark.django_db, frozen]

CREATE = "/bonnes-pratiques/mes-fiches/nouvelle/"


@pytest.fixture
def recensement(network, users):
    """Open since ten days, closing in twenty, asking region A only."""
    recensement = open_recensement(
        title="Recensement du partenariat renforcé",
        instructions="Vos actions communes avec Pôle emploi.",
        created_by=users[Role.RELECTEUR_CNML],
    )
    recensement.regions.set([network.region_a])
    return recensement


def url(recensement, suffix="") -> str:
    return f"/bonnes-pratiques/recensements/{recensement.pk}/{suffix}"


def fiche(recensement, structure, status):
    return FicheFactory(structure=structure, recensement=recensement, status=status)


@pytest.mark.parametrize("name", ACTOR_NAMES)
def test_who_reads_the_recensement_and_who_follows_the_regions(actors, recensement, name):
    client = Client()
    if name != "anonyme":
        client.force_login(actors[name])
    response = client.get(url(recensement))
    # Region A's authors and reviewers, and CNML roles; the region B people do not see a recensement of A.
    readers = {"conseiller", "directeur", "antenne", "colleague_a2", "animateur", "relecteur", "administrateur"}
    if name == "anonyme":
        assert response.status_code == 302  # to the login page
        return
    assert response.status_code == (200 if name in readers else 404), name
    if name in readers:
        page = response.content.decode()
        assert "Vos actions communes avec Pôle emploi." in page
        follows = name in {"animateur", "relecteur", "administrateur"}
        assert ("Où en sont les régions" in page) == follows, name


def test_progress_counts_fiches_per_state_and_names_the_silent_structures(network, recensement):
    silent = MissionLocaleFactory(code="MLA3", name="Mission locale Alpha 3", region=network.region_a)
    fiche(recensement, network.ml_a1, Status.PUBLIEE)
    fiche(recensement, network.antenne_a1, Status.SOUMISE)  # an antenne answers for its mission locale
    fiche(recensement, network.ml_a2, Status.BROUILLON)  # a draft is not an answer yet
    FicheFactory(structure=network.ml_a2, status=Status.PUBLIEE)  # outside the recensement

    [row] = recensement_selectors.progress(recensement, [network.region_a])

    assert (row.asked, row.drafted, row.submitted, row.published, row.refused) == (3, 1, 1, 1, 0)
    assert [structure.name for structure in row.silent] == ["Mission locale Alpha 2", silent.name]


def test_an_author_answers_from_the_recensement_page(actors, network, recensement, client_for):
    client = client_for(actors["conseiller"])
    assert f'href="{CREATE}?recensement={recensement.pk}"' in client.get(url(recensement)).content.decode()
    form = client.get(f"{CREATE}?recensement={recensement.pk}").content.decode()
    assert f'<option value="{recensement.pk}" selected>' in form

    client.post(CREATE, fiche_form_data(structure=network.ml_a1, recensement=str(recensement.pk)))

    assert Fiche.objects.get().recensement == recensement


def test_a_region_not_asked_cannot_attach_a_fiche(actors, network, recensement, client_for):
    client = client_for(actors["outsider"])  # region B
    form = client.get(f"{CREATE}?recensement={recensement.pk}").content.decode()
    assert "Recensement du partenariat renforcé" not in form
    client.post(CREATE, fiche_form_data(structure=network.ml_b1, recensement=str(recensement.pk)))
    assert Fiche.objects.get().recensement is None


def test_a_closed_recensement_takes_no_new_fiche_but_keeps_its_own(actors, network, recensement, client_for):
    sent_back = fiche(recensement, network.ml_a1, Status.A_COMPLETER)
    sent_back.submitted_at = sent_back.created_at
    sent_back.save()
    draft = fiche(recensement, network.ml_a1, Status.BROUILLON)
    services.recensement_close(recensement=recensement, actor=actors["relecteur"])

    with pytest.raises(ValidationError) as refused:
        services.fiche_submit(fiche=draft, actor=actors["conseiller"])
    assert "est clos : il ne reçoit plus de fiches" in " ".join(refused.value.messages)
    services.fiche_submit(fiche=sent_back, actor=actors["conseiller"])  # its answer, completed
    assert Fiche.objects.get(pk=sent_back.pk).status == Status.SOUMISE
    form = client_for(actors["conseiller"]).get(CREATE).content.decode()
    assert "Recensement du partenariat renforcé" not in form
    [move] = transitions_of(recensement)
    assert (move.actor, move.to_state) == (actors["relecteur"], RecensementStatus.CLOSED)


@pytest.mark.parametrize("name", ["conseiller", "directeur", "animateur"])
def test_only_cnml_roles_close_a_recensement(actors, recensement, client_for, name):
    client_for(actors[name]).post(url(recensement, "clore/"), {"seen_status": "ouvert"})
    assert Recensement.objects.get().status == RecensementStatus.OPEN


def test_silent_structures_are_reminded_once_before_the_deadline(
    network, recensement, django_capture_on_commit_callbacks
):
    fiche(recensement, network.ml_a1, Status.SOUMISE)
    author_a2 = UserFactory(email="a2@test.cnml.fr", role=Role.CONSEILLER, structure=network.ml_a2)
    UserFactory(email="ancien@test.cnml.fr", role=Role.CONSEILLER, structure=network.ml_a2, is_active=False)
    UserFactory(email="b1@test.cnml.fr", role=Role.CONSEILLER, structure=network.ml_b1)

    assert services.recensements_daily_pass(today=TODAY) == {"reminded": [], "closed": []}  # 20 days left
    reminder_day = recensement.closes_on - datetime.timedelta(days=recensement.reminder_days)
    with django_capture_on_commit_callbacks(execute=True):
        result = services.recensements_daily_pass(today=reminder_day)

    assert result["reminded"] == [recensement.pk]
    [message] = mail.outbox
    assert message.to == [author_a2.email]
    assert "Recensement du partenariat renforcé" in message.subject
    assert f"/bonnes-pratiques/mes-fiches/nouvelle/?recensement={recensement.pk}" in message.body
    assert services.recensements_daily_pass(today=reminder_day)["reminded"] == []  # once
    assert len(mail.outbox) == 1


def test_the_link_of_the_reminder_opens_the_form_for_the_recensement(
    network, recensement, settings, django_capture_on_commit_callbacks
):
    author = UserFactory(email="a2@test.cnml.fr", role=Role.CONSEILLER, structure=network.ml_a2)
    with django_capture_on_commit_callbacks(execute=True):
        services.recensement_remind(recensement=recensement, today=TODAY)
    link = next(line for line in mail.outbox[0].body.splitlines() if "nouvelle/?recensement=" in line)
    path = link.split(settings.SITE_URL, 1)[1]
    client = Client()
    client.force_login(author)
    assert f'<option value="{recensement.pk}" selected>' in client.get(path).content.decode()


def test_the_daily_pass_closes_recensements_past_their_date(recensement):
    result = services.recensements_daily_pass(today=recensement.closes_on + datetime.timedelta(days=1))
    assert result["closed"] == [recensement.pk]
    recensement.refresh_from_db()
    assert recensement.status == RecensementStatus.CLOSED
    assert transitions_of(recensement).last().actor is None


def test_the_summary_holds_the_published_fiches(actors, network, recensement, client_for):
    published = fiche(recensement, network.ml_a1, Status.PUBLIEE)
    fiche(recensement, network.ml_a2, Status.SOUMISE)
    client = client_for(actors["animateur"])

    sheet = load_workbook(io.BytesIO(client.get(url(recensement, "synthese.xlsx")).content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("Région", "Porteur", "Type de porteur", "Titre")
    assert [row[1:4] for row in rows[1:]] == [("Mission locale Alpha 1", "Mission locale", published.title)]
    pdf = client.get(url(recensement, "synthese.pdf"))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert client_for(actors["outsider"]).get(url(recensement, "synthese.xlsx")).status_code == 404
