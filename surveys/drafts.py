"""What a respondent typed, kept in the session between screens until sent or abandoned.

One entry per link (``surveys:<code>``): the raw values and when the last screen was
sent. Past the survey's time-out without a screen sent — ``SURVEYS_DRAFT_TIMEOUT``
(settings, optional, a ``timedelta``; 2 hours by default) — the answers are abandoned:
on a shared computer of a mission locale, the next young person must not find them.

- They are dropped when next read, with every other abandoned entry of the session.
- An anonymous respondent's session expires at that same time-out (counted from the
  last screen sent), so the core's scheduled clean-up of expired sessions
  (``cnml.tasks.purge_expired``, every hour) deletes it with the answers it held.
- A signed-in user's session keeps its own length (``SESSION_COOKIE_AGE``): their
  abandoned answers are never shown again and leave with that session.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone

PREFIX = "surveys:"
DEFAULT_TIMEOUT = timedelta(hours=2)


def timeout() -> timedelta:
    return getattr(settings, "SURVEYS_DRAFT_TIMEOUT", DEFAULT_TIMEOUT)


def key_for(code: str) -> str:
    return f"{PREFIX}{code}"


def _abandoned(entry: object, now: float) -> bool:
    # An entry without its time (written before the time-out existed) counts as abandoned.
    if not isinstance(entry, dict) or not isinstance(entry.get("saved_at"), int | float):
        return True
    return now - entry["saved_at"] > timeout().total_seconds()


def read(request: HttpRequest, key: str) -> dict:
    """The raw values kept for ``key``: {} when none were kept, or they were abandoned."""
    session = request.session
    now = timezone.now().timestamp()
    # Sessions without a cookie are empty: reading them costs no query.
    for name in [name for name in session.keys() if name.startswith(PREFIX)]:  # noqa: SIM118 (not a dict)
        if _abandoned(session[name], now):
            del session[name]
    entry = session.get(key)
    return dict(entry["raw"]) if entry else {}


def keep(request: HttpRequest, key: str, raw: dict) -> None:
    request.session[key] = {"saved_at": timezone.now().timestamp(), "raw": raw}
    if not request.user.is_authenticated:
        # The session holds nothing else worth keeping longer: it ends with the answers.
        request.session.set_expiry(int(timeout().total_seconds()))


def drop(request: HttpRequest, key: str) -> None:
    # pop() marks the session modified only when the key was there: no write otherwise.
    request.session.pop(key, None)
