"""An import's page opens on its outcome and the next step; its errors come as CSV; validating is confirmed."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cnml.audit import transitions_of
from cnml.models import OutboxMessage, Role
from dashboard.models import ExtractImport, ImportStatus, Snapshot, SnapshotStatus, reason_row
from dashboard.publication import snapshot_validate
from dashboard.services import QUEUE_UNAVAILABLE
from dashboard.tasks import RECOMPUTE_AFTER_IMPORT_KEY
from tests.dashboard.conftest import contact, run_import, write_extract, young
from tests.dashboard.factories import make_import

pytestmark = pytest.mark.django_db

CNML_ROLES = [Role.ADMINISTRATEUR, Role.RELECTEUR_CNML]
OTHER_ROLES = [Role.CONSEILLER, Role.DIRECTEUR, Role.ANIMATEUR_REGIONAL]


def page_of(client, extract_import: ExtractImport) -> str:
    response = client.get(reverse("admin:dashboard_extractimport_change", args=[extract_import.pk]))
    assert response.status_code == 200
    return response.content.decode()


def alert_of(page: str) -> str:
    """The outcome's alert: the page's content starts with it."""
    content = page.split('id="content"', 1)[1]
    assert content.index('class="fr-alert') < content.index("<form"), "the alert comes before the record"
    return content.split('class="fr-alert', 1)[1].split("</div>", 1)[0]


def bad_import(tmp_path, count: int, **options) -> ExtractImport:
    """An import refused for ``count`` unknown sex codes in jeunes.csv (lines 2 to count + 1)."""
    people = [young(f"J{index}", sexe="X") for index in range(count)]
    directory = write_extract(tmp_path / "bad", jeunes=people, contacts=[contact("J0")])
    return run_import(directory, extracted_on=date(2011, 10, 31), **options)


def computed(extracted_on: date, minutes_ago: int = 0, **kwargs) -> Snapshot:
    return Snapshot.objects.create(
        status=SnapshotStatus.COMPUTED,
        computed_at=timezone.now() - timedelta(minutes=minutes_ago),
        extracted_on=extracted_on,
        **kwargs,
    )


def read_csv(response) -> list[list[str]]:
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:]), delimiter=";"))


# --- the outcome first -------------------------------------------------------------------


def test_a_refused_import_opens_on_a_red_alert_with_the_reason_and_what_to_do(users, client_for, tmp_path):
    extract_import = bad_import(tmp_path, 3)

    alert = alert_of(page_of(client_for(users[Role.RELECTEUR_CNML]), extract_import))

    assert "fr-alert--error" in alert
    assert 'role="alert"' in alert and 'tabindex="-1"' in alert
    assert "Import refusé : les données en place n&#x27;ont pas changé" in alert
    assert "3\u00a0erreurs dans les fichiers de l&#x27;extraction." in alert
    assert "Première : jeunes.csv, ligne 2, colonne sexe : code inconnu « X » (attendu : F ou H)" in alert
    assert "Corrigez les fichiers, puis déposez de nouveau l&#x27;extraction." in alert
    assert reverse("admin:dashboard_extractimport_errors_csv", args=[extract_import.pk]) in alert
    assert reverse("admin:dashboard_extractimport_add") in alert


def test_an_import_that_never_started_says_why_in_red(users, client_for):
    extract_import = make_import(
        status=ImportStatus.FAILED, error_details=[reason_row(QUEUE_UNAVAILABLE)], error_count=1
    )

    alert = alert_of(page_of(client_for(users[Role.ADMINISTRATEUR]), extract_import))

    assert "fr-alert--error" in alert
    assert "Import échoué" in alert
    assert "Le service de traitement est indisponible" in alert


@pytest.mark.parametrize("status", [ImportStatus.PENDING, ImportStatus.RUNNING])
def test_an_import_not_finished_is_followed_never_announced_as_done(users, client_for, status):
    extract_import = make_import(status=status, step="Lecture de contacts.csv")
    client = client_for(users[Role.ADMINISTRATEUR])

    alert = alert_of(page_of(client, extract_import))
    progress = client.get(reverse("admin:dashboard_extractimport_progress", args=[extract_import.pk])).json()

    assert "fr-alert--info" in alert and "data-import-following" in alert
    assert "réussi" not in alert and "lancé" not in alert
    assert progress["finished"] is False


def test_a_successful_import_waits_for_its_recompute_then_says_to_validate(users, client_for):
    extract_import = make_import(status=ImportStatus.SUCCEEDED, extracted_on=date(2011, 10, 31))
    OutboxMessage.objects.create(
        task="dashboard.tasks.recompute_indicators", key=RECOMPUTE_AFTER_IMPORT_KEY.format(extract_import.pk)
    )
    client = client_for(users[Role.RELECTEUR_CNML])
    progress_url = reverse("admin:dashboard_extractimport_progress", args=[extract_import.pk])

    waiting = alert_of(page_of(client, extract_import))
    assert "Le recalcul des indicateurs est en cours." in waiting
    assert client.get(progress_url).json()["finished"] is False

    OutboxMessage.objects.update(done_at=timezone.now())
    snapshot = computed(date(2011, 10, 31), extract_import=extract_import)
    done = alert_of(page_of(client, extract_import))

    assert client.get(progress_url).json()["finished"] is True
    assert "fr-alert--success" in done
    assert "Vérifiez-les, puis validez le calcul pour les publier." in done
    assert reverse("admin:dashboard_snapshot_validate", args=[snapshot.pk]) in done


# --- every error as CSV ------------------------------------------------------------------


@pytest.mark.parametrize("role", CNML_ROLES)
def test_every_error_is_downloadable_as_a_french_csv(role, users, client_for, tmp_path):
    extract_import = bad_import(tmp_path, 120)  # more than the page lists

    page = page_of(client_for(users[role]), extract_import)
    response = client_for(users[role]).get(
        reverse("admin:dashboard_extractimport_errors_csv", args=[extract_import.pk])
    )

    assert page.count("colonne sexe : code inconnu") == 100 + 1  # the list, and the alert's first
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert f'filename="import-{extract_import.pk}-erreurs.csv"' in response["Content-Disposition"]
    rows = read_csv(response)
    assert rows[0] == ["fichier", "ligne", "colonne", "valeur", "motif"]
    assert len(rows) == 1 + 120
    assert rows[1] == ["jeunes.csv", "2", "sexe", "X", "code inconnu « X » (attendu : F ou H)"]
    assert rows[-1][:4] == ["jeunes.csv", "121", "sexe", "X"]


def test_the_csv_keeps_the_first_errors_and_the_page_says_how_many_in_all(users, client_for, tmp_path):
    extract_import = bad_import(tmp_path, 30, max_errors=10)
    client = client_for(users[Role.ADMINISTRATEUR])

    rows = read_csv(client.get(reverse("admin:dashboard_extractimport_errors_csv", args=[extract_import.pk])))
    alert = alert_of(page_of(client, extract_import))

    assert extract_import.error_count == 30
    assert len(rows) == 1 + 10
    assert "30\u00a0erreurs dans les fichiers" in alert
    assert "Télécharger les 10\u00a0premières erreurs (CSV)" in alert


def test_an_error_a_user_typed_like_a_formula_stays_text_in_the_csv(users, client_for, tmp_path):
    directory = write_extract(tmp_path / "bad", jeunes=[young("J1", sexe="=1+1")], contacts=[contact("J1")])
    extract_import = run_import(directory, extracted_on=date(2011, 10, 31))

    rows = read_csv(
        client_for(users[Role.ADMINISTRATEUR]).get(
            reverse("admin:dashboard_extractimport_errors_csv", args=[extract_import.pk])
        )
    )

    assert rows[1][3] == "'=1+1"


@pytest.mark.parametrize("role", OTHER_ROLES)
def test_other_roles_cannot_download_the_errors(role, users, client_for, tmp_path):
    extract_import = bad_import(tmp_path, 2)

    response = client_for(users[role]).get(
        reverse("admin:dashboard_extractimport_errors_csv", args=[extract_import.pk])
    )

    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_anonymous_visitors_cannot_download_the_errors(client, tmp_path):
    extract_import = bad_import(tmp_path, 2)

    response = client.get(reverse("admin:dashboard_extractimport_errors_csv", args=[extract_import.pk]))

    assert response.status_code == 302
    assert "/login/" in response["Location"]


# --- validating for publication, confirmed -----------------------------------------------


@pytest.mark.parametrize("role", CNML_ROLES)
def test_validating_is_a_button_then_a_confirmation_of_what_becomes_public(role, users, client_for):
    published = snapshot_validate(
        snapshot_id=computed(date(2011, 6, 30), minutes_ago=60).pk, user=users[Role.RELECTEUR_CNML]
    )
    snapshot = computed(date(2011, 10, 31), periods=["2011-T1", "2011-T2", "2011-T3"])
    client = client_for(users[role])
    confirm_url = reverse("admin:dashboard_snapshot_validate", args=[snapshot.pk])

    snapshot_page = client.get(reverse("admin:dashboard_snapshot_change", args=[snapshot.pk])).content.decode()
    confirmation = client.get(confirm_url).content.decode()

    assert confirm_url in snapshot_page
    assert "Ce qui devient public" in confirmation
    assert "2011-T1, 2011-T2, 2011-T3" in confirmation
    assert f"Ils remplacent les chiffres publiés jusqu'ici : {published}." in confirmation
    assert "Valider et publier ces chiffres" in confirmation
    snapshot.refresh_from_db()
    assert snapshot.status == SnapshotStatus.COMPUTED  # reading the confirmation changes nothing

    response = client.post(confirm_url, follow=True)

    snapshot.refresh_from_db()
    assert snapshot.status == SnapshotStatus.VALIDATED
    assert snapshot.validated_by == users[role]
    assert [(log.from_state, log.to_state, log.actor) for log in transitions_of(snapshot)] == [
        (SnapshotStatus.COMPUTED, SnapshotStatus.VALIDATED, users[role])
    ]
    assert f"{snapshot} validé : ses chiffres sont maintenant publics." in response.content.decode()


def test_an_older_snapshot_is_refused_on_its_confirmation_and_on_submission(users, client_for):
    reviewer = users[Role.RELECTEUR_CNML]
    snapshot_validate(snapshot_id=computed(date(2011, 12, 31), minutes_ago=60).pk, user=reviewer)
    older = computed(date(2011, 10, 31))
    client = client_for(reviewer)
    confirm_url = reverse("admin:dashboard_snapshot_validate", args=[older.pk])

    confirmation = client.get(confirm_url).content.decode()
    snapshot_page = client.get(reverse("admin:dashboard_snapshot_change", args=[older.pk])).content.decode()
    response = client.post(confirm_url, follow=True)

    assert "Ce calcul ne peut pas être validé" in confirmation
    assert "antérieure à celle des chiffres publiés" in confirmation
    assert "Valider et publier ces chiffres" not in confirmation
    assert confirm_url not in snapshot_page
    assert "antérieure à celle des chiffres publiés" in response.content.decode()
    older.refresh_from_db()
    assert older.status == SnapshotStatus.COMPUTED


@pytest.mark.parametrize("role", OTHER_ROLES)
def test_other_roles_cannot_validate_through_the_confirmation(role, users, client_for):
    snapshot = computed(date(2011, 10, 31))
    confirm_url = reverse("admin:dashboard_snapshot_validate", args=[snapshot.pk])
    client = client_for(users[role])

    for response in (client.get(confirm_url), client.post(confirm_url)):
        assert response.status_code == 302
        assert "/login/" in response["Location"]
    snapshot.refresh_from_db()
    assert snapshot.status == SnapshotStatus.COMPUTED


def test_validating_a_snapshot_that_does_not_exist_answers_404(users, client_for):
    response = client_for(users[Role.ADMINISTRATEUR]).get(reverse("admin:dashboard_snapshot_validate", args=[999]))

    assert response.status_code == 404
