"""Logs, error reports and metrics settings: JSON lines in production, bad values refused by name."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from tests.cnml.test_settings import (
    BASE_DIR,
    PROD_HOST,
    PROD_REDIS_URL,
    check_deploy,
    random_secret_key,
    start_settings,
)

LOG_SCRIPT = """
import logging, django
django.setup()
logging.getLogger("cnml.essai").warning("bonjour %s", "le journal")
"""


def production(**variables: str) -> dict[str, str]:
    return {"DEBUG": "false", "SECRET_KEY": random_secret_key(), "ALLOWED_HOSTS": PROD_HOST, **variables}


def log_lines(**variables: str) -> list[str]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "cnml.settings",
        "SITE_URL": f"https://{PROD_HOST}",
        "REDIS_URL": PROD_REDIS_URL,
        **variables,
    }
    if "LOG_FORMAT" not in variables:  # the default of the profile, whatever this run's environment says
        env.pop("LOG_FORMAT", None)
    result = subprocess.run(
        [sys.executable, "-c", LOG_SCRIPT], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return result.stderr.strip().splitlines()


def test_production_logs_one_json_object_a_line():
    line = json.loads(log_lines(**production())[-1])

    assert line["message"] == "bonjour le journal"
    assert line["level"] == "WARNING"
    assert line["logger"] == "cnml.essai"
    assert line["request_id"] == "-"
    assert line["timestamp"].startswith("20")


def test_development_logs_readable_text_and_either_can_be_chosen():
    text = log_lines(DEBUG="true")[-1]
    chosen = log_lines(**production(LOG_FORMAT="text"))[-1]

    assert text.endswith("WARNING [-] cnml.essai bonjour le journal")
    assert chosen.endswith("WARNING [-] cnml.essai bonjour le journal")


def test_an_unknown_log_format_stops_the_start():
    result = start_settings(**production(LOG_FORMAT="xml"))

    assert result.returncode != 0
    assert "Variable d'environnement LOG_FORMAT invalide : « xml » (attendu : json ou text)." in result.stderr


def test_a_malformed_sentry_dsn_stops_the_start():
    result = start_settings(**production(SENTRY_DSN="sentry.example.org"))

    assert result.returncode != 0
    assert "Variable d'environnement SENTRY_DSN invalide" in result.stderr


def test_production_passes_its_checks_with_sentry_and_metrics_configured():
    result = check_deploy(
        **production(SENTRY_DSN="https://0123456789abcdef@sentry.example.org/1", METRICS_ALLOWED_IPS="10.0.0.5")
    )

    assert result.returncode == 0, result.stderr


def test_a_metrics_address_that_is_not_one_stops_the_start():
    result = start_settings(**production(METRICS_ALLOWED_IPS="10.0.0.5, supervision.local"))

    assert result.returncode != 0
    assert "Variable d'environnement METRICS_ALLOWED_IPS invalide : « supervision.local »" in result.stderr
