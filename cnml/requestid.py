"""The request id: one identifier on every log line of a request and of the work it owes.

django-guid's middleware reads ``X-Request-ID`` (set by nginx, ``deploy/nginx/cnml-proxy.conf``)
when it is a valid UUID, or makes one, keeps it in a context variable for the request and returns
it in the response's ``X-Request-ID``; its log filter puts it on every record (``request_id`` in the
JSON lines, ``LOG_FORMAT``).

Work the request owes carries it on: ``cnml.outbox.enqueue`` writes it on the outbox row, and the
row's run (in a worker, or here when tasks are eager) is logged under it (:func:`bound`), however
often the row is published again. Other tasks carry it in a message header (:data:`HEADER`) put
there when they are published; a worker running a task without one (a scheduled task) makes one,
so that the lines of one task can be told from those of the next.
"""

from __future__ import annotations

import contextlib
import logging
import uuid
from collections.abc import Iterator

from celery.signals import before_task_publish, task_postrun, task_prerun
from django_guid import get_guid
from django_guid.context import guid as _current

HEADER = "cnml_request_id"
# A request id longer than this is not one of ours (nginx's $request_id: 32 hex digits).
MAX_LENGTH = 64


def current() -> str:
    """The request id of the code running now ("" outside any request or task)."""
    return (get_guid() or "")[:MAX_LENGTH]


def new() -> str:
    return uuid.uuid4().hex


class RequestIdFilter(logging.Filter):
    """Puts ``request_id`` on every record ("-" outside a request or task): ``LOGGING`` in settings."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current() or "-"
        return True


@contextlib.contextmanager
def bound(request_id: str) -> Iterator[None]:
    """Log under ``request_id`` within the block (unchanged when it is empty), then as before."""
    if not request_id:
        yield
        return
    token = _current.set(request_id)
    try:
        yield
    finally:
        _current.reset(token)


@before_task_publish.connect(dispatch_uid="cnml.requestid.publish")
def _carry_into_message(headers: dict, **kwargs) -> None:
    request_id = current()
    if request_id:
        headers[HEADER] = request_id


# A task run in the calling process (eager) keeps the caller's id: nothing to set, nothing to clear.
@task_prerun.connect(dispatch_uid="cnml.requestid.prerun")
def _adopt_from_message(task, **kwargs) -> None:
    if not task.request.is_eager:
        _current.set(str(task.request.get(HEADER) or new())[:MAX_LENGTH])


@task_postrun.connect(dispatch_uid="cnml.requestid.postrun")
def _forget(task, **kwargs) -> None:
    if not task.request.is_eager:
        _current.set(None)
