"""Redis down (``redis_down``, tests/outage.py): /sante/ says so with a 503, without leaking the URL."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.outage]


def test_health_answers_503_when_redis_is_down(redis_down, client):
    response = client.get("/sante/")

    assert response.status_code == 503
    report = response.json()
    assert report["statut"] == "degrade"
    assert report["base_de_donnees"]["ok"] is True
    assert report["broker"] == {"ok": False, "configure": True, "detail": "Le broker ne répond pas."}
    assert "redis://" not in response.content.decode()
