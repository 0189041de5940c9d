"""Nothing owed while Redis is down is lost, and it is all done once when Redis and a worker come back.

Run by .ci/run's third phase only (``CNML_OUTAGE=1``, PostgreSQL), in two steps around a restart:

1. ``-m outage_backlog``, Redis stopped: a fiche is submitted, a survey answered and its results
   asked for, a recompute started from the admin, through HTTP. The data is committed for real
   and kept (no test transaction, the test database is not dropped) for the second step.
2. Redis and a fresh worker started (its e-mails written to ``CNML_OUTAGE_MAIL_DIR``);
   ``-m outage_recovery``: every owed work is done, once, even when handed over again.

Elsewhere both skip: they need the stopped, then restarted, Redis and a worker of their own.
"""

from __future__ import annotations

import email
import os
from datetime import date, timedelta
from email import policy
from pathlib import Path

import pytest
from django.apps import apps
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cnml import outbox
from cnml.celery import app as celery_app
from cnml.models import OutboxMessage, Role, StructureKind, WorkerProbe
from cnml.tasks import probe_worker
from tests.outage import OUTAGE, redis_answers, wait_for

REGION_CODE = "991"
ML_CODE = "MLPANNE"
ANIMATOR = "animateur-panne@test.cnml.fr"
FICHE_TITLE = "Une fiche soumise pendant la panne"
OWED_TASKS = [
    "cnml.tasks.send_email",
    "dashboard.tasks.recompute_indicators",
    "surveys.tasks.aggregate_campaign_results",
]


@pytest.fixture
def committed_db(django_db_blocker):
    """The test database, created when missing and never dropped, without a test transaction:
    what is written stays for the next step (.ci/run drops the database at the end)."""
    from django.test.utils import setup_databases

    with django_db_blocker.unblock():
        setup_databases(verbosity=0, interactive=False, keepdb=True, aliases={"default"})
        yield


# --- Step 1: Redis down --------------------------------------------------------------------------


@pytest.mark.outage_backlog
def test_work_owed_while_redis_is_down_is_recorded_and_every_answer_is_normal(
    outage_phase, redis_down, committed_db, settings
):
    from cnml.roles import sync_role_groups
    from dashboard.models import Snapshot
    from practices.models import Status
    from surveys.models import Campaign, CampaignScope, CampaignStatus, Questionnaire, Response
    from surveys.services import campaign_sync_points
    from tests.dashboard.factories import ContactFactory, YoungPersonFactory, make_import
    from tests.factories import ArmlFactory, CnmlFactory, MissionLocaleFactory, RegionFactory, UserFactory
    from tests.practices.factories import make_fiche
    from tests.surveys.conftest import PHARES_POST, load_instruments

    assert not OutboxMessage.objects.exists(), "step 1 starts from a fresh test database"
    settings.SURVEYS_RATE_LIMIT = None
    sync_role_groups()
    region = RegionFactory(code=REGION_CODE, name="Région de la panne")
    ml = MissionLocaleFactory(code=ML_CODE, name="Mission locale de la panne", region=region)
    author = UserFactory(email="conseiller-panne@test.cnml.fr", role=Role.CONSEILLER, structure=ml)
    animator = UserFactory(
        email=ANIMATOR, role=Role.ANIMATEUR_REGIONAL, structure=ArmlFactory(code="ARMLPANNE", region=region)
    )
    reviewer = UserFactory(
        email="relecteur-panne@test.cnml.fr", role=Role.RELECTEUR_CNML, structure=CnmlFactory(code="CNMLPANNE")
    )
    assert ml.kind == StructureKind.ML

    # A fiche submitted: its e-mail to the region's animator is owed.
    fiche = make_fiche(structure=ml, author=author, title=FICHE_TITLE)
    client = Client()
    client.force_login(author)
    response = client.post(f"/bonnes-pratiques/fiche/{fiche.pk}/soumettre/", {"comment": "Pendant la panne."})
    assert response.status_code == 302
    fiche.refresh_from_db()
    assert fiche.status == Status.SOUMISE

    # A young person answers a survey; its results are asked for.
    load_instruments(apps, None)
    questionnaire = Questionnaire.objects.get(code="questions-phares")
    campaign = Campaign.objects.create(
        title="Enquête de la panne",
        questionnaire=questionnaire,
        audience=questionnaire.audience,
        scope=CampaignScope.REGION,
        region=region,
        opens_on=timezone.localdate() - timedelta(days=10),
        closes_on=timezone.localdate() + timedelta(days=10),
        target=10,
        status=CampaignStatus.OPEN,
        access_mode="lien",
    )
    campaign.participants.set([ml])
    campaign_sync_points(campaign=campaign)
    point = campaign.points.get()
    response = Client().post(f"/e/{point.code}/2/", PHARES_POST)
    assert response.status_code == 302
    assert response["Location"] == f"/e/{point.code}/merci/"
    assert Response.objects.filter(campaign=campaign).count() == 1
    animator_client = Client()
    animator_client.force_login(animator)
    response = animator_client.post(f"/enquetes/campagnes/{campaign.pk}/calculer/")
    assert response.status_code == 302

    # A recompute started from the admin, on an import's facts.
    make_import(extracted_on=date(2011, 10, 15))
    ContactFactory(young_person=YoungPersonFactory(structure=ml), contact_on=date(2011, 2, 3))
    reviewer_client = Client()
    reviewer_client.force_login(reviewer)
    response = reviewer_client.post(reverse("admin:dashboard_snapshot_recompute"))
    assert response.status_code == 302
    assert not Snapshot.objects.exists()

    owed = OutboxMessage.objects.order_by("task")
    assert [message.task for message in owed] == OWED_TASKS
    for message in owed:
        assert message.done_at is None
        assert message.dispatched_at is None, "Redis is down: nothing could be handed over"
        assert message.last_error
    campaign.refresh_from_db()
    assert campaign.aggregated_at is None


# --- Step 2: Redis and a fresh worker back -------------------------------------------------------


def sent_emails() -> list[email.message.EmailMessage]:
    folder = Path(os.environ["CNML_OUTAGE_MAIL_DIR"])
    messages = []
    for path in sorted(folder.glob("*.log")):
        for part in path.read_bytes().split(b"\n" + b"-" * 79 + b"\n"):
            if part.strip():
                messages.append(email.message_from_bytes(part.strip(b"\n"), policy=policy.default))
    return messages


def fiche_emails() -> list[email.message.EmailMessage]:
    return [message for message in sent_emails() if message["Subject"].strip() == f"Fiche à relire : {FICHE_TITLE}"]


def worker_idle() -> bool:
    inspector = celery_app.control.inspect(timeout=1.0)
    busy = [inspector.active() or {}, inspector.reserved() or {}]
    return all(not tasks for replies in busy for tasks in replies.values())


@pytest.fixture
def recovered(settings):
    if not OUTAGE:
        pytest.skip("Needs .ci/run's third phase, after Redis and a fresh worker were started again (CNML_OUTAGE=1).")
    assert settings.REDIS_URL and redis_answers(settings.REDIS_URL), "Redis must be back for this step"
    assert os.environ.get("CNML_OUTAGE_MAIL_DIR"), "the worker writes its e-mails to CNML_OUTAGE_MAIL_DIR"
    celery_app.conf.task_always_eager = False  # restored by the celery_eager fixture


@pytest.mark.outage_recovery
def test_work_owed_during_the_outage_is_done_once_when_redis_and_a_worker_are_back(recovered, committed_db, client):
    from dashboard.models import Snapshot, SnapshotStatus
    from surveys.models import Campaign

    owed = OutboxMessage.objects.order_by("task")
    assert [message.task for message in owed] == OWED_TASKS, "step 1 left its owed work in the kept database"

    # The fresh worker handed it all over when it connected: nothing else did.
    assert wait_for(lambda: not OutboxMessage.objects.filter(done_at__isnull=True).exists(), timeout=120), list(
        OutboxMessage.objects.values("task", "attempts", "last_error", "failed_at")
    )
    assert [message.attempts for message in OutboxMessage.objects.all()] == [1, 1, 1]
    assert [message["To"] for message in fiche_emails()] == [ANIMATOR]
    campaign = Campaign.objects.get(title="Enquête de la panne")
    assert campaign.aggregated_responses == 1
    aggregated_at = campaign.aggregated_at
    assert Snapshot.objects.filter(status=SnapshotStatus.COMPUTED).count() == 1

    # Handed over again, as after another Redis restart: nothing is done twice.
    for message in OutboxMessage.objects.all():
        assert outbox.publish(message.pk)
    probe = WorkerProbe.objects.create()
    probe_worker.delay(probe.pk)
    assert wait_for(lambda: WorkerProbe.objects.filter(pk=probe.pk, completed_at__isnull=False).exists(), timeout=60)
    assert wait_for(worker_idle, timeout=30)

    assert [message["To"] for message in fiche_emails()] == [ANIMATOR]
    campaign.refresh_from_db()
    assert campaign.aggregated_at == aggregated_at
    assert Snapshot.objects.count() == 1
    assert [message.attempts for message in OutboxMessage.objects.all()] == [1, 1, 1]

    # And the health page says all is well again.
    response = client.get("/sante/")
    assert response.status_code == 200, response.content
    assert response.json()["travaux_differes"]["en_attente"] == 0
