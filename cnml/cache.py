"""The cache on Redis, which behaves as an empty cache while Redis is unreachable.

Pages only keep derived data in the cache (rendered charts, counters): when Redis is
down, a read is a miss (the page computes), a write is dropped, a counter starts
again (a rate limit fails open). Settings give it short socket timeouts; after a
failure it does not try Redis again for :data:`RETRY_AFTER_SECONDS`, so a page with
several cache calls waits for one timeout at most, and the log gets one line per
outage rather than one per call.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import MasterDownError, OutOfMemoryError, ReadOnlyError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 5.0
# Redis cannot serve: down, too slow, loading, out of memory, a read-only replica. (Authentication
# errors are ConnectionErrors too: a wrong password also reads as an empty cache, and is logged.)
UNREACHABLE = (RedisConnectionError, RedisTimeoutError, OutOfMemoryError, ReadOnlyError, MasterDownError)

# Per Redis location, shared by the cache objects of every thread of the process.
_down_until: dict[str, float] = {}
_lock = threading.Lock()


class ResilientRedisCache(RedisCache):
    """Django's Redis cache; while Redis is unreachable, every call is answered as a miss."""

    def __init__(self, server, params):
        super().__init__(server, params)
        # Its key in _down_until: the LOCATION setting, as Django hands it to the backend.
        self.location = server if isinstance(server, str) else ",".join(server)

    def _attempt(self, call: Callable[[], Any], fallback: Callable[[], Any]) -> Any:
        location = self.location
        if time.monotonic() < _down_until.get(location, 0.0):
            return fallback()
        try:
            return call()
        except UNREACHABLE as exc:
            with _lock:
                already_down = time.monotonic() < _down_until.get(location, 0.0)
                _down_until[location] = time.monotonic() + RETRY_AFTER_SECONDS
            if not already_down:
                logger.warning("cache: Redis unreachable (%s: %s); served as an empty cache", type(exc).__name__, exc)
            return fallback()

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._attempt(lambda: super(ResilientRedisCache, self).add(key, value, timeout, version), _false)

    def get(self, key, default=None, version=None):
        return self._attempt(lambda: super(ResilientRedisCache, self).get(key, default, version), lambda: default)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        self._attempt(lambda: super(ResilientRedisCache, self).set(key, value, timeout, version), _none)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._attempt(lambda: super(ResilientRedisCache, self).touch(key, timeout, version), _false)

    def delete(self, key, version=None):
        return self._attempt(lambda: super(ResilientRedisCache, self).delete(key, version), _false)

    def get_many(self, keys, version=None):
        return self._attempt(lambda: super(ResilientRedisCache, self).get_many(keys, version), dict)

    def has_key(self, key, version=None):
        return self._attempt(lambda: super(ResilientRedisCache, self).has_key(key, version), _false)

    def incr(self, key, delta=1, version=None):
        # As for a key that is not there: callers already handle that case.
        return self._attempt(lambda: super(ResilientRedisCache, self).incr(key, delta, version), _missing(key))

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._attempt(
            lambda: super(ResilientRedisCache, self).set_many(data, timeout, version), lambda: list(data)
        )

    def delete_many(self, keys, version=None):
        self._attempt(lambda: super(ResilientRedisCache, self).delete_many(keys, version), _none)

    def clear(self):
        return self._attempt(lambda: super(ResilientRedisCache, self).clear(), _false)


def _false() -> bool:
    return False


def _none() -> None:
    return None


def _missing(key) -> Callable[[], Any]:
    def raise_missing():
        raise ValueError(f"Key '{key}' not found.")

    return raise_missing
