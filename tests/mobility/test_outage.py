"""Redis down (``redis_down``, tests/outage.py): an application is submitted and decided as usual, its
e-mails are owed, not lost (an alternance call's, on the same mechanism as mobility's)."""

from __future__ import annotations

import pytest
from django.core import mail

from cnml.models import Role
from mobility import services
from mobility.models import ApplicationStatus, Project
from tests.mobility.factories import AlternanceCallFactory, make_alternance_application
from tests.outage import delayed_notice, owed
from tests.pages import page_text

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.outage]

DELAYED = delayed_notice("l'envoi des e-mails")


def test_an_application_submitted_then_selected_while_redis_is_down_owes_its_emails(
    redis_down, client_for, users, carrier_a1
):
    call = AlternanceCallFactory()
    application = make_alternance_application(call=call, user=users[Role.CONSEILLER], carrier=carrier_a1)
    author = client_for(users[Role.CONSEILLER])

    response = author.post(f"/mobilite/candidatures/{application.pk}/deposer/")

    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == ApplicationStatus.DEPOSEE
    assert owed("cnml.tasks.send_email")
    assert DELAYED in page_text(author.get(response["Location"]))

    reviewer = users[Role.RELECTEUR_CNML]
    scores = {criterion.pk: 4 for criterion in call.criteria.all()}
    services.review_save(application=application, reviewer=reviewer, scores=scores, comment="")
    before = len(owed("cnml.tasks.send_email"))
    response = client_for(reviewer).post(
        f"/mobilite/candidatures/{application.pk}/decider/", {"decision": "retenir", "comment": "Bravo."}
    )

    assert response.status_code == 302
    assert Project.objects.filter(application=application).exists()
    assert len(owed("cnml.tasks.send_email")) > before
    assert mail.outbox == []
