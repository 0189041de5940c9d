"""Notification e-mails: owed by the write that causes them, sent by a Celery worker.

Apps call :func:`notify` inside their service; the message is rendered then (so it
carries the comment as it was) and recorded in the outbox (``cnml.outbox``) in the
same transaction: a rolled-back transition sends nothing, a committed one sends its
e-mail once, even when the broker or the mail server is down at that moment. Every
e-mail of the project goes through here.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.template.loader import render_to_string

from cnml import outbox
from cnml.tasks import send_email


def notify(*, recipients: Iterable[str], subject: str, template: str, context: dict, quiet: bool = False) -> None:
    """Owe one e-mail to each recipient. ``quiet``: the user is not told when it is delayed
    (when saying so would tell them something, e.g. that an account exists)."""
    recipients = sorted({address for address in recipients if address})
    if not recipients:
        return
    body = render_to_string(template, context)
    outbox.enqueue(send_email, quiet=quiet, subject=subject, body=body, recipients=recipients)
