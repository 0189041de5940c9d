"""How django-axes names the account behind a log-in attempt.

Axes reads ``USERNAME_FIELD`` ("email") from the credentials by default, but
Django's login form authenticates with ``username=...``: axes then saw no
account at all and the lock-out never applied to the account. The e-mail is
also lowered, as log-in is case-insensitive: "Camille@X.fr" and "camille@x.fr"
count as the same account.
"""

from __future__ import annotations

from django.http import HttpRequest


def axes_username(request: HttpRequest | None, credentials: dict | None = None) -> str | None:
    username = None
    if credentials:
        username = credentials.get("username") or credentials.get("email")
    if not username and request is not None:
        data = getattr(request, "data", None) or getattr(request, "POST", {})
        username = data.get("username") or data.get("email")
    if not username:
        return None
    return str(username).strip().lower()
