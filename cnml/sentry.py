"""Error reports to Sentry (``SENTRY_DSN``), with personal data scrubbed before anything leaves.

The SDK sends no personal data of its own (``send_default_pii=False``: no user, no address, no
cookies) and neither the local variables of the stack frames nor request bodies. What could
still carry a person's data is removed or masked by :func:`scrub_event`, run on every event:

- the request keeps its method, its address without the query string (tokens) and with long
  identifiers masked (a password-reset link's token), and a few technical headers: no body, no
  cookies, no query string, no environment;
- a log record's arguments are dropped: the event keeps the message's template
  (``"outbox: %s abandoned after %s run(s): %s"``), never a name or an e-mail put into it;
- free texts (exception values, messages, breadcrumbs) have their e-mail addresses, phone
  numbers and long tokens masked; breadcrumbs lose their data (SQL parameters, log arguments);
- a task's arguments (an e-mail's recipients and text) are dropped, its name kept;
- the user is kept by id only.

Names typed by users cannot be recognised in free text: the project's own messages never put
them there (they name objects by id), and the arguments that could are dropped above.
"""

from __future__ import annotations

import re
from typing import Any

import sentry_sdk
from django.core.exceptions import ImproperlyConfigured
from sentry_sdk.integrations.celery import CeleryIntegration
from sentry_sdk.integrations.django import DjangoIntegration
from sentry_sdk.utils import BadDsn, Dsn

FILTERED = "[filtré]"
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# French numbers, spaced, dotted or not (06 12 34 56 78, +33 6 12 34 56 78).
PHONE = re.compile(r"(?:\+33\s?|\b0)[1-9](?:[\s.-]?\d{2}){4}\b")
# Reset tokens, session keys, survey codes: a long run of letters, digits, - and _ with a digit in it.
TOKEN = re.compile(r"\b(?=[\w-]*\d)[\w-]{20,}\b")
SAFE_HEADERS = {"accept", "accept-language", "content-type", "content-length", "host", "x-request-id"}


def scrub_text(text: Any) -> Any:
    """E-mail addresses, phone numbers and long tokens of a text masked (anything else unchanged)."""
    if not isinstance(text, str):
        return text
    return TOKEN.sub(FILTERED, PHONE.sub(FILTERED, EMAIL.sub(FILTERED, text)))


def _scrub_request(request: dict) -> dict:
    url = str(request.get("url", "")).split("?", 1)[0]
    headers = request.get("headers") or {}
    return {
        "method": request.get("method"),
        "url": scrub_text(url),
        "headers": {name: value for name, value in headers.items() if name.lower() in SAFE_HEADERS},
    }


def _scrub_exceptions(event: dict) -> None:
    for exception in (event.get("exception") or {}).get("values") or []:
        exception["value"] = scrub_text(exception.get("value"))
        for frame in (exception.get("stacktrace") or {}).get("frames") or []:
            frame.pop("vars", None)


def _scrub_log_entry(event: dict) -> None:
    entry = event.get("logentry")
    if entry:
        # The template is the code's; the arguments may be anyone's data.
        entry.pop("params", None)
        entry["formatted"] = entry["message"] = scrub_text(entry.get("message"))
    if "message" in event:
        event["message"] = (entry or {}).get("message") or scrub_text(event["message"])


def _scrub_breadcrumbs(event: dict) -> None:
    breadcrumbs = event.get("breadcrumbs")
    values = breadcrumbs.get("values", []) if isinstance(breadcrumbs, dict) else breadcrumbs or []
    for crumb in values:
        crumb.pop("data", None)
        crumb["message"] = scrub_text(crumb.get("message"))


def scrub_event(event: dict, hint: dict | None = None) -> dict:
    """``before_send``: the event without personal data (see the module's docstring)."""
    if "request" in event:
        event["request"] = _scrub_request(event["request"])
    if "user" in event:
        event["user"] = {"id": event["user"].get("id")} if event["user"].get("id") else {}
    _scrub_exceptions(event)
    _scrub_log_entry(event)
    _scrub_breadcrumbs(event)
    extra = event.get("extra") or {}
    job = extra.get("celery-job")
    event["extra"] = {"celery-job": {"task_name": job.get("task_name")}} if isinstance(job, dict) else {}
    return event


def init_sentry(dsn: str, *, environment: str) -> None:
    """Start the SDK; a malformed DSN stops the start, naming the variable."""
    try:
        Dsn(dsn)
    except BadDsn as exc:
        raise ImproperlyConfigured(f"Variable d'environnement SENTRY_DSN invalide : {exc}") from None
    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        integrations=[DjangoIntegration(), CeleryIntegration()],
        send_default_pii=False,
        include_local_variables=False,
        max_request_body_size="never",
        before_send=scrub_event,
        # Errors only: no performance traces (they would carry every address visited).
        traces_sample_rate=0,
    )
