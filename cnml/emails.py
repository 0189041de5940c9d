"""Notification e-mails, always sent by a Celery worker after the transaction commits.

Apps call :func:`notify` inside their service; the message is rendered then
(so it carries the comment as it was) and handed to the task on commit, so a
rolled-back transition sends nothing.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.template.loader import render_to_string

from cnml.tasks import send_email


def notify(*, recipients: Iterable[str], subject: str, template: str, context: dict) -> None:
    recipients = sorted({address for address in recipients if address})
    if not recipients:
        return
    body = render_to_string(template, context)
    send_email.delay_on_commit(subject=subject, body=body, recipients=recipients)
