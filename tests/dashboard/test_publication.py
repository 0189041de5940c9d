"""Publication: only CNML roles validate a computed snapshot; the public reads the latest validated one."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from cnml.audit import transitions_of
from cnml.models import Role
from cnml.workflows import TransitionRefused
from dashboard import selectors
from dashboard.models import Snapshot, SnapshotStatus
from dashboard.publication import snapshot_validate
from dashboard.recompute import snapshot_recompute
from tests.clock import frozen
from tests.dashboard.factories import ContactFactory, YoungPersonFactory, make_import

pytestmark = pytest.mark.django_db


def computed(
    minutes_ago: int = 0, extracted_on: date = date(2011, 10, 15), status=SnapshotStatus.COMPUTED, **kwargs
) -> Snapshot:
    return Snapshot.objects.create(
        status=status,
        computed_at=timezone.now() - timedelta(minutes=minutes_ago),
        extracted_on=extracted_on,
        **kwargs,
    )


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        (Role.CONSEILLER, False),
        (Role.DIRECTEUR, False),
        (Role.ANIMATEUR_REGIONAL, False),
        (Role.RELECTEUR_CNML, True),
        (Role.ADMINISTRATEUR, True),
    ],
)
def test_only_cnml_roles_can_validate(users, role, allowed):
    assert computed().can_validate(users[role]) is allowed


def test_anonymous_and_inactive_users_cannot_validate(users):
    reviewer = users[Role.RELECTEUR_CNML]
    reviewer.is_active = False
    assert not computed().can_validate(AnonymousUser())
    assert not computed().can_validate(reviewer)


def test_a_snapshot_still_computing_or_already_validated_cannot_be_validated(users):
    reviewer = users[Role.RELECTEUR_CNML]
    computing = Snapshot.objects.create(status=SnapshotStatus.COMPUTING)
    assert not computing.can_validate(reviewer)
    with pytest.raises(TransitionRefused, match="pas terminé"):
        snapshot_validate(snapshot_id=computing.pk, user=reviewer)
    done = snapshot_validate(snapshot_id=computed().pk, user=reviewer)
    assert not done.can_validate(reviewer)
    with pytest.raises(TransitionRefused, match="déjà validé"):
        snapshot_validate(snapshot_id=done.pk, user=reviewer)


@frozen
def test_validation_records_who_and_when_and_refuses_other_roles(users):
    snapshot = computed()
    with pytest.raises(PermissionDenied):
        snapshot_validate(snapshot_id=snapshot.pk, user=users[Role.DIRECTEUR])
    snapshot.refresh_from_db()
    assert snapshot.validated_at is None

    validated = snapshot_validate(snapshot_id=snapshot.pk, user=users[Role.RELECTEUR_CNML])
    assert validated.validated_by == users[Role.RELECTEUR_CNML]
    assert timezone.now() - validated.validated_at < timedelta(minutes=1)


def test_public_reads_the_latest_validated_snapshot_and_signed_in_users_the_latest_computed(users):
    reviewer = users[Role.RELECTEUR_CNML]
    assert selectors.latest_validated_snapshot() is None
    older = snapshot_validate(snapshot_id=computed(minutes_ago=60).pk, user=reviewer)
    newer = computed(minutes_ago=5)
    Snapshot.objects.create(status=SnapshotStatus.COMPUTING)
    Snapshot.objects.create(status=SnapshotStatus.FAILED)

    assert selectors.latest_computed_snapshot() == newer
    assert selectors.latest_validated_snapshot() == older
    assert selectors.snapshot_for_reader(AnonymousUser()) == older
    assert selectors.snapshot_for_reader(users[Role.CONSEILLER]) == newer

    snapshot_validate(snapshot_id=newer.pk, user=reviewer)
    assert selectors.latest_validated_snapshot() == newer


def test_a_snapshot_of_an_older_extract_cannot_be_validated_over_newer_published_figures(users):
    reviewer = users[Role.ADMINISTRATEUR]
    published = snapshot_validate(
        snapshot_id=computed(minutes_ago=60, extracted_on=date(2011, 12, 31)).pk, user=reviewer
    )
    older_extract = computed(minutes_ago=5, extracted_on=date(2011, 10, 15))

    with pytest.raises(TransitionRefused) as raised:
        snapshot_validate(snapshot_id=older_extract.pk, user=reviewer)

    assert str(raised.value) == (
        f"Le calcul n° {older_extract.pk} porte sur l'extraction du 15/10/2011, antérieure à celle des chiffres "
        f"publiés (calcul n° {published.pk}, extraction du 31/12/2011) : il ne peut pas les remplacer."
    )
    older_extract.refresh_from_db()
    assert older_extract.validated_at is None
    assert selectors.latest_validated_snapshot() == published


def test_an_older_computation_of_the_same_extract_cannot_be_validated_over_a_newer_one(users):
    reviewer = users[Role.ADMINISTRATEUR]
    published = snapshot_validate(snapshot_id=computed(minutes_ago=5).pk, user=reviewer)
    older = computed(minutes_ago=60)

    with pytest.raises(TransitionRefused) as raised:
        snapshot_validate(snapshot_id=older.pk, user=reviewer)

    assert str(raised.value) == (
        f"Le calcul n° {older.pk} est antérieur au calcul n° {published.pk} déjà publié pour la même extraction : "
        "validez le calcul le plus récent."
    )
    assert selectors.latest_validated_snapshot() == published


def test_a_newer_extract_computed_earlier_is_published_once_validated(users):
    reviewer = users[Role.ADMINISTRATEUR]
    newer_extract = computed(minutes_ago=60, extracted_on=date(2011, 12, 31))
    snapshot_validate(snapshot_id=computed(minutes_ago=5, extracted_on=date(2011, 10, 15)).pk, user=reviewer)

    snapshot_validate(snapshot_id=newer_extract.pk, user=reviewer)

    assert selectors.latest_validated_snapshot() == newer_extract


def test_the_model_says_why_a_snapshot_cannot_be_published():
    published = computed(
        minutes_ago=5, extracted_on=date(2011, 12, 31), status=SnapshotStatus.VALIDATED, validated_at=timezone.now()
    )
    older = computed(minutes_ago=1, extracted_on=date(2011, 10, 15))

    assert older.publication_refusal(None) is None  # nothing published yet
    assert published.publication_refusal(None) == f"Le calcul n° {published.pk} est déjà validé."
    assert "antérieure à celle des chiffres publiés" in older.publication_refusal(published)
    assert Snapshot.objects.latest_validated() == published


def test_the_admin_action_refuses_an_older_snapshot_with_a_clear_message(users, client_for):
    reviewer = users[Role.RELECTEUR_CNML]
    published = snapshot_validate(
        snapshot_id=computed(minutes_ago=60, extracted_on=date(2011, 12, 31)).pk, user=reviewer
    )
    older_extract = computed(minutes_ago=5, extracted_on=date(2011, 10, 15))

    response = client_for(reviewer).post(
        reverse("admin:dashboard_snapshot_changelist"),
        {"action": "validate_for_publication", "_selected_action": [older_extract.pk]},
        follow=True,
    )

    assert response.status_code == 200
    assert (
        f"non validé : Le calcul n° {older_extract.pk} porte sur l&#x27;extraction du 15/10/2011, antérieure à celle "
        f"des chiffres publiés (calcul n° {published.pk}, extraction du 31/12/2011)"
    ) in response.content.decode()
    older_extract.refresh_from_db()
    assert older_extract.validated_at is None


def test_reviewer_validates_from_the_admin_action(users, client_for):
    reviewer = users[Role.RELECTEUR_CNML]
    snapshot = computed()
    client = client_for(reviewer)

    listing = client.get(reverse("admin:dashboard_snapshot_changelist"))
    response = client.post(
        reverse("admin:dashboard_snapshot_changelist"),
        {"action": "validate_for_publication", "_selected_action": [snapshot.pk]},
        follow=True,
    )

    assert listing.status_code == 200
    assert "Valider pour publication" in listing.content.decode()
    assert "Lancer un recalcul des indicateurs" in listing.content.decode()
    assert "1 calcul(s) validé(s) pour publication." in response.content.decode()
    snapshot.refresh_from_db()
    assert snapshot.validated_by == reviewer


@pytest.mark.parametrize("role", [Role.CONSEILLER, Role.DIRECTEUR, Role.ANIMATEUR_REGIONAL])
def test_local_roles_cannot_reach_the_snapshot_admin(users, client_for, role):
    snapshot = computed()
    client = client_for(users[role])
    response = client.post(
        reverse("admin:dashboard_snapshot_changelist"),
        {"action": "validate_for_publication", "_selected_action": [snapshot.pk]},
    )
    assert response.status_code == 302
    assert "/login/" in response["Location"]
    snapshot.refresh_from_db()
    assert snapshot.validated_at is None


def test_snapshot_admin_page_shows_the_provenance_and_the_national_table(users, client_for, network):
    make_import(extracted_on=date(2011, 10, 15), provisional=False)
    ContactFactory(young_person=YoungPersonFactory(structure=network.ml_a1), contact_on=date(2011, 2, 3))
    snapshot = snapshot_recompute()

    page = client_for(users[Role.RELECTEUR_CNML]).get(reverse("admin:dashboard_snapshot_change", args=[snapshot.pk]))

    content = page.content.decode()
    assert page.status_code == 200
    assert "Source : Parcours 3, entrepôt national (données d&#x27;octobre 2011). Exploitation CNML-COPEXEN" in content
    assert "janvier-septembre 2011" in content
    assert "Jeunes accueillis" in content


def test_reviewer_starts_a_recompute_from_the_admin(users, client_for, network, django_capture_on_commit_callbacks):
    make_import(extracted_on=date(2011, 10, 15))
    ContactFactory(young_person=YoungPersonFactory(structure=network.ml_a1), contact_on=date(2011, 2, 3))
    client = client_for(users[Role.RELECTEUR_CNML])

    assert client.get(reverse("admin:dashboard_snapshot_recompute")).status_code == 405
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("admin:dashboard_snapshot_recompute"))

    assert response.status_code == 302
    snapshot = selectors.latest_computed_snapshot()
    assert snapshot is not None
    assert snapshot.periods[-1] == "2011-T3"


def test_validation_moves_the_snapshot_to_validated_and_logs_who_from_and_to(users):
    reviewer = users[Role.RELECTEUR_CNML]
    snapshot = computed()

    validated = snapshot_validate(snapshot_id=snapshot.pk, user=reviewer)

    assert validated.status == SnapshotStatus.VALIDATED and validated.is_validated and validated.is_computed
    assert selectors.latest_computed_snapshot() == validated  # signed-in readers still read it
    [log] = transitions_of(snapshot)
    assert (log.actor, log.from_state, log.to_state) == (reviewer, SnapshotStatus.COMPUTED, SnapshotStatus.VALIDATED)
    assert timedelta(0) <= log.at - validated.validated_at < timedelta(minutes=1)


def test_refused_validations_leave_no_log_and_say_why(users):
    older = computed(minutes_ago=60)
    snapshot_validate(snapshot_id=computed(minutes_ago=5).pk, user=users[Role.ADMINISTRATEUR])

    for user in (users[Role.DIRECTEUR], users[Role.RELECTEUR_CNML]):
        with pytest.raises(TransitionRefused):
            snapshot_validate(snapshot_id=older.pk, user=user)

    assert older.validate.refusals(users[Role.DIRECTEUR]) == [
        "Seuls les relecteurs CNML et les administrateurs valident les chiffres."
    ]
    assert not transitions_of(older).exists()


def test_snapshot_admin_page_shows_its_history_as_every_workflow_does(users, client_for):
    reviewer = users[Role.RELECTEUR_CNML]
    snapshot = snapshot_validate(snapshot_id=computed().pk, user=reviewer)

    page = client_for(reviewer).get(reverse("admin:dashboard_snapshot_change", args=[snapshot.pk]))

    content = page.content.decode()
    assert '<ol class="cnml-history">' in content
    assert "Calculé →" in content and f"<strong>Validé</strong>, par {reviewer}" in content
