"""Password-reset throttle: per client address and per account, counted in the database.

Django's reset view sends one e-mail per request: twenty requests in a row sent twenty
e-mails to one person, and one address could probe as many e-mail addresses as it liked.
Now at most ``PASSWORD_RESET_EMAILS_PER_ACCOUNT`` e-mails go to one account and at most
``PASSWORD_RESET_REQUESTS_PER_ADDRESS`` requests are taken from one client address
(``cnml.clientip``) per ``PASSWORD_RESET_THROTTLE_WINDOW``. Beyond, the page answers
exactly as usual — it never tells whether an account exists — nothing is sent, and the
refusal is logged.

Counted in the database, not the cache: the cache fails open when Redis is down (a
miss, no error), which would lift the throttle exactly when the e-mails wait to be sent
all at once. Reset requests are rare; each costs two indexed counts and one row, and
rows past the window are deleted on schedule (``cnml.tasks.purge_expired``). A request
refused for its address leaves no row, so a flood cannot grow the table.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from collections.abc import Iterable

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from cnml.models import PasswordResetRequest, User

logger = logging.getLogger(__name__)


def address_key(address: str) -> str:
    """A keyed hash of the client address: the address itself is never stored."""
    return hmac.new(settings.SECRET_KEY.encode(), f"password-reset|{address}".encode(), hashlib.sha256).hexdigest()


def password_reset_admit(*, users: Iterable[User], address: str) -> list[User]:
    """Record one reset request from ``address``; the accounts among ``users`` to e-mail now."""
    users = list(users)
    now = timezone.now()
    since = now - settings.PASSWORD_RESET_THROTTLE_WINDOW
    key = address_key(address)
    with transaction.atomic():
        # One request at a time per account: two at once cannot both take its last e-mail.
        list(User.objects.select_for_update().filter(pk__in=[user.pk for user in users]).values_list("pk"))
        from_address = PasswordResetRequest.objects.filter(address_key=key, requested_at__gte=since).count()
        if from_address >= settings.PASSWORD_RESET_REQUESTS_PER_ADDRESS:
            logger.warning(
                "password reset throttled: address %s made %s requests within the window", address, from_address
            )
            return []
        if not users:
            PasswordResetRequest.objects.create(address_key=key, requested_at=now)
            return []
        admitted = []
        for user in users:
            sent = PasswordResetRequest.objects.filter(user=user, sent=True, requested_at__gte=since).count()
            allowed = sent < settings.PASSWORD_RESET_EMAILS_PER_ACCOUNT
            PasswordResetRequest.objects.create(address_key=key, user=user, sent=allowed, requested_at=now)
            if allowed:
                admitted.append(user)
            else:
                logger.warning(
                    "password reset throttled: account %s was sent %s e-mails within the window", user.pk, sent
                )
    return admitted


def purge_expired_requests() -> int:
    """Delete the requests past the throttle's window; how many."""
    since = timezone.now() - settings.PASSWORD_RESET_THROTTLE_WINDOW
    deleted, _ = PasswordResetRequest.objects.filter(requested_at__lt=since).delete()
    return deleted
