"""Pages of the practices app: catalogue, fiche, authors' form and follow-up, review queue."""

from __future__ import annotations

import datetime
import re

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from cnml.audit import transitions_of
from practices import services
from practices.models import Fiche, Status
from tests.clock import frozen
from tests.practices.factories import PartnerFactory, ThemeFactory, make_fiche
from tests.practices.helpers import PDF_BYTES, fiche_form_data

pytestmark = pytest.mark.django_db

CREATE = "/bonnes-pratiques/mes-fiches/nouvelle/"


def edit_url(fiche):
    return f"/bonnes-pratiques/fiche/{fiche.pk}/modifier/"


def detail_url(fiche):
    return f"/bonnes-pratiques/fiche/{fiche.pk}/"


# --- Catalogue -------------------------------------------------------------------------


def test_catalogue_lists_published_fiches_only(network, client_for):
    published = make_fiche(Status.PUBLIEE, structure=network.ml_a1, title="Publiée")
    for state in (
        Status.BROUILLON,
        Status.SOUMISE,
        Status.EN_RELECTURE,
        Status.A_COMPLETER,
        Status.REFUSEE,
        Status.ARCHIVEE,
    ):
        make_fiche(state, structure=network.ml_a1, title=f"Fiche {state}")

    content = client_for(None).get("/bonnes-pratiques/").content.decode()

    assert f'href="{detail_url(published)}"' in content
    assert "1\u00a0fiche publiée" in content
    for state in ("brouillon", "soumise", "en_relecture", "a_completer", "refusee", "archivee"):
        assert f"Fiche {state}" not in content


def test_catalogue_filters_by_theme_region_partner_and_year(network, client_for):
    mobility = ThemeFactory(slug="mobilite", name="Mobilité")
    housing = ThemeFactory(slug="logement", name="Logement")
    a = make_fiche(Status.PUBLIEE, structure=network.ml_a1, title="Alpha mobilité", themes=[mobility])
    b = make_fiche(Status.PUBLIEE, structure=network.ml_b1, title="Bêta logement", themes=[housing])
    PartnerFactory(fiche=b, kind="opca", name="OPCA")
    Fiche.objects.filter(pk=b.pk).update(published_at=timezone.make_aware(datetime.datetime(2011, 10, 3)))
    client = client_for(None)

    def titles(query):
        content = client.get(f"/bonnes-pratiques/?{query}").content.decode()
        return {fiche.title for fiche in (a, b) if f'href="{detail_url(fiche)}"' in content}

    assert titles("theme=mobilite") == {"Alpha mobilité"}
    assert titles(f"region={network.region_b.code}") == {"Bêta logement"}
    assert titles("partner=opca") == {"Bêta logement"}
    assert titles("year=2011") == {"Bêta logement"}
    assert titles("") == {"Alpha mobilité", "Bêta logement"}
    # The filters only offer values some published fiche carries.
    content = client.get("/bonnes-pratiques/").content.decode()
    assert '<option value="opca"' in content
    assert '<option value="pole_emploi"' not in content
    assert '<option value="2011"' in content
    # The chosen filter stays selected.
    filtered = client.get("/bonnes-pratiques/?theme=mobilite").content.decode()
    assert re.search(r'<option value="mobilite"\s+selected>', filtered)


def test_catalogue_search_from_the_page(network, client_for):
    make_fiche(Status.PUBLIEE, structure=network.ml_a1, title="Les outils partagés de la cotraitance")
    make_fiche(Status.PUBLIEE, structure=network.ml_a1, title="Un forum de l'alternance", themes=[])

    content = client_for(None).get("/bonnes-pratiques/", {"q": "COTRAITANCE"}).content.decode()

    assert "1\u00a0fiche correspond à votre recherche" in content
    assert "Les outils partagés de la cotraitance" in content
    assert "Un forum de l&#x27;alternance" not in content
    assert 'value="COTRAITANCE"' in content


def test_catalogue_is_paginated_and_keeps_the_search(network, client_for):
    for number in range(12):
        make_fiche(Status.PUBLIEE, structure=network.ml_a1, title=f"Cotraitance n° {number}")
    client = client_for(None)

    first = client.get("/bonnes-pratiques/", {"q": "cotraitance"}).content.decode()
    second = client.get("/bonnes-pratiques/", {"q": "cotraitance", "page": 2}).content.decode()

    assert first.count('class="fr-card fr-enlarge-link"') == 10
    assert second.count('class="fr-card fr-enlarge-link"') == 2
    assert 'class="fr-pagination ' in first
    assert 'href="?q=cotraitance&amp;page=2"' in first
    assert 'aria-current="page"' in second


# --- A fiche ---------------------------------------------------------------------------


def test_published_fiche_page_print_view_and_pdf(network, client_for):
    fiche = make_fiche(Status.PUBLIEE, structure=network.ml_a1, title="Une pratique à imprimer")
    PartnerFactory(fiche=fiche, name="Agence Pôle emploi de Lille")
    client = client_for(None)

    page = client.get(detail_url(fiche)).content.decode()
    printable = client.get(f"{detail_url(fiche)}imprimer/")
    pdf = client.get(f"{detail_url(fiche)}pdf/")

    assert "Une pratique à imprimer" in page
    assert "Agence Pôle emploi de Lille" in page
    assert "Historique" not in page  # the workflow is for authors and reviewers
    assert printable.status_code == 200
    assert "Une pratique à imprimer" in printable.content.decode()
    assert "fr-header" not in printable.content.decode()
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert "attachment;" in pdf["Content-Disposition"]


def test_author_sees_the_history_with_the_reviewers_comment(actors, network, client_for):
    fiche = make_fiche(Status.EN_RELECTURE, structure=network.ml_a1, author=actors["conseiller"])
    services.fiche_request_changes(fiche=fiche, actor=actors["animateur"], comment="Précisez le budget.")

    content = client_for(actors["conseiller"]).get(detail_url(fiche)).content.decode()

    assert "Historique" in content
    assert "Précisez le budget." in content
    assert f'href="{edit_url(fiche)}"' in content
    assert "À compléter" in content


# --- The authors' form -----------------------------------------------------------------


def test_draft_is_saved_with_its_title_only(actors, network, client_for):
    client = client_for(actors["conseiller"])
    data = {
        "title": "Une idée à creuser",
        "structure": network.ml_a1.pk,
        "action": "save",
        "partenaires-TOTAL_FORMS": "0",
        "partenaires-INITIAL_FORMS": "0",
        "contacts-TOTAL_FORMS": "0",
        "contacts-INITIAL_FORMS": "0",
    }

    response = client.post(CREATE, data)

    fiche = Fiche.objects.get()
    assert response.status_code == 302
    assert response["Location"] == edit_url(fiche)
    assert (fiche.status, fiche.region, fiche.created_by) == (Status.BROUILLON, network.region_a, actors["conseiller"])
    assert list(fiche.contributors.all()) == [actors["conseiller"]]


def test_complete_form_saves_partners_contacts_and_themes(actors, network, client_for):
    theme = ThemeFactory(slug="mobilite", name="Mobilité")

    response = client_for(actors["conseiller"]).post(CREATE, fiche_form_data(structure=network.ml_a1, themes=[theme]))

    fiche = Fiche.objects.get()
    assert response.status_code == 302
    assert list(fiche.themes.all()) == [theme]
    assert [(p.kind, p.name) for p in fiche.partners.all()] == [("pole_emploi", "Agence Pôle emploi de Lille")]
    assert [c.email for c in fiche.contacts.all()] == ["camille.martin@ml.fr"]
    assert " pole emploi " in fiche.search_text


def test_form_with_errors_keeps_everything_typed(actors, network, client_for):
    theme = ThemeFactory(slug="mobilite", name="Mobilité")
    data = fiche_form_data(structure=network.ml_a1, themes=[theme], title="", end_date="2011-01-01")
    data["contacts-0-email"] = "pas-une-adresse"

    response = client_for(actors["conseiller"]).post(CREATE, data)

    content = response.content.decode()
    assert response.status_code == 400
    assert not Fiche.objects.exists()
    assert "Le formulaire contient 3 erreurs" in content
    assert "La date de fin doit suivre la date de début." in content
    # Texts, choices and both formsets come back as typed.
    assert "Des ateliers hebdomadaires avec une auto-école sociale." in content
    assert "Agence Pôle emploi de Lille" in content
    assert 'value="pas-une-adresse"' in content
    assert 'value="Camille Martin"' in content
    assert re.search(rf'name="themes"\s+value="{theme.pk}"\s+id="id_themes_\d+" checked>', content)
    assert re.search(r'name="scale"\s+value="locale"\s+id="id_scale_0" checked>', content)
    assert "choisissez-les à nouveau" not in content  # no file was chosen


def test_form_with_errors_asks_to_choose_the_files_again(actors, network, client_for):
    data = fiche_form_data(structure=network.ml_a1, title="")
    data["new_attachments"] = SimpleUploadedFile("programme.pdf", PDF_BYTES, content_type="application/pdf")

    response = client_for(actors["conseiller"]).post(CREATE, data)

    assert response.status_code == 400
    assert "Choisissez-les à nouveau avant d&#x27;enregistrer." in response.content.decode()


def test_preview_saves_and_shows_the_fiche(actors, network, client_for):
    response = client_for(actors["conseiller"]).post(CREATE, fiche_form_data(structure=network.ml_a1, action="preview"))

    fiche = Fiche.objects.get()
    assert response.status_code == 302
    assert response["Location"] == detail_url(fiche)
    page = client_for(actors["conseiller"]).get(detail_url(fiche)).content.decode()
    assert "Aperçu du brouillon" in page


def test_submit_from_the_form_submits_and_mails_on_commit(
    actors, network, client_for, django_capture_on_commit_callbacks
):
    theme = ThemeFactory(slug="mobilite", name="Mobilité")

    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(actors["conseiller"]).post(
            CREATE, fiche_form_data(structure=network.ml_a1, themes=[theme], action="submit")
        )

    fiche = Fiche.objects.get()
    assert response.status_code == 302
    assert response["Location"] == detail_url(fiche)
    assert fiche.status == Status.SOUMISE
    assert fiche.versions.count() == 1
    assert [message.to for message in mail.outbox] == [[actors["animateur"].email]]


def test_incomplete_submission_saves_the_draft_and_points_at_what_is_missing(actors, network, client_for):
    client = client_for(actors["conseiller"])

    response = client.post(CREATE, fiche_form_data(structure=network.ml_a1, results="", action="submit"))

    fiche = Fiche.objects.get()
    assert fiche.status == Status.BROUILLON
    assert fiche.description == "Des ateliers hebdomadaires avec une auto-école sociale."
    assert response["Location"] == f"{edit_url(fiche)}?verifier=1"
    content = client.get(response["Location"]).content.decode()
    assert "Il manque des informations pour soumettre la fiche" in content
    assert "Requis pour soumettre la fiche : résultats et évaluation." in content
    assert "Requis pour soumettre la fiche : au moins un thème." in content


def test_colleague_of_the_structure_edits_the_same_draft(actors, network, client_for):
    fiche = make_fiche(structure=network.ml_a1, author=actors["conseiller"])

    response = client_for(actors["directeur"]).post(
        edit_url(fiche), fiche_form_data(fiche, objectives="Objectifs revus par la direction.")
    )

    fiche.refresh_from_db()
    assert response.status_code == 302
    assert fiche.objectives == "Objectifs revus par la direction."
    assert set(fiche.contributors.all()) == {actors["conseiller"], actors["directeur"]}


def test_concurrent_edits_do_not_overwrite_each_other(actors, network, client_for):
    fiche = make_fiche(structure=network.ml_a1, author=actors["conseiller"])
    opened_by_both = fiche_form_data(fiche)

    first = client_for(actors["conseiller"]).post(edit_url(fiche), {**opened_by_both, "means": "Version de Camille."})
    second = client_for(actors["directeur"]).post(edit_url(fiche), {**opened_by_both, "means": "Version de Dominique."})

    fiche.refresh_from_db()
    assert first.status_code == 302
    assert second.status_code == 400
    assert "Un collègue a enregistré cette fiche" in second.content.decode()
    assert "Version de Dominique." in second.content.decode()  # still typed, to copy
    assert fiche.means == "Version de Camille."


def test_partner_and_contact_can_be_removed(actors, network, client_for):
    fiche = make_fiche(structure=network.ml_a1, author=actors["conseiller"])
    PartnerFactory(fiche=fiche)
    data = fiche_form_data(fiche)
    data["partenaires-0-DELETE"] = "on"

    client_for(actors["conseiller"]).post(edit_url(fiche), data)

    assert not fiche.partners.exists()


def test_submitted_fiche_is_no_longer_editable(actors, network, client_for):
    fiche = make_fiche(Status.SOUMISE, structure=network.ml_a1, author=actors["conseiller"])

    response = client_for(actors["conseiller"]).post(edit_url(fiche), fiche_form_data(fiche, title="Changé"))

    fiche.refresh_from_db()
    assert response.status_code == 302
    assert response["Location"] == detail_url(fiche)
    assert fiche.title != "Changé"


def test_fiche_sent_back_is_completed_then_resubmitted(actors, network, client_for):
    fiche = make_fiche(Status.EN_RELECTURE, structure=network.ml_a1, author=actors["conseiller"])
    services.fiche_request_changes(fiche=fiche, actor=actors["animateur"], comment="Ajoutez des chiffres.")
    fiche.refresh_from_db()

    response = client_for(actors["conseiller"]).post(
        edit_url(fiche), fiche_form_data(fiche, results="61 jeunes, 40 en emploi.", action="submit")
    )

    fiche.refresh_from_db()
    assert response.status_code == 302
    assert fiche.status == Status.SOUMISE
    assert fiche.versions.count() == 2
    assert fiche.versions.last().content["results"] == "61 jeunes, 40 en emploi."


# --- Transitions from the site ------------------------------------------------------------


def test_reviewer_requests_changes_from_the_site_with_a_required_comment(actors, network, client_for):
    fiche = make_fiche(Status.EN_RELECTURE, structure=network.ml_a1, author=actors["conseiller"])
    client = client_for(actors["animateur"])
    url = f"{detail_url(fiche)}demander-des-complements/"

    empty = client.post(url, {"comment": " "})
    done = client.post(url, {"comment": "Précisez les résultats."})

    fiche.refresh_from_db()
    assert empty.status_code == 400
    assert "Ce champ est obligatoire." in empty.content.decode()
    assert done.status_code == 302
    assert fiche.status == Status.A_COMPLETER
    assert transitions_of(fiche).last().comment == "Précisez les résultats."


def test_author_submits_from_the_fiche_page(actors, network, client_for):
    fiche = make_fiche(structure=network.ml_a1, author=actors["conseiller"])
    client = client_for(actors["conseiller"])

    page = client.get(f"{detail_url(fiche)}soumettre/")
    response = client.post(f"{detail_url(fiche)}soumettre/", {"comment": ""})

    fiche.refresh_from_db()
    assert page.status_code == 200
    assert response.status_code == 302
    assert fiche.status == Status.SOUMISE


def test_incomplete_fiche_submit_page_sends_back_to_the_form(actors, network, client_for):
    fiche = make_fiche(structure=network.ml_a1, author=actors["conseiller"], contacts=False)

    response = client_for(actors["conseiller"]).get(f"{detail_url(fiche)}soumettre/")

    assert response.status_code == 302
    assert response["Location"] == f"{edit_url(fiche)}?verifier=1"


def test_a_reviewer_confirming_after_another_decision_is_told_and_keeps_the_comment(actors, network, client_for):
    fiche = make_fiche(Status.EN_RELECTURE, structure=network.ml_a1, author=actors["conseiller"])
    late = client_for(actors["relecteur"])
    page = late.get(f"{detail_url(fiche)}refuser/").content.decode()
    services.fiche_publish(fiche=fiche, actor=actors["animateur"])

    response = late.post(
        f"{detail_url(fiche)}refuser/", {"comment": "Hors du champ du partenariat.", "seen_status": "en_relecture"}
    )

    content = response.content.decode()
    fiche.refresh_from_db()
    assert 'name="seen_status" value="en_relecture"' in page
    assert response.status_code == 400
    assert (
        "Une autre décision vient d&#x27;être prise sur cette fiche : elle est maintenant « publiée ». "
        "Votre demande « Refuser » n&#x27;a pas été appliquée." in content
    )
    assert "Hors du champ du partenariat.</textarea>" in content
    assert fiche.status == Status.PUBLIEE
    assert [entry.to_state for entry in transitions_of(fiche)][-1] == Status.PUBLIEE


def test_a_decision_the_state_never_allowed_is_still_forbidden(actors, network, client_for):
    fiche = make_fiche(Status.SOUMISE, structure=network.ml_a1, author=actors["conseiller"])

    response = client_for(actors["conseiller"]).post(
        f"{detail_url(fiche)}publier/", {"comment": "", "seen_status": "en_relecture"}
    )

    fiche.refresh_from_db()
    assert response.status_code == 403
    assert fiche.status == Status.SOUMISE


def test_unknown_action_is_not_found(actors, network, client_for):
    fiche = make_fiche(Status.SOUMISE, structure=network.ml_a1)

    assert client_for(actors["relecteur"]).get(f"{detail_url(fiche)}effacer/").status_code == 404


def test_versions_page_shows_what_changed_between_submissions(actors, network, client_for):
    fiche = make_fiche(Status.EN_RELECTURE, structure=network.ml_a1, author=actors["conseiller"])
    services.fiche_request_changes(fiche=fiche, actor=actors["relecteur"], comment="Chiffrez.")
    Fiche.objects.filter(pk=fiche.pk).update(results="40 jeunes accompagnés, dont 12 en emploi.")
    services.fiche_submit(fiche=fiche, actor=actors["conseiller"])

    content = client_for(actors["animateur"]).get(f"{detail_url(fiche)}versions/").content.decode()

    assert "Résultats et évaluation" in content
    assert "40 jeunes<del> accompagnés.</del><ins> accompagnés, dont 12 en emploi.</ins>" in content
    assert "Objectifs" not in content.split("practices-diff")[-1]  # unchanged parts are not listed


# --- Review queue and my fiches -----------------------------------------------------------


@frozen
def test_review_queue_shows_overdue_first_with_a_badge(actors, network, client_for):
    late = make_fiche(Status.SOUMISE, structure=network.ml_a1, title="La plus en retard")
    make_fiche(Status.SOUMISE, structure=network.ml_a2, title="Dans les temps")
    make_fiche(Status.SOUMISE, structure=network.ml_b1, title="Autre région")
    Fiche.objects.filter(pk=late.pk).update(review_due_on=timezone.localdate() - datetime.timedelta(days=1))

    content = client_for(actors["animateur"]).get("/bonnes-pratiques/relecture/").content.decode()

    assert content.index("La plus en retard") < content.index("Dans les temps")
    assert "En retard" in content
    assert "Autre région" not in content


def test_my_fiches_lists_the_structure_fiches_with_their_status(actors, network, client_for):
    make_fiche(structure=network.ml_a1, title="Notre brouillon")
    make_fiche(Status.A_COMPLETER, structure=network.antenne_a1, title="Celle de l'antenne")
    make_fiche(structure=network.ml_a2, title="Celle des voisins")

    content = client_for(actors["directeur"]).get("/bonnes-pratiques/mes-fiches/").content.decode()

    assert "Notre brouillon" in content
    assert "Celle de l&#x27;antenne" in content
    assert "À compléter" in content
    assert "Celle des voisins" not in content
