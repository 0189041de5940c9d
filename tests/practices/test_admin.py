"""Reviewers in the admin: list, filters, decisions with a comment (bulk and single), versions, export."""

from __future__ import annotations

import csv
import datetime
import io

import openpyxl
import pytest
from django.core import mail
from django.utils import timezone

from cnml.audit import transitions_of
from practices import services
from practices.models import Fiche, Status
from practices.resources import FicheResource
from tests.clock import frozen
from tests.practices.factories import PartnerFactory, ThemeFactory, make_fiche

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/practices/fiche/"


@pytest.fixture
def reviewer_client(actors, client_for):
    return client_for(actors["relecteur"])


def listed(response) -> list[int]:
    return [fiche.pk for fiche in response.context["cl"].result_list]


@frozen
def test_list_shows_no_draft_and_overdue_first(actors, network, reviewer_client):
    draft = make_fiche(structure=network.ml_a1, title="Brouillon")
    on_time = make_fiche(Status.SOUMISE, structure=network.ml_a1, title="Dans les temps")
    late = make_fiche(Status.EN_RELECTURE, structure=network.ml_b1, title="En retard")
    published = make_fiche(Status.PUBLIEE, structure=network.ml_a2, title="Publiée")
    Fiche.objects.filter(pk=late.pk).update(review_due_on=timezone.localdate() - datetime.timedelta(days=5))

    pks = listed(reviewer_client.get(CHANGELIST))

    assert draft.pk not in pks
    assert pks[0] == late.pk
    assert set(pks) == {on_time.pk, late.pk, published.pk}


@frozen
def test_list_filters_by_status_region_theme_overdue_and_year(network, reviewer_client):
    mobility = ThemeFactory(slug="mobilite", name="Mobilité")
    submitted = make_fiche(Status.SOUMISE, structure=network.ml_a1)
    late = make_fiche(Status.SOUMISE, structure=network.ml_b1, themes=[mobility])
    published = make_fiche(Status.PUBLIEE, structure=network.ml_a2)
    Fiche.objects.filter(pk=late.pk).update(review_due_on=timezone.localdate() - datetime.timedelta(days=1))
    Fiche.objects.filter(pk=published.pk).update(published_at=timezone.make_aware(datetime.datetime(2011, 10, 3)))

    assert set(listed(reviewer_client.get(CHANGELIST, {"status__exact": "soumise"}))) == {submitted.pk, late.pk}
    assert set(listed(reviewer_client.get(CHANGELIST, {"region__id__exact": network.region_b.pk}))) == {late.pk}
    assert set(listed(reviewer_client.get(CHANGELIST, {"themes__id__exact": mobility.pk}))) == {late.pk}
    assert set(listed(reviewer_client.get(CHANGELIST, {"retard": "oui"}))) == {late.pk}
    assert set(listed(reviewer_client.get(CHANGELIST, {"retard": "non"}))) == {submitted.pk, published.pk}
    assert set(listed(reviewer_client.get(CHANGELIST, {"annee": "2011"}))) == {published.pk}


def action_post(client, action: str, fiches, **extra):
    data = {"action": action, "_selected_action": [str(fiche.pk) for fiche in fiches], **extra}
    return client.post(CHANGELIST, data)


@pytest.mark.parametrize(
    ("state", "action", "target"),
    [
        (Status.SOUMISE, "action_take_in_review", Status.EN_RELECTURE),
        (Status.EN_RELECTURE, "action_request_changes", Status.A_COMPLETER),
        (Status.EN_RELECTURE, "action_publish", Status.PUBLIEE),
        (Status.EN_RELECTURE, "action_reject", Status.REFUSEE),
        (Status.PUBLIEE, "action_archive", Status.ARCHIVEE),
    ],
)
def test_bulk_action_asks_for_the_comment_then_applies_it(
    actors, network, reviewer_client, django_capture_on_commit_callbacks, state, action, target
):
    fiches = [make_fiche(state, structure=network.ml_a1, author=actors["conseiller"]) for _ in range(2)]

    page = action_post(reviewer_client, action, fiches)

    assert page.status_code == 200
    assert 'name="comment"' in page.content.decode()
    assert all(Fiche.objects.get(pk=fiche.pk).status == state for fiche in fiches)

    with django_capture_on_commit_callbacks(execute=True):
        done = action_post(reviewer_client, action, fiches, comment="Commentaire groupé.", confirmer="Confirmer")

    assert done.status_code == 302
    for fiche in fiches:
        fiche.refresh_from_db()
        assert fiche.status == target
        last = transitions_of(fiche).last()
        assert (last.actor, last.comment) == (actors["relecteur"], "Commentaire groupé.")
    if action != "action_take_in_review":
        assert len(mail.outbox) == 2
        assert all("Commentaire groupé." in message.body for message in mail.outbox)


@pytest.mark.parametrize("action", ["action_request_changes", "action_reject"])
def test_bulk_action_without_required_comment_changes_nothing(network, reviewer_client, action):
    fiche = make_fiche(Status.EN_RELECTURE, structure=network.ml_a1)

    response = action_post(reviewer_client, action, [fiche], comment="  ", confirmer="Confirmer")

    assert response.status_code == 200
    assert "Ce champ est obligatoire." in response.content.decode()
    fiche.refresh_from_db()
    assert fiche.status == Status.EN_RELECTURE


def test_bulk_action_skips_fiches_whose_state_does_not_allow_it(network, reviewer_client):
    ready = make_fiche(Status.EN_RELECTURE, structure=network.ml_a1, title="Prête")
    not_ready = make_fiche(Status.SOUMISE, structure=network.ml_a1, title="Pas encore relue")

    page = action_post(reviewer_client, "action_publish", [ready, not_ready])
    assert "Pas encore relue" in page.content.decode()  # announced as not processed

    response = action_post(reviewer_client, "action_publish", [ready, not_ready], comment="", confirmer="Publier")
    messages = [str(message) for message in response.wsgi_request._messages]

    ready.refresh_from_db()
    not_ready.refresh_from_db()
    assert (ready.status, not_ready.status) == (Status.PUBLIEE, Status.SOUMISE)
    assert any("1\u00a0fiche traitée" in message for message in messages)
    assert any("Pas encore relue" in message for message in messages)


def test_single_decision_from_the_fiche_page(actors, network, reviewer_client):
    fiche = make_fiche(Status.EN_RELECTURE, structure=network.ml_a1)
    change = reviewer_client.get(f"{CHANGELIST}{fiche.pk}/change/").content.decode()
    url = f"{CHANGELIST}{fiche.pk}/decision/reject/"

    assert f'href="{url}"' in change
    assert f'href="{CHANGELIST}{fiche.pk}/decision/publish/"' in change
    assert f'href="{CHANGELIST}{fiche.pk}/decision/take_in_review/"' not in change
    assert reviewer_client.get(url).status_code == 200
    assert reviewer_client.post(url, {"comment": ""}).status_code == 200  # reason required
    response = reviewer_client.post(url, {"comment": "Hors du champ du partenariat renforcé."})

    fiche.refresh_from_db()
    assert response.status_code == 302
    assert response["Location"] == f"{CHANGELIST}{fiche.pk}/change/"
    assert fiche.status == Status.REFUSEE
    assert transitions_of(fiche).last().comment == "Hors du champ du partenariat renforcé."


def test_single_decision_not_allowed_by_the_state_is_refused(network, reviewer_client):
    fiche = make_fiche(Status.SOUMISE, structure=network.ml_a1)

    response = reviewer_client.post(f"{CHANGELIST}{fiche.pk}/decision/publish/", {"comment": "Go"})

    fiche.refresh_from_db()
    assert response.status_code == 302
    assert fiche.status == Status.SOUMISE


def test_single_decision_after_another_reviewer_decided_says_so(actors, network, reviewer_client):
    fiche = make_fiche(Status.EN_RELECTURE, structure=network.ml_a1)
    url = f"{CHANGELIST}{fiche.pk}/decision/reject/"
    page = reviewer_client.get(url).content.decode()
    services.fiche_publish(fiche=fiche, actor=actors["animateur"])

    response = reviewer_client.post(url, {"comment": "Hors du champ.", "seen_status": "en_relecture"})

    change = reviewer_client.get(response["Location"]).content.decode()
    fiche.refresh_from_db()
    assert 'name="seen_status" value="en_relecture"' in page
    assert response.status_code == 302
    assert "Une autre décision vient d&#x27;être prise sur cette fiche : elle est maintenant « publiée »." in change
    assert fiche.status == Status.PUBLIEE


def test_drafts_cannot_be_reached_in_the_admin(network, reviewer_client):
    draft = make_fiche(structure=network.ml_a1)

    assert reviewer_client.get(f"{CHANGELIST}{draft.pk}/change/").status_code == 302  # "does not exist" redirect
    assert reviewer_client.get(f"{CHANGELIST}{draft.pk}/decision/take_in_review/").status_code == 404


def test_content_is_read_only_and_nothing_is_added_in_the_admin(network, reviewer_client, actors, client_for):
    fiche = make_fiche(Status.SOUMISE, structure=network.ml_a1, title="Titre d'origine")

    assert reviewer_client.get(f"{CHANGELIST}add/").status_code == 403
    reviewer_client.post(f"{CHANGELIST}{fiche.pk}/change/", {"title": "Changé"})
    assert client_for(actors["administrateur"]).get(f"{CHANGELIST}add/").status_code == 403
    fiche.refresh_from_db()
    assert fiche.title == "Titre d'origine"


def test_change_page_shows_what_changed_since_the_previous_submission(actors, network, reviewer_client):
    fiche = make_fiche(Status.EN_RELECTURE, structure=network.ml_a1, author=actors["conseiller"])
    title = fiche.title
    services.fiche_request_changes(fiche=fiche, actor=actors["relecteur"], comment="Précisez.")
    Fiche.objects.filter(pk=fiche.pk).update(title=f"{title} à Lille", means="")
    services.fiche_submit(fiche=fiche, actor=actors["conseiller"])  # brings ``fiche`` up to date

    change = reviewer_client.get(f"{CHANGELIST}{fiche.pk}/change/").content.decode()
    versions = reviewer_client.get(f"{CHANGELIST}{fiche.pk}/versions/?de=1&a=2").content.decode()

    for content in (change, versions):
        assert f"{title}<ins> à Lille</ins>" in content
        assert "<del>Un conseiller à mi-temps.</del>" in content
    assert "Précisez." in change  # the history with its comments


def test_reviewer_edits_the_themes_list(reviewer_client):
    response = reviewer_client.post(
        "/admin/practices/theme/add/", {"name": "Numérique", "slug": "numerique", "position": 5, "active": "on"}
    )

    assert response.status_code == 302
    from practices.models import Theme

    assert Theme.objects.filter(slug="numerique", name="Numérique").exists()


def export_data(fmt_index: int) -> dict:
    data = {"format": str(fmt_index), "resource": "0"}
    for name in FicheResource().get_export_order():
        data[f"ficheresource_{name}"] = "on"
    return data


def test_export_csv_for_the_census_follows_the_filters(network, reviewer_client):
    fiche = make_fiche(Status.PUBLIEE, structure=network.ml_a1, title='=HYPERLIEN("x")')
    PartnerFactory(fiche=fiche, kind="opca", name="OPCA du commerce")
    make_fiche(Status.SOUMISE, structure=network.ml_b1, title="Soumise")
    make_fiche(structure=network.ml_a1, title="Brouillon")

    response = reviewer_client.post(f"{CHANGELIST}export/?status__exact=publiee", export_data(0))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert len(rows) == 1
    row = rows[0]
    assert row["titre"] == '\'=HYPERLIEN("x")'  # formulas neutralised
    assert row["statut"] == "Publiée"
    assert row["code_structure"] == network.ml_a1.code
    assert row["code_region"] == network.region_a.code
    assert row["types_partenaires"] == "OPCA"
    assert row["versions_soumises"] == "1"


def test_export_xlsx_lists_every_visible_fiche_but_drafts(network, reviewer_client):
    make_fiche(Status.PUBLIEE, structure=network.ml_a1, title="Publiée")
    make_fiche(Status.SOUMISE, structure=network.ml_b1, title="Soumise")
    make_fiche(structure=network.ml_a1, title="Brouillon")

    response = reviewer_client.post(f"{CHANGELIST}export/", export_data(1))

    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    header, *rows = list(sheet.iter_rows(values_only=True))
    titles = {row[header.index("titre")] for row in rows}
    assert titles == {"Publiée", "Soumise"}
