"""Rate limit of the open survey links, per client, in the cache.

The client is its address as the core decides it (``cnml.clientip.client_ip``:
behind the reverse proxy, the client's own address, not the proxy's), the same
decision as the log-in lockout's. It is known by a keyed hash (HMAC with the
secret key) of that address and the campaign: the address itself is never
stored, not even in the cache, and the hash cannot be reversed without the key.
Entries expire with their window. With several processes, the limit is shared
when the cache is (Redis in production, ``REDIS_URL``); the in-memory cache
counts per process.

``SURVEYS_RATE_LIMIT`` (settings, optional): ``(answers, seconds)``, default 30
answers per hour from one address for one campaign — a mission locale's
shared Wi-Fi may send many young people through one address. ``None`` turns it
off (load tests).
"""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

from cnml.clientip import client_ip

DEFAULT_LIMIT = (30, 3600)


def limit() -> tuple[int, int] | None:
    return getattr(settings, "SURVEYS_RATE_LIMIT", DEFAULT_LIMIT)


def client_key(request: HttpRequest, campaign_id: int) -> str:
    address = client_ip(request)
    digest = hmac.new(settings.SECRET_KEY.encode(), f"{address}|{campaign_id}".encode(), hashlib.sha256)
    return f"surveys:rate:{digest.hexdigest()[:40]}"


def allow_submission(request: HttpRequest, campaign_id: int) -> bool:
    """Count one submission for this client; False once over the limit."""
    current = limit()
    if not current:
        return True
    allowed, window = current
    key = client_key(request, campaign_id)
    cache.add(key, 0, window)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, window)
        count = 1
    return count <= allowed
