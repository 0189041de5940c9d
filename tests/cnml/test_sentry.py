"""Error reports to Sentry: nothing personal leaves (cnml/sentry.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from cnml import sentry

EMAIL = "camille.martin@ml-exemple.fr"
RESET_TOKEN = "cq2xyz-8f14e45fceea167a5a36dedd4bea2543"
PHONE = "06 12 34 56 78"
SESSION = "k8s3jd93ndk39dk3nd93kd93nd93kd9e"


def sample_event() -> dict:
    """An event as the SDK builds it for an error in a request, with every place personal data hides."""
    return {
        "level": "error",
        "request": {
            "method": "POST",
            "url": f"https://cnml.example.org/compte/mot-de-passe/reinitialiser/MQ/{RESET_TOKEN}/?next=/x&token=abc",
            "query_string": f"email={EMAIL}&token=0123456789abcdef0123",
            "data": {"nom": "Martin", "prenom": "Camille", "commentaire": "Jeune suivi depuis mars"},
            "cookies": {"sessionid": SESSION, "csrftoken": "t0k3n-0123456789abcdefghij"},
            "headers": {
                "Cookie": f"sessionid={SESSION}",
                "Authorization": "Bearer secret",
                "Referer": f"https://cnml.example.org/?email={EMAIL}",
                "Content-Type": "application/x-www-form-urlencoded",
                "X-Request-ID": "0f" * 16,
            },
            "env": {"REMOTE_ADDR": "203.0.113.9", "SERVER_NAME": "cnml"},
        },
        "user": {"id": "42", "email": EMAIL, "username": EMAIL, "ip_address": "203.0.113.9"},
        "logentry": {"message": "outbox: %s abandoned: %s", "params": ["Camille Martin", EMAIL]},
        "message": f"outbox: Camille Martin abandoned: {EMAIL}",
        "exception": {
            "values": [
                {
                    "type": "SMTPRecipientsRefused",
                    "value": f"{{'{EMAIL}': (550, b'unknown')}} appelé au {PHONE}",
                    "stacktrace": {
                        "frames": [
                            {"function": "send_email", "module": "cnml.tasks", "vars": {"body": "Bonjour Camille"}}
                        ]
                    },
                }
            ]
        },
        "breadcrumbs": {
            "values": [
                {"category": "query", "message": "SELECT … WHERE email = %s", "data": {"db.params": [EMAIL]}},
                {"category": "cnml.emails", "message": f"e-mail dû à {EMAIL}", "data": {"args": ["Camille"]}},
            ]
        },
        "extra": {
            "celery-job": {
                "task_name": "cnml.tasks.send_email",
                "args": [],
                "kwargs": {"recipients": [EMAIL], "body": "Bonjour Camille Martin"},
            },
            "sys.argv": ["manage.py", "createsuperuser", f"--email={EMAIL}"],
        },
    }


@pytest.fixture
def scrubbed() -> dict:
    return sentry.scrub_event(sample_event(), {})


def test_nothing_personal_is_left_anywhere_in_the_event(scrubbed):
    text = json.dumps(scrubbed, ensure_ascii=False)

    for personal in (EMAIL, "Camille", "Martin", PHONE, RESET_TOKEN, SESSION, "203.0.113.9", "Bearer", "mars"):
        assert personal not in text, personal


def test_the_request_keeps_only_its_method_its_path_and_technical_headers(scrubbed):
    assert scrubbed["request"] == {
        "method": "POST",
        "url": "https://cnml.example.org/compte/mot-de-passe/reinitialiser/MQ/[filtré]/",
        "headers": {"Content-Type": "application/x-www-form-urlencoded", "X-Request-ID": "0f" * 16},
    }


def test_a_log_message_keeps_its_template_not_its_arguments(scrubbed):
    assert scrubbed["logentry"] == {
        "message": "outbox: %s abandoned: %s",
        "formatted": "outbox: %s abandoned: %s",
    }
    assert scrubbed["message"] == "outbox: %s abandoned: %s"


def test_free_texts_keep_what_helps_and_lose_addresses_and_numbers(scrubbed):
    exception = scrubbed["exception"]["values"][0]
    assert exception["type"] == "SMTPRecipientsRefused"
    assert exception["value"] == "{'[filtré]': (550, b'unknown')} appelé au [filtré]"
    assert "vars" not in exception["stacktrace"]["frames"][0]
    assert exception["stacktrace"]["frames"][0]["function"] == "send_email"
    assert scrubbed["breadcrumbs"]["values"] == [
        {"category": "query", "message": "SELECT … WHERE email = %s"},
        {"category": "cnml.emails", "message": "e-mail dû à [filtré]"},
    ]


def test_the_user_is_kept_by_id_and_a_task_by_name(scrubbed):
    assert scrubbed["user"] == {"id": "42"}
    assert scrubbed["extra"] == {"celery-job": {"task_name": "cnml.tasks.send_email"}}


def test_an_event_without_request_or_user_passes_untouched_in_its_shape():
    event = sentry.scrub_event({"level": "error", "message": "Base de données injoignable"}, {})

    assert event == {"level": "error", "message": "Base de données injoignable", "extra": {}}


def test_a_malformed_dsn_stops_the_start_naming_the_variable():
    with pytest.raises(ImproperlyConfigured, match="SENTRY_DSN invalide"):
        sentry.init_sentry("pas-une-adresse", environment="test")


# Run in a process of its own: the SDK, once started, patches Django and logging for good.
SDK_SCRIPT = """
import json, logging, django
django.setup()
import sentry_sdk
from sentry_sdk.transport import Transport

sent = []

class Capture(Transport):
    def capture_envelope(self, envelope):
        sent.extend(item.payload.json for item in envelope.items if item.type == "event")

sentry_sdk.get_client().transport = Capture()
try:
    raise ValueError("adresse refusée : camille.martin@ml-exemple.fr")
except ValueError:
    logging.getLogger("cnml.test").exception("échec pour %s", "Camille Martin")
sentry_sdk.flush()
print(json.dumps(sent, ensure_ascii=False))
"""


def test_the_started_sdk_scrubs_what_it_sends():
    result = subprocess.run(
        [sys.executable, "-c", SDK_SCRIPT],
        cwd=settings.BASE_DIR,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "cnml.settings",
            "DEBUG": "true",
            "SENTRY_DSN": "https://0123456789abcdef@sentry.example.org/1",
        },
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stderr
    events = json.loads(result.stdout.strip().splitlines()[-1])
    assert len(events) == 1
    text = json.dumps(events[0], ensure_ascii=False)
    assert "camille" not in text.lower() and "Martin" not in text
    assert events[0]["logentry"]["message"] == "échec pour %s"
    assert events[0]["exception"]["values"][0]["value"] == "adresse refusée : [filtré]"
    assert events[0]["environment"] == "developpement"
