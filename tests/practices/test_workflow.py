"""The fiche's workflow: every transition, from every state, tried by every kind of user.

brouillon → soumise → en_relecture → a_completer → soumise … → publiee | refusee; publiee → archivee.
"""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from cnml.audit import transitions_of
from cnml.workflows import TransitionRefused
from practices import services
from practices.models import REVIEW_DELAY_DAYS, Fiche, Queue, Status
from tests.clock import frozen
from tests.factories import UserFactory
from tests.practices.factories import ThemeFactory, make_fiche
from tests.practices.helpers import ACTOR_NAMES

pytestmark = pytest.mark.django_db

REVIEWERS = {"animateur", "relecteur", "administrateur"}
AUTHORS = {"conseiller", "directeur"}
# verb -> (states it starts from, who may trigger it on a fiche of ML A1, target state)
RULES = {
    "submit": ({Status.BROUILLON, Status.A_COMPLETER}, AUTHORS, Status.SOUMISE),
    "take_in_review": ({Status.SOUMISE}, REVIEWERS, Status.EN_RELECTURE),
    "request_changes": ({Status.EN_RELECTURE}, REVIEWERS, Status.A_COMPLETER),
    "publish": ({Status.EN_RELECTURE}, REVIEWERS, Status.PUBLIEE),
    "reject": ({Status.EN_RELECTURE}, REVIEWERS, Status.REFUSEE),
    "archive": ({Status.PUBLIEE}, REVIEWERS | {"directeur"}, Status.ARCHIVEE),
}


@pytest.mark.parametrize("actor_name", ACTOR_NAMES)
@pytest.mark.parametrize("verb", RULES)
def test_each_transition_is_allowed_exactly_from_its_states_to_its_roles(actors, network, verb, actor_name):
    states, allowed_roles, target = RULES[verb]
    actor = actors[actor_name]
    for state in Status.values:
        fiche = make_fiche(state, structure=network.ml_a1, author=actors["conseiller"])
        expected = state in states and actor_name in allowed_roles

        assert getattr(fiche, f"can_{verb}")(actor) is expected, f"can_{verb} from {state} by {actor_name}"
        if expected:
            services.fiche_apply(fiche=fiche, actor=actor, verb=verb, comment="Un commentaire.")
            fiche.refresh_from_db()
            assert fiche.status == target
            last = transitions_of(fiche).last()
            assert (last.from_state, last.to_state, last.comment) == (state, target, "Un commentaire.")
            assert last.actor == (actor if actor.is_authenticated else None)
        else:
            with pytest.raises(TransitionRefused):
                services.fiche_apply(fiche=fiche, actor=actor, verb=verb, comment="Un commentaire.")
            fiche.refresh_from_db()
            assert fiche.status == state
            assert not transitions_of(fiche).filter(to_state=target, comment="Un commentaire.").exists()


def test_full_cycle_with_changes_requested_then_published(actors, network):
    author, reviewer = actors["conseiller"], actors["relecteur"]
    fiche = make_fiche(structure=network.ml_a1, author=author)

    services.fiche_submit(fiche=fiche, actor=author)
    services.fiche_take_in_review(fiche=fiche, actor=reviewer)
    services.fiche_request_changes(fiche=fiche, actor=reviewer, comment="Précisez les résultats.")
    Fiche.objects.filter(pk=fiche.pk).update(results="52 jeunes accompagnés, dont 30 en emploi.")
    services.fiche_submit(fiche=fiche, actor=author)
    services.fiche_take_in_review(fiche=fiche, actor=reviewer)
    services.fiche_publish(fiche=fiche, actor=reviewer, comment="Merci.")

    fiche.refresh_from_db()
    assert fiche.status == Status.PUBLIEE
    assert fiche.published_at is not None
    assert [(t.from_state, t.to_state) for t in transitions_of(fiche)] == [
        ("brouillon", "soumise"),
        ("soumise", "en_relecture"),
        ("en_relecture", "a_completer"),
        ("a_completer", "soumise"),
        ("soumise", "en_relecture"),
        ("en_relecture", "publiee"),
    ]
    versions = list(fiche.versions.order_by("number"))
    assert [version.number for version in versions] == [1, 2]
    assert versions[0].content["results"] == "40 jeunes accompagnés."
    assert versions[1].content["results"] == "52 jeunes accompagnés, dont 30 en emploi."


def test_refused_fiche_keeps_its_reason_in_the_trail(actors, network):
    fiche = make_fiche(Status.EN_RELECTURE, structure=network.ml_a1, author=actors["conseiller"])

    services.fiche_reject(fiche=fiche, actor=actors["animateur"], comment="L'action n'a pas démarré.")

    fiche.refresh_from_db()
    assert fiche.status == Status.REFUSEE
    assert transitions_of(fiche).last().comment == "L'action n'a pas démarré."
    assert not fiche.can_submit(actors["conseiller"])


@pytest.mark.parametrize(
    ("verb", "reason"),
    [
        ("request_changes", "Indiquez aux rédacteurs ce qu'il faut compléter."),
        ("reject", "Indiquez la raison du refus."),
    ],
)
def test_request_changes_and_reject_need_a_comment(actors, network, verb, reason):
    fiche = make_fiche(Status.EN_RELECTURE, structure=network.ml_a1)

    with pytest.raises(TransitionRefused) as refused:
        services.fiche_apply(fiche=fiche, actor=actors["relecteur"], verb=verb, comment="   ")

    assert refused.value.reasons == [reason]
    fiche.refresh_from_db()
    assert fiche.status == Status.EN_RELECTURE


def test_each_move_of_the_workflow_has_its_action_on_the_site_and_in_the_admin():
    assert list(services.ACTIONS) == list(Fiche.workflow.transitions)
    assert [action.label for action in services.ACTIONS.values()] == [
        "Soumettre la fiche",
        "Prendre en relecture",
        "Demander des compléments",
        "Publier",
        "Refuser",
        "Archiver",
    ]
    assert [verb for verb, action in services.ACTIONS.items() if action.comment_required] == [
        "request_changes",
        "reject",
    ]


def test_a_refused_move_says_which_move_and_in_which_state(actors, network):
    draft = make_fiche(structure=network.ml_a1, author=actors["conseiller"])
    published = make_fiche(Status.PUBLIEE, structure=network.ml_a1)

    assert draft.publish.refusals(actors["relecteur"]) == [
        "Vous ne pouvez pas publier cette fiche dans son état actuel (brouillon)."
    ]
    assert published.archive.refusals(actors["conseiller"]) == [
        "Vous ne pouvez pas archiver cette fiche dans son état actuel (publiée)."
    ]
    assert draft.submit.refusals(actors["outsider"]) == [
        "Vous ne pouvez pas soumettre cette fiche dans son état actuel (brouillon)."
    ]
    with pytest.raises(TransitionRefused) as refused:
        services.fiche_apply(fiche=published, actor=actors["conseiller"], verb="archive")
    assert refused.value.by_role is True


def test_incomplete_fiche_cannot_be_submitted(actors, network):
    fiche = make_fiche(structure=network.ml_a1, contacts=False, themes=[])
    Fiche.objects.filter(pk=fiche.pk).update(results="")
    fiche.refresh_from_db()

    assert set(fiche.missing_for_submission()) == {"results", "themes", "contacts"}
    with pytest.raises(ValidationError):
        services.fiche_submit(fiche=fiche, actor=actors["conseiller"])
    fiche.refresh_from_db()
    assert fiche.status == Status.BROUILLON
    assert not fiche.versions.exists()


def test_submission_routes_to_the_regional_animator_when_the_region_has_one(actors, network):
    fiche = make_fiche(structure=network.ml_a1)

    services.fiche_submit(fiche=fiche, actor=actors["conseiller"])

    fiche.refresh_from_db()
    assert fiche.queue == Queue.REGIONAL
    assert list(fiche.queue_reviewers()) == [actors["animateur"]]


def test_submission_goes_to_the_cnml_pool_when_the_region_has_no_animator(users, network):
    lonely = UserFactory(email="seul@test.cnml.fr", structure=network.ml_b2)  # region B: no animator here
    fiche = make_fiche(structure=network.ml_b2)

    services.fiche_submit(fiche=fiche, actor=lonely)

    fiche.refresh_from_db()
    assert fiche.queue == Queue.CNML
    assert list(fiche.queue_reviewers()) == [users["relecteur_cnml"]]


def test_inactive_animator_does_not_make_a_regional_queue(actors, network):
    animator = actors["animateur"]
    animator.is_active = False
    animator.save()
    fiche = make_fiche(structure=network.ml_a1)

    services.fiche_submit(fiche=fiche, actor=actors["conseiller"])

    fiche.refresh_from_db()
    assert fiche.queue == Queue.CNML


@frozen
def test_submission_sets_a_due_date_and_decisions_clear_it(actors, network):
    fiche = make_fiche(structure=network.ml_a1)

    services.fiche_submit(fiche=fiche, actor=actors["conseiller"])
    fiche.refresh_from_db()
    assert fiche.review_due_on == timezone.localdate() + datetime.timedelta(days=REVIEW_DELAY_DAYS)

    services.fiche_take_in_review(fiche=fiche, actor=actors["animateur"])
    fiche.refresh_from_db()
    assert fiche.reviewer == actors["animateur"]
    assert fiche.review_due_on is not None

    services.fiche_request_changes(fiche=fiche, actor=actors["animateur"], comment="À compléter.")
    fiche.refresh_from_db()
    assert fiche.review_due_on is None


@frozen
def test_queue_lists_overdue_fiches_first(actors, network):
    late = make_fiche(Status.SOUMISE, structure=network.ml_a1, title="En retard")
    soon = make_fiche(Status.EN_RELECTURE, structure=network.ml_a1, title="Bientôt")
    later = make_fiche(Status.SOUMISE, structure=network.ml_a2, title="Plus tard")
    today = timezone.localdate()
    Fiche.objects.filter(pk=late.pk).update(review_due_on=today - datetime.timedelta(days=2))
    Fiche.objects.filter(pk=soon.pk).update(review_due_on=today + datetime.timedelta(days=1))
    Fiche.objects.filter(pk=later.pk).update(review_due_on=today + datetime.timedelta(days=10))

    from practices.selectors import review_queue

    queue = list(review_queue(actors["relecteur"]))
    assert [fiche.title for fiche in queue] == ["En retard", "Bientôt", "Plus tard"]
    assert [fiche.overdue for fiche in queue] == [True, False, False]
    assert Fiche.objects.get(pk=late.pk).is_overdue


def test_animator_queue_holds_only_the_region(actors, network):
    mine = make_fiche(Status.SOUMISE, structure=network.ml_a2)
    other = make_fiche(Status.SOUMISE, structure=network.ml_b1)

    from practices.selectors import review_queue

    assert list(review_queue(actors["animateur"])) == [mine]
    assert list(review_queue(actors["animateur_b"])) == [other]
    assert set(review_queue(actors["relecteur"])) == {mine, other}


def test_transition_rolled_back_leaves_no_trace(actors, network):
    from django.db import transaction

    fiche = make_fiche(structure=network.ml_a1)
    with pytest.raises(RuntimeError), transaction.atomic():
        services.fiche_submit(fiche=fiche, actor=actors["conseiller"])
        raise RuntimeError("crash after the transition")

    fiche.refresh_from_db()
    assert fiche.status == Status.BROUILLON
    assert not transitions_of(fiche).exists()
    assert not fiche.versions.exists()


def test_published_fiche_is_searchable_and_themes_kept(actors, network):
    theme = ThemeFactory(slug="mobilite", name="Mobilité")
    fiche = make_fiche(Status.EN_RELECTURE, structure=network.ml_a1, themes=[theme])

    services.fiche_publish(fiche=fiche, actor=actors["relecteur"])

    fiche.refresh_from_db()
    assert " mobilite " in fiche.search_text
