"""Production settings: refused when unsafe, clean under ``check --deploy``; security headers.

A setting that refuses to start (or a value read) is checked in this process, on a fresh copy of
``cnml/settings.py`` (``start_settings``, ``settings_loaded``): a new Python process costs 1.5 to 2 s of
CPU, and what refuses is the settings module itself. Each module of settings tests keeps a real start in a
process of its own (``check_deploy``: ``manage.py check --deploy``) for what only Django's start shows.
"""

from __future__ import annotations

import base64
import hashlib
import importlib.util
import os
import re
import secrets
import string
import subprocess
import sys
import traceback
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from unittest import mock

import pytest
from django.conf import settings

BASE_DIR = Path(settings.BASE_DIR)
PROD_HOST = "cnml.example.org"
SECRET_KEY_MESSAGE = "SECRET_KEY manquante ou non sûre : en production (DEBUG=false)"
PROD_REDIS_URL = "redis://127.0.0.1:6379/0"
REDIS_URL_MESSAGE = "REDIS_URL manquante : en production (DEBUG=false), les e-mails et les calculs passent par Redis"


def random_secret_key(length: int = 60) -> str:
    alphabet = string.ascii_letters + string.digits + "!#%&()*+-./:<=>?@[]^_{|}~"
    return "".join(secrets.choice(alphabet) for _ in range(length))


def dev_secret_key() -> str:
    """The development key shipped in .env.example."""
    for line in (BASE_DIR / ".env.example").read_text(encoding="utf-8").splitlines():
        if line.startswith("SECRET_KEY="):
            return line.split("=", 1)[1]
    raise AssertionError(".env.example has no SECRET_KEY")


def production_environment(**variables: str) -> dict[str, str]:
    """The environment of a production process: this run's, less its test and worker flags, with
    ``variables`` over it. Variables given here override .env (read by the settings for absent ones
    only): pass ``NAME=""`` to test a missing value."""
    env = dict(os.environ)
    # A production process: no test or worker flags inherited from this run.
    for name in (
        "REDIS_URL",
        "SECURE_SSL_REDIRECT",
        "SECURE_HSTS_SECONDS",
        "SECURE_PROXY_SSL_HEADER",
        "DJANGO_ALLOW_ASYNC_UNSAFE",  # set by the browser tests' conftest
        "TASKS_IN_PROCESS",
    ):
        env.pop(name, None)
    env["SITE_URL"] = f"https://{PROD_HOST}"
    # Production runs with Redis (nothing connects to it during the checks).
    env["REDIS_URL"] = PROD_REDIS_URL
    env.update(variables)
    return env


def check_deploy(**variables: str) -> subprocess.CompletedProcess:
    """Run ``manage.py check --deploy`` in a fresh process, with ``production_environment(**variables)``."""
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE_DIR,
        env=production_environment(**variables),
        capture_output=True,
        text=True,
        timeout=120,
    )


@dataclass
class Started:
    """What loading the settings gave, told as a process would: ``returncode`` 1 and the traceback in
    ``stderr`` when they refused to load; the settings module when they loaded."""

    returncode: int
    stderr: str
    settings: ModuleType | None


def settings_loaded(environment: dict[str, str]) -> Started:
    """``cnml/settings.py`` run afresh in this process with exactly ``environment`` (``os.environ`` is
    restored after), as a new process would import it; the settings of this run are left untouched.

    Not for settings that start Sentry (a valid ``SENTRY_DSN``): the SDK would stay started in this
    process; a start that goes that far is checked by ``check_deploy``."""
    spec = importlib.util.spec_from_file_location("cnml_settings_under_test", BASE_DIR / "cnml" / "settings.py")
    module = importlib.util.module_from_spec(spec)
    with mock.patch.dict(os.environ, environment, clear=True):
        try:
            spec.loader.exec_module(module)
        except Exception as exc:  # what would stop the process, with the traceback it would print
            return Started(1, "".join(traceback.format_exception(exc)), None)
    return Started(0, "", module)


def start_settings(**variables: str) -> Started:
    """The settings loaded with ``check_deploy``'s environment, in this process: how a production start
    with these variables refuses (or not), at a fraction of a process's cost."""
    return settings_loaded(production_environment(**variables))


def test_production_refuses_a_site_url_that_is_not_https():
    result = start_settings(
        DEBUG="false", SECRET_KEY=random_secret_key(), ALLOWED_HOSTS=PROD_HOST, SITE_URL="http://127.0.0.1:8000"
    )
    assert result.returncode != 0
    assert "SITE_URL doit être l'adresse https:// du service" in result.stderr


def test_dev_key_of_env_example_starts_with_the_insecure_prefix():
    assert dev_secret_key().startswith("django-insecure-")


def test_production_refuses_to_start_without_redis():
    result = start_settings(DEBUG="false", SECRET_KEY=random_secret_key(), ALLOWED_HOSTS=PROD_HOST, REDIS_URL="")

    assert result.returncode != 0
    assert REDIS_URL_MESSAGE in result.stderr


def test_production_without_redis_runs_tasks_in_process_only_when_told_explicitly():
    result = check_deploy(
        DEBUG="false", SECRET_KEY=random_secret_key(), ALLOWED_HOSTS=PROD_HOST, REDIS_URL="", TASKS_IN_PROCESS="true"
    )

    assert result.returncode == 0, result.stderr


def celery_settings(**variables: str) -> dict:
    """The Celery and cache settings as a process with these variables reads them."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "cnml.settings", **variables}
    started = settings_loaded(env)
    assert started.returncode == 0, started.stderr
    s = started.settings
    return {
        "eager": s.CELERY_TASK_ALWAYS_EAGER,
        "broker": s.CELERY_BROKER_URL,
        "results": s.CELERY_RESULT_BACKEND,
        "publish": s.CELERY_TASK_PUBLISH_RETRY_POLICY,
        "transport": s.CELERY_BROKER_TRANSPORT_OPTIONS,
        "cache": s.CACHES["default"]["BACKEND"],
    }


def test_the_embedded_default_runs_tasks_in_process_with_a_memory_cache():
    read = celery_settings(DEBUG="true", REDIS_URL="")

    assert read["eager"] is True
    assert read["broker"] == "memory://"
    assert read["cache"] == "django.core.cache.backends.locmem.LocMemCache"


def test_with_redis_a_publish_gives_up_fast_and_no_result_backend_waits_on_redis():
    read = celery_settings(DEBUG="true", REDIS_URL=PROD_REDIS_URL)

    assert read["eager"] is False
    assert read["broker"] == PROD_REDIS_URL
    assert read["results"] is None
    assert read["publish"]["max_retries"] <= 1
    assert read["transport"]["socket_connect_timeout"] <= 2
    assert read["cache"] == "cnml.cache.ResilientRedisCache"


def test_production_settings_pass_check_deploy_without_any_issue():
    result = check_deploy(DEBUG="false", SECRET_KEY=random_secret_key(), ALLOWED_HOSTS=PROD_HOST)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
    assert "WARNING" not in result.stderr
    assert "security." not in result.stdout + result.stderr


@pytest.mark.parametrize(
    ("case", "secret_key"),
    [
        ("clé absente", ""),
        ("clé de développement de .env.example", "dev"),
        ("clé trop courte", "x" * 49),
    ],
)
def test_production_refuses_to_start_with_an_unsafe_secret_key(case, secret_key):
    secret_key = dev_secret_key() if secret_key == "dev" else secret_key

    result = start_settings(DEBUG="false", SECRET_KEY=secret_key, ALLOWED_HOSTS=PROD_HOST)

    assert result.returncode != 0, case
    assert "ImproperlyConfigured" in result.stderr
    assert SECRET_KEY_MESSAGE in result.stderr
    assert "« django-insecure- »" in result.stderr
    if secret_key:
        # The message never repeats the key itself.
        assert secret_key not in result.stderr


def test_production_refuses_to_start_without_allowed_hosts():
    result = start_settings(DEBUG="false", SECRET_KEY=random_secret_key(), ALLOWED_HOSTS="")

    assert result.returncode != 0
    assert "ALLOWED_HOSTS doit être défini en production (DEBUG=false)." in result.stderr


@pytest.mark.parametrize("name", ["DEBUG", "AXES_ENABLED", "SECURE_SSL_REDIRECT"])
def test_a_boolean_variable_with_an_unknown_word_is_refused_not_read_as_false(name):
    variables = {"DEBUG": "false", "SECRET_KEY": random_secret_key(), "ALLOWED_HOSTS": PROD_HOST, name: "activé"}

    result = start_settings(**variables)

    assert result.returncode != 0
    assert f"Variable d'environnement {name} invalide : « activé » n'est pas un booléen" in result.stderr


def test_production_passes_with_boolean_words_in_any_case():
    result = start_settings(
        DEBUG=" False ", SECRET_KEY=random_secret_key(), ALLOWED_HOSTS=PROD_HOST, AXES_ENABLED="OUI"
    )

    assert result.returncode == 0, result.stderr
    assert result.settings.DEBUG is False
    assert result.settings.AXES_ENABLED is True


def test_production_refuses_to_start_with_a_trusted_proxy_that_is_not_an_address():
    result = start_settings(
        DEBUG="false", SECRET_KEY=random_secret_key(), ALLOWED_HOSTS=PROD_HOST, TRUSTED_PROXIES="10.0.0.1, proxy.local"
    )

    assert result.returncode != 0
    assert (
        "Variable d'environnement TRUSTED_PROXIES invalide : « proxy.local » n'est ni une adresse IP ni un réseau"
        in result.stderr
    )


def test_trusted_proxies_are_read_as_a_list_of_addresses_and_networks():
    started = settings_loaded(
        {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "cnml.settings",
            "DEBUG": "true",
            "TRUSTED_PROXIES": " 10.0.0.1 , 172.18.0.0/16,::1",
        }
    )

    assert started.returncode == 0, started.stderr
    assert started.settings.TRUSTED_PROXIES == ["10.0.0.1", "172.18.0.0/16", "::1"]


def test_development_settings_start_with_the_dev_key():
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=BASE_DIR,
        env={**os.environ, "DEBUG": "true", "SECRET_KEY": dev_secret_key()},
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


# --- Security headers of a page ------------------------------------------------------------


@pytest.fixture
def home_response(client, db):
    response = client.get("/")
    assert response.status_code == 200
    return response


def csp_directives(response) -> dict[str, list[str]]:
    directives = {}
    for part in response["Content-Security-Policy"].split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


def test_pages_send_a_content_security_policy_with_a_script_nonce(home_response):
    directives = csp_directives(home_response)

    nonces = [value for value in directives["script-src"] if value.startswith("'nonce-")]
    assert len(nonces) == 1
    assert "'self'" in directives["script-src"]
    assert "'unsafe-inline'" not in directives["script-src"]
    assert "'unsafe-eval'" not in directives["script-src"]
    assert directives["default-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["base-uri"] == ["'self'"]
    assert directives["form-action"] == ["'self'"]
    # Every script tag of the page carries that nonce.
    nonce = nonces[0].removeprefix("'nonce-").removesuffix("'")
    scripts = re.findall(r"<script\b[^>]*>", home_response.content.decode())
    assert scripts
    for tag in scripts:
        assert f'nonce="{nonce}"' in tag, tag


def test_the_only_inline_handlers_allowed_are_those_of_the_import_export_pages(home_response):
    import import_export

    templates = Path(import_export.__file__).parent / "templates"
    handlers = {
        handler
        for template in templates.rglob("*.html")
        for handler in re.findall(r'\son[a-z]+="([^"]*)"', template.read_text(encoding="utf-8"))
    }
    hashes = {f"'sha256-{base64.b64encode(hashlib.sha256(h.encode()).digest()).decode()}'" for h in handlers}

    script_src = csp_directives(home_response)["script-src"]
    assert handlers == {"onSelectToggleChange(event)"}  # a new one in an upgrade: allow it here, knowingly
    assert {value for value in script_src if value.startswith("'sha256-")} == hashes
    assert "'unsafe-hashes'" in script_src


def test_the_script_nonce_changes_with_every_response(client, db):
    first = csp_directives(client.get("/"))["script-src"]
    second = csp_directives(client.get("/"))["script-src"]

    assert first != second


def test_pages_forbid_framing_and_sniffing(home_response):
    assert home_response["X-Frame-Options"] == "DENY"
    assert home_response["X-Content-Type-Options"] == "nosniff"
    assert home_response["Referrer-Policy"] == "same-origin"
    assert home_response["Cross-Origin-Opener-Policy"] == "same-origin"


def test_session_and_csrf_cookies_are_http_only(client, users):
    response = client.post("/compte/connexion/", {"username": users["conseiller"].email, "password": "demo-cnml-2011"})

    assert response.status_code == 302
    session_cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert session_cookie["httponly"]
    assert session_cookie["samesite"] == "Lax"
    assert settings.CSRF_COOKIE_HTTPONLY
