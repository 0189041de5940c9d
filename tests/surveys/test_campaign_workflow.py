"""A campaign's workflow (brouillon → ouverte → close) goes through the one mechanism, cnml.workflows.

Each move is a transition of the model, checked and applied on the locked row, logged with who, when,
from, to and the comment; a refused move raises the one exception, whose French reasons the page
shows; the campaign page shows the history through the one include; the hourly task closes as the
system and owes the results through the outbox in the same transaction.
"""

from __future__ import annotations

import ast
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from cnml.audit import transitions_of
from cnml.models import OutboxMessage, Role
from cnml.workflows import TransitionRefused, history
from surveys import services
from surveys.models import Campaign, CampaignStatus
from tests.clock import frozen
from tests.concurrency import run_together
from tests.pages import page_text

pytestmark = [pytest.mark.django_db, frozen]

ANIMATEUR = Role.ANIMATEUR_REGIONAL
AGGREGATION = "surveys.tasks.aggregate_campaign_results"
ONLY_DRAFTS_OPEN = "Seule une campagne en brouillon peut être ouverte."
ONLY_OPEN_CLOSE = "Seule une campagne ouverte peut être close."
NO_PARTICIPANT = "Choisissez au moins une structure participante avant d'ouvrir la campagne."


def owed_aggregations() -> list[OutboxMessage]:
    """The computations owed (done ones keep no arguments: each test has one campaign that closes)."""
    return list(OutboxMessage.objects.filter(task=AGGREGATION))


# --- The workflow on the model -------------------------------------------------------------------


def test_the_campaign_declares_its_moves_and_derives_its_guards(make_campaign, users):
    draft = make_campaign(status=CampaignStatus.DRAFT)

    assert list(Campaign.workflow.transitions) == ["open", "close"]
    assert (Campaign.open.source, Campaign.open.target) == ({CampaignStatus.DRAFT}, CampaignStatus.OPEN)
    assert (Campaign.close.source, Campaign.close.target) == ({CampaignStatus.OPEN}, CampaignStatus.CLOSED)
    assert draft.can_open(users[ANIMATEUR]) is True
    assert draft.can_close(users[ANIMATEUR]) is False
    assert draft.close.refusals(users[ANIMATEUR]) == [ONLY_OPEN_CLOSE]
    assert draft.can_open(users[Role.DIRECTEUR]) is False  # sees no draft, runs no campaign


def test_opening_then_closing_logs_who_when_from_to_and_the_comment(make_campaign, users):
    animator = users[ANIMATEUR]
    campaign = make_campaign(status=CampaignStatus.DRAFT)
    before = timezone.now()

    services.campaign_open(campaign=campaign, actor=animator)
    services.campaign_close(campaign=campaign, actor=animator, comment="  Objectif atteint.  ")

    logs = list(transitions_of(campaign))
    assert [(log.actor, log.from_state, log.to_state, log.comment) for log in logs] == [
        (animator, CampaignStatus.DRAFT, CampaignStatus.OPEN, ""),
        (animator, CampaignStatus.OPEN, CampaignStatus.CLOSED, "Objectif atteint."),
    ]
    assert all(before <= log.at <= timezone.now() for log in logs)
    assert Campaign.objects.get(pk=campaign.pk).status == CampaignStatus.CLOSED


def test_a_refused_move_raises_the_one_exception_with_its_french_reason(make_campaign, users):
    opened = make_campaign()
    empty = make_campaign(status=CampaignStatus.DRAFT, structures=[])

    with pytest.raises(TransitionRefused) as twice:
        services.campaign_open(campaign=opened, actor=users[ANIMATEUR])
    with pytest.raises(TransitionRefused) as without_points:
        services.campaign_open(campaign=empty, actor=users[ANIMATEUR])

    assert twice.value.reasons == [ONLY_DRAFTS_OPEN]
    assert without_points.value.reasons == [NO_PARTICIPANT]
    assert empty.open.refusals(users[ANIMATEUR]) == [NO_PARTICIPANT]  # the same reason, before acting
    assert [log.to_state for log in transitions_of(empty)] == []


def test_a_move_by_someone_who_does_not_run_the_campaign_is_refused_by_role(make_campaign, users):
    campaign = make_campaign()

    with pytest.raises(TransitionRefused) as refused:
        services.campaign_close(campaign=campaign, actor=users[Role.DIRECTEUR])

    assert refused.value.by_role is True
    assert Campaign.objects.get(pk=campaign.pk).status == CampaignStatus.OPEN
    assert owed_aggregations() == []


def test_a_refused_move_shows_the_same_french_message_on_the_page(make_campaign, users, client_for):
    campaign = make_campaign(status=CampaignStatus.DRAFT, structures=[])
    [reason] = campaign.open.refusals(users[ANIMATEUR])

    response = client_for(users[ANIMATEUR]).post(f"/enquetes/campagnes/{campaign.pk}/ouvrir/", follow=True)

    assert response.status_code == 200
    assert reason in page_text(response)
    assert Campaign.objects.get(pk=campaign.pk).status == CampaignStatus.DRAFT


def test_a_move_chosen_on_a_page_the_campaign_has_left_says_it_changed_meanwhile(make_campaign, users, client_for):
    campaign = make_campaign()
    services.campaign_close(campaign=campaign, actor=users[Role.RELECTEUR_CNML])

    response = client_for(users[ANIMATEUR]).post(
        f"/enquetes/campagnes/{campaign.pk}/cloturer/", {"seen_status": CampaignStatus.OPEN}, follow=True
    )

    text = page_text(response)
    assert "Une autre décision vient d'être prise : l'état est maintenant « close »." in text
    assert "« Clore la campagne » n'a pas été appliquée." in text
    assert [log.to_state for log in transitions_of(campaign)] == [CampaignStatus.CLOSED]


# --- The system's move and the work it owes -------------------------------------------------------


def test_the_hourly_pass_closes_as_the_system_and_owes_the_results_with_the_move(make_campaign, users):
    today = timezone.localdate()
    due = make_campaign(opens_on=today - timedelta(days=20), closes_on=today - timedelta(days=1))

    with pytest.raises(TransitionRefused):
        due.open(None)  # the system only closes
    assert services.campaigns_close_due() == [due.pk]

    [log] = transitions_of(due)
    assert (log.actor, log.from_state, log.to_state, log.comment) == (
        None,
        CampaignStatus.OPEN,
        CampaignStatus.CLOSED,
        "Clôture automatique à la date prévue.",
    )
    assert len(owed_aggregations()) == 1


def test_a_close_rolled_back_owes_nothing_and_logs_nothing(make_campaign, users, monkeypatch):
    campaign = make_campaign()

    def broken(*args, **kwargs):
        raise RuntimeError("the outbox table is gone")

    monkeypatch.setattr(services.outbox, "enqueue", broken)
    with pytest.raises(RuntimeError):
        services.campaign_close(campaign=campaign, actor=users[ANIMATEUR])

    assert Campaign.objects.get(pk=campaign.pk).status == CampaignStatus.OPEN
    assert not transitions_of(campaign).exists()


@pytest.mark.django_db(transaction=True)
def test_two_closes_at_the_same_instant_give_one_move_and_one_computation(file_database, make_campaign, users):
    campaign = make_campaign()
    people = iter([users[ANIMATEUR], users[Role.RELECTEUR_CNML]])

    def close():
        return services.campaign_close(
            campaign=Campaign.objects.get(pk=campaign.pk), actor=next(people), seen_status=CampaignStatus.OPEN
        )

    results = run_together(close, 2)

    assert sum(isinstance(result, Campaign) for result in results) == 1, results
    [refused] = [result for result in results if isinstance(result, TransitionRefused)]
    assert "l'état est maintenant « close »" in str(refused)
    assert [log.to_state for log in transitions_of(campaign)] == [CampaignStatus.CLOSED]
    assert len(owed_aggregations()) == 1


def test_the_services_owe_the_results_without_importing_the_tasks():
    """The tasks call the services; the services name the task they owe (no import cycle)."""
    tree = ast.parse(Path(services.__file__).read_text(encoding="utf-8"))
    imported = {
        node.module if isinstance(node, ast.ImportFrom) else alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    }
    imported |= {
        f"{node.module}.{alias.name}"
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
    }

    assert not {name for name in imported if name and name.startswith("surveys.tasks")}, imported


# --- The history on the campaign page ----------------------------------------------------------


def test_the_campaign_page_shows_its_history_through_the_one_include(make_campaign, users, client_for):
    animator = users[ANIMATEUR]
    campaign = make_campaign(status=CampaignStatus.DRAFT)
    services.campaign_open(campaign=campaign, actor=animator)
    services.campaign_close(campaign=campaign, actor=animator, comment="Objectif atteint.")
    entries = history(campaign)

    content = client_for(animator).get(f"/enquetes/campagnes/{campaign.pk}/").content.decode()

    assert '<ol class="cnml-history">' in content
    assert f"<strong>{entries[0].when}</strong>" in content
    assert "Brouillon →" in content and "<strong>Ouverte</strong>, par " in content
    assert "Ouverte →" in content and "<strong>Close</strong>, par " in content
    assert '<blockquote class="cnml-history__comment">Objectif atteint.</blockquote>' in content


def test_the_history_is_for_those_who_run_the_campaign(make_campaign, users, client_for):
    campaign = make_campaign(status=CampaignStatus.DRAFT)
    services.campaign_open(campaign=campaign, actor=users[ANIMATEUR])

    content = client_for(users[Role.DIRECTEUR]).get(f"/enquetes/campagnes/{campaign.pk}/").content.decode()

    assert "cnml-history" not in content


def test_the_admin_shows_the_same_history(make_campaign, users, client_for):
    campaign = make_campaign(status=CampaignStatus.DRAFT)
    services.campaign_open(campaign=campaign, actor=users[ANIMATEUR])

    content = client_for(users[Role.ADMINISTRATEUR]).get(f"/admin/surveys/campaign/{campaign.pk}/change/")

    assert '<ol class="cnml-history">' in content.content.decode()


def test_the_demo_replays_the_past_history_of_its_campaigns(instruments):
    import io

    from cnml.demo import demo_load_network
    from surveys.demo import EMPLOYER_TITLE, YOUTH_TITLE, demo_load_surveys

    demo_load_network(stdout=io.StringIO())
    demo_load_surveys(stdout=io.StringIO())
    demo_load_surveys(stdout=io.StringIO())  # idempotent: the history is not replayed twice

    youth = Campaign.objects.get(title=YOUTH_TITLE)
    entries = history(youth)
    assert youth.status == CampaignStatus.CLOSED
    assert [(entry.from_label, entry.to_label, entry.comment) for entry in entries] == [
        ("", "Brouillon", ""),
        ("Brouillon", "Ouverte", ""),
        ("Ouverte", "Close", "Clôture automatique à la date prévue."),
    ]
    assert [entry.when for entry in entries] == [
        "15 février 2010 à 10:30",
        "1er mars 2010 à 09:00",
        "1er juillet 2010 à 01:00",
    ]
    assert [entry.to_label for entry in history(Campaign.objects.get(title=EMPLOYER_TITLE))] == ["Brouillon"]
