"""The cache on Redis (cnml/cache.py) answers as an empty cache while Redis is down, and comes back with it."""

from __future__ import annotations

import shutil
import subprocess
import time

import pytest
from django.core.cache import cache
from django.test import RequestFactory

from cnml import cache as resilient
from cnml.settings import redis_cache
from tests.outage import closed_port, redis_answers


@pytest.fixture
def cache_on(settings):
    """``cache_on(url)``: the default cache, as production configures it, on the Redis at ``url``."""
    resilient._down_until.clear()

    def point(url: str) -> None:
        settings.CACHES = {"default": redis_cache(url)}

    yield point
    resilient._down_until.clear()


def redis_server(port: int) -> subprocess.Popen:
    process = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while not redis_answers(f"redis://127.0.0.1:{port}/0"):
        assert time.monotonic() < deadline, "redis-server did not start"
        time.sleep(0.05)
    return process


@pytest.fixture
def own_redis():
    """A Redis of this test's own, on a free port, that the test may stop and start again."""
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed")
    port = closed_port()
    servers = []

    class Server:
        url = f"redis://127.0.0.1:{port}/0"

        def start(self) -> None:
            servers.append(redis_server(port))

        def stop(self) -> None:
            servers[-1].terminate()
            servers[-1].wait(timeout=10)

    server = Server()
    server.start()
    yield server
    for process in servers:
        if process.poll() is None:
            process.terminate()
            process.wait(timeout=10)


def test_production_caches_on_redis_with_short_timeouts():
    config = redis_cache("redis://127.0.0.1:6379/0")

    assert config["BACKEND"] == "cnml.cache.ResilientRedisCache"
    assert config["OPTIONS"] == {"socket_connect_timeout": 1, "socket_timeout": 1}


def test_every_call_is_a_miss_and_never_an_error_while_redis_is_down(cache_on):
    cache_on(f"redis://127.0.0.1:{closed_port()}/0")

    cache.set("cle", "valeur", 60)
    assert cache.get("cle") is None
    assert cache.get("cle", "défaut") == "défaut"
    assert cache.add("cle", 1, 60) is False
    assert cache.get_or_set("cle", lambda: "calculé", 60) == "calculé"
    assert cache.get_many(["cle", "autre"]) == {}
    assert cache.has_key("cle") is False
    assert cache.touch("cle", 60) is False
    assert cache.delete("cle") is False
    assert cache.set_many({"a": 1, "b": 2}, 60) == ["a", "b"]
    cache.delete_many(["a", "b"])
    cache.clear()
    with pytest.raises(ValueError):  # as for a key that is not there
        cache.incr("compteur")


def test_an_outage_is_logged_once_not_at_every_call(cache_on, caplog):
    cache_on(f"redis://127.0.0.1:{closed_port()}/0")

    for _ in range(20):
        cache.get("cle")

    warnings = [record for record in caplog.records if record.name == "cnml.cache"]
    assert len(warnings) == 1
    assert warnings[0].levelname == "WARNING"


def test_the_cache_works_stops_and_comes_back_with_redis(cache_on, own_redis, monkeypatch):
    cache_on(own_redis.url)
    cache.set("cle", "valeur", 60)
    assert cache.get("cle") == "valeur"

    own_redis.stop()
    assert cache.get("cle") is None

    own_redis.start()  # empty: it keeps nothing on disk
    assert cache.get("autre") is None  # not tried yet: it was down a moment ago
    monkeypatch.setattr(resilient, "RETRY_AFTER_SECONDS", 0)
    resilient._down_until.clear()
    cache.set("cle", "de nouveau", 60)
    assert cache.get("cle") == "de nouveau"


def test_the_survey_rate_limit_fails_open_while_redis_is_down(cache_on, settings):
    from surveys import ratelimit

    settings.SURVEYS_RATE_LIMIT = (3, 3600)
    cache_on(f"redis://127.0.0.1:{closed_port()}/0")
    request = RequestFactory().post("/e/ABCDEF/2/", REMOTE_ADDR="203.0.113.5")

    # The answers are stored rather than lost; the limit holds again once Redis is back.
    assert all(ratelimit.allow_submission(request, 1) for _ in range(10))


def test_a_redis_out_of_memory_reads_as_an_empty_cache(cache_on, own_redis):
    import redis

    cache_on(own_redis.url)
    redis.Redis.from_url(own_redis.url).config_set("maxmemory", "1")  # every write refused: OOM

    cache.set("cle", "valeur", 60)

    assert cache.get("cle") is None
    assert cache.add("autre", 1, 60) is False
