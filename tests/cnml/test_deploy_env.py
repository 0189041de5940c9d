"""deploy/make_env.py: the production environment file, written from .env.example, starts production settings."""

from __future__ import annotations

import json
import subprocess
import sys

from django.conf import settings

MAKE_ENV = settings.BASE_DIR / "deploy" / "make_env.py"
EXAMPLE = settings.BASE_DIR / ".env.example"
REQUIRED = [
    "--site-url",
    "https://cnml.example.org",
    "--database-url",
    "postgres://cnml:secret@127.0.0.1:5432/cnml",
    "--redis-url",
    "redis://127.0.0.1:6379/0",
    "--email-url",
    "smtp+tls://compte:secret@smtp.example.org:587",
]


def make_env(*extra: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(MAKE_ENV), *REQUIRED, *extra], capture_output=True, text=True, check=False
    )


def assignments(text: str) -> dict[str, str]:
    values = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            name, _, value = line.partition("=")
            assert name not in values, f"{name} written twice"
            values[name] = value
    return values


def production_settings(environment: dict[str, str]) -> dict:
    """Settings read by a fresh process with only ``environment`` set (as systemd's EnvironmentFile)."""
    script = (
        "import json, django; from django.conf import settings as s; django.setup(); "
        "print(json.dumps({'DEBUG': s.DEBUG, 'SECRET_KEY': s.SECRET_KEY, 'ALLOWED_HOSTS': s.ALLOWED_HOSTS, "
        "'SITE_URL': s.SITE_URL, 'TRUSTED_PROXIES': s.TRUSTED_PROXIES, "
        "'SECURE_PROXY_SSL_HEADER': getattr(s, 'SECURE_PROXY_SSL_HEADER', None), "
        "'PRIVATE_MEDIA_ROOT': str(s.PRIVATE_MEDIA_ROOT), 'eager': s.CELERY_TASK_ALWAYS_EAGER}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        env={"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "cnml.settings", **environment},
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_the_written_file_starts_the_production_settings_behind_nginx():
    written = make_env("--data-dir", "/var/lib/cnml")
    assert written.returncode == 0, written.stderr

    loaded = production_settings(assignments(written.stdout))

    assert loaded["DEBUG"] is False
    assert len(loaded["SECRET_KEY"]) >= 50
    assert loaded["ALLOWED_HOSTS"] == ["cnml.example.org"]
    assert loaded["SITE_URL"] == "https://cnml.example.org"
    assert loaded["TRUSTED_PROXIES"] == ["127.0.0.1"]
    assert loaded["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert loaded["PRIVATE_MEDIA_ROOT"] == "/var/lib/cnml/private-media"
    assert loaded["eager"] is False  # tasks go to the worker through Redis


def test_every_variable_of_env_example_is_kept_with_its_comments():
    written = make_env().stdout
    example = EXAMPLE.read_text(encoding="utf-8").splitlines()[1:]

    for line in example:
        if line.startswith("#") and "=" not in line:  # the explanations
            assert line in written.splitlines()
    names = {line.lstrip("# ").partition("=")[0] for line in example if "=" in line}
    for name in names:
        assert f"{name}=" in written, name


def test_each_run_generates_a_new_secret_unless_one_is_kept():
    first = assignments(make_env().stdout)["SECRET_KEY"]
    second = assignments(make_env().stdout)["SECRET_KEY"]
    kept = assignments(make_env("--secret-key", first).stdout)["SECRET_KEY"]

    assert first != second
    assert kept == first


def test_a_site_address_without_https_is_refused_in_french():
    refused = subprocess.run(
        [sys.executable, str(MAKE_ENV), *REQUIRED[:1], "http://cnml.example.org", *REQUIRED[2:]],
        capture_output=True,
        text=True,
        check=False,
    )

    assert refused.returncode != 0
    assert "l'adresse https:// du service est attendue" in refused.stderr
    assert refused.stdout == ""


def test_other_variables_are_set_with_set_and_a_bad_one_is_refused():
    extra = assignments(make_env("--set", "EXTRACT_MAX_ARCHIVE_MB=800").stdout)
    refused = make_env("--set", "pas une variable")

    assert extra["EXTRACT_MAX_ARCHIVE_MB"] == "800"
    assert refused.returncode != 0 and "NOM=valeur attendu" in refused.stderr
