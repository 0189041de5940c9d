"""E-mails: submitting notifies the queue's reviewers, each decision the authors, on commit only."""

from __future__ import annotations

import pytest
from django.core import mail
from django.db import transaction

from practices import services
from practices.models import Status
from tests.factories import UserFactory
from tests.practices.factories import make_fiche

pytestmark = pytest.mark.django_db


def test_submission_mails_the_regional_animator_on_commit_only(actors, network, django_capture_on_commit_callbacks):
    fiche = make_fiche(structure=network.ml_a1, author=actors["conseiller"])

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.fiche_submit(fiche=fiche, actor=actors["conseiller"], comment="Merci de relire avant juin.")
        assert mail.outbox == []
    assert len(callbacks) == 1
    assert mail.outbox == []

    callbacks[0]()

    assert [message.to for message in mail.outbox] == [[actors["animateur"].email]]
    message = mail.outbox[0]
    assert message.subject == f"Fiche à relire : {fiche.title}"
    assert "Merci de relire avant juin." in message.body
    assert f"/bonnes-pratiques/fiche/{fiche.pk}/" in message.body


def test_submission_in_a_region_without_animator_mails_the_cnml_reviewers(
    users, network, django_capture_on_commit_callbacks
):
    author = UserFactory(email="b2@test.cnml.fr", structure=network.ml_b2)
    second = UserFactory(email="relecteur2@test.cnml.fr", role="relecteur_cnml", structure=network.cnml)
    fiche = make_fiche(structure=network.ml_b2, author=author)

    with django_capture_on_commit_callbacks(execute=True):
        services.fiche_submit(fiche=fiche, actor=author)

    assert sorted(message.to[0] for message in mail.outbox) == sorted([users["relecteur_cnml"].email, second.email])
    assert f"/admin/practices/fiche/{fiche.pk}/change/" in mail.outbox[0].body


@pytest.mark.parametrize(
    ("state", "verb", "subject"),
    [
        (Status.EN_RELECTURE, "request_changes", "Votre fiche est à compléter"),
        (Status.EN_RELECTURE, "publish", "Votre fiche est publiée"),
        (Status.EN_RELECTURE, "reject", "Votre fiche n'a pas été retenue"),
        (Status.PUBLIEE, "archive", "Votre fiche est archivée"),
    ],
)
def test_each_decision_mails_the_authors_with_the_comment(
    actors, network, django_capture_on_commit_callbacks, state, verb, subject
):
    author, colleague = actors["conseiller"], actors["directeur"]
    fiche = make_fiche(state, structure=network.ml_a1, author=author)
    fiche.contributors.add(colleague)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.fiche_apply(fiche=fiche, actor=actors["relecteur"], verb=verb, comment="Le commentaire du relecteur.")
    assert mail.outbox == []
    for callback in callbacks:
        callback()

    assert sorted(message.to[0] for message in mail.outbox) == sorted([author.email, colleague.email])
    for message in mail.outbox:
        assert message.subject == f"{subject}\u00a0: {fiche.title}"
        assert "Le commentaire du relecteur." in message.body


def test_taking_in_review_sends_nothing(actors, network, django_capture_on_commit_callbacks):
    fiche = make_fiche(Status.SOUMISE, structure=network.ml_a1, author=actors["conseiller"])

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.fiche_take_in_review(fiche=fiche, actor=actors["animateur"])

    assert callbacks == []
    assert mail.outbox == []


def test_rolled_back_decision_sends_no_mail(actors, network, django_capture_on_commit_callbacks):
    fiche = make_fiche(Status.EN_RELECTURE, structure=network.ml_a1, author=actors["conseiller"])

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        services.fiche_publish(fiche=fiche, actor=actors["relecteur"])
        raise RuntimeError("crash before the commit")

    assert callbacks == []
    assert mail.outbox == []
    fiche.refresh_from_db()
    assert fiche.status == Status.EN_RELECTURE


def test_director_archiving_is_not_mailed_to_himself(actors, network, django_capture_on_commit_callbacks):
    director = actors["directeur"]
    fiche = make_fiche(Status.PUBLIEE, structure=network.ml_a1, author=actors["conseiller"])
    fiche.contributors.add(director)

    with django_capture_on_commit_callbacks(execute=True):
        services.fiche_archive(fiche=fiche, actor=director)

    assert [message.to for message in mail.outbox] == [[actors["conseiller"].email]]
