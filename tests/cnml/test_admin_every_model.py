"""The admin never answers 500: every registered model, every page, filled and empty forms.

The walk discovers the models from ``admin.site`` (nothing to keep up to date when an app
registers a new one) and drives the pages as a browser would, through WebTest: forms are
submitted with what the page itself rendered (hidden fields, inlines' management forms,
selected options), then emptied, then posted to the add page as a copy of an existing
record (unique values collide there: that must be a form error, not an IntegrityError).

The data is the demo (``manage.py demo``): every app's models filled as a user would see
them. A registered model without any record in the demo fails the walk, so that a new
model cannot escape it by having no data. The demo is loaded once for the module's two walks
(``kept_for_module``: each walk runs in a savepoint, what it saves is undone after it).
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

import django_webtest
import pytest
from django.apps import apps
from django.contrib import admin
from django.core.management import call_command
from django.db import models
from django.test.utils import override_settings
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.functional import empty
from webtest import Form

from cnml.models import Role, User
from tests.conftest import kept_for_module
from tests.factories import UserFactory

# The demo is built once for both walks: they stay on one pytest-xdist worker.
pytestmark = pytest.mark.xdist_group("admin_every_model")

# How many records of each model have their change page walked.
RECORDS_PER_MODEL = 2


@dataclass
class Walk:
    """What the walk saw: each request that answered 5xx or raised, with its step."""

    failures: list[str] = field(default_factory=list)
    visited: int = 0

    def get(self, app, url: str, step: str):
        return self._call(step, url, lambda: app.get(url, expect_errors=True))

    def submit(self, form: Form, step: str, url: str):
        return self._call(step, url, lambda: form.submit("_save", expect_errors=True))

    def post(self, app, url: str, params, step: str):
        return self._call(step, url, lambda: app.post(url, params=params, expect_errors=True))

    def _call(self, step: str, url: str, request):
        self.visited += 1
        try:
            response = request()
        except Exception as exc:  # an exception escaping the view is what a 500 would be
            self.failures.append(f"{step} {url}: {type(exc).__name__}: {exc}")
            return None
        if response.status_code >= 500:
            self.failures.append(f"{step} {url}: HTTP {response.status_code}")
            return None
        return response


def _main_form(response) -> Form | None:
    """The change/add form of an admin page (its id ends with ``_form``)."""
    for form_id, form in response.forms.items():
        if isinstance(form_id, str) and form_id.endswith("_form"):
            return form
    return None


def _emptied(form: Form) -> Form:
    """The same form with every text the user could clear cleared (hidden fields kept)."""
    for name, fields in form.fields.items():
        for input_field in fields:
            tag = getattr(input_field, "tag", "")
            kind = (input_field.attrs.get("type") or "").lower()
            if tag == "textarea" or (tag == "input" and kind in {"text", "number", "email", "url", "date", "time"}):
                input_field.value = ""
            elif tag == "select" and not input_field.attrs.get("multiple"):
                options = [value for value, _selected, *_rest in input_field.options]
                if "" in options:
                    input_field.value = ""
            elif kind == "checkbox" and name and not name.endswith("-DELETE"):
                input_field.checked = False
    return form


def _records(model: type[models.Model], count: int) -> list[models.Model]:
    return list(model._default_manager.order_by("-pk")[:count])


def _url(name: str, *args) -> str | None:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def walk_admin(app, walk: Walk, *, missing_data: list[str], records_per_model: int = RECORDS_PER_MODEL) -> None:
    for model in apps.get_models():
        if not admin.site.is_registered(model):
            continue
        model_admin = admin.site.get_model_admin(model)
        opts = model._meta
        prefix = f"admin:{opts.app_label}_{opts.model_name}"
        changelist = reverse(f"{prefix}_changelist")
        walk.get(app, changelist, "liste")
        if model_admin.search_fields:
            walk.get(app, f"{changelist}?q=%3D%27%22%3C", "recherche")
        records = _records(model, records_per_model)
        if not records:
            missing_data.append(opts.label)

        add_url = _url(f"{prefix}_add")
        add_form = None
        if add_url:
            page = walk.get(app, add_url, "ajout (page)")
            add_form = _main_form(page) if page is not None and page.status_code == 200 else None
            if add_form is not None:
                # Its CSRF token before the submit changes anything: the copies below post with it.
                add_token = add_form["csrfmiddlewaretoken"].value
                walk.submit(add_form, "ajout vide", add_url)

        for record in records:
            change_url = reverse(f"{prefix}_change", args=[record.pk])
            page = walk.get(app, change_url, "modification (page)")
            if page is None or page.status_code != 200:
                continue
            form = _main_form(page)
            if form is not None:
                walk.submit(form, "modification telle quelle", change_url)
                if add_form is not None:
                    # The record's values posted as a new one: unique fields collide. The add page was
                    # visited above: its token serves (the session's CSRF secret does not change).
                    copy = {key: value for key, value in form.submit_fields() if key != "csrfmiddlewaretoken"}
                    copy["csrfmiddlewaretoken"] = add_token
                    walk.post(app, add_url, copy, "ajout d'une copie")
                page = walk.get(app, change_url, "modification (page)")
                form = _main_form(page) if page is not None and page.status_code == 200 else None
                if form is not None:
                    walk.submit(_emptied(form), "modification vidée", change_url)
            for name in ("history", "delete"):
                url = _url(f"{prefix}_{name}", record.pk)
                if url:
                    walk.get(app, url, name)


def operator_records() -> None:
    """What the demo has no reason to make but an operator finds in production: lock-outs,
    schedules, the site's DSFR settings, worker probes."""
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog
    from django_celery_beat.models import ClockedSchedule, CrontabSchedule, SolarSchedule
    from dsfr.models import DsfrConfig

    from cnml.models import OutboxMessage, WorkerProbe

    attempt = {"user_agent": "Firefox", "ip_address": "203.0.113.9", "username": "x@y.fr", "path_info": "/compte/"}
    AccessAttempt.objects.create(**attempt, http_accept="*/*", get_data="", post_data="", failures_since_start=5)
    AccessLog.objects.create(**attempt, http_accept="*/*")
    AccessFailureLog.objects.create(**attempt, http_accept="*/*", locked_out=True)
    DsfrConfig.objects.get_or_create(language="fr", defaults={"site_title": "Back-office CNML"})
    ClockedSchedule.objects.create(clocked_time=timezone.now())
    CrontabSchedule.objects.create(minute="0", hour="3")
    SolarSchedule.objects.create(event="sunrise", latitude="48.85", longitude="2.35")
    WorkerProbe.objects.create()
    now = timezone.now()
    OutboxMessage.objects.create(task="cnml.tasks.send_email", kwargs={"subject": "a"})
    OutboxMessage.objects.create(task="cnml.tasks.send_email", done_at=now, attempts=1)
    OutboxMessage.objects.create(task="cnml.tasks.send_email", failed_at=now, attempts=20, last_error="SMTP")


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo and the operator's records, once for the module, its uploads in a folder of its own."""
    from cnml.uploads import private_storage

    root = tmp_path_factory.mktemp("admin_walk")
    with (
        override_settings(PRIVATE_MEDIA_ROOT=root / "private", MEDIA_ROOT=root / "media"),
        kept_for_module(django_db_blocker),
    ):
        private_storage._wrapped = empty
        with override_settings(DEBUG=True):  # the demo loads only in development
            call_command("demo", stdout=io.StringIO())
        operator_records()
        yield
    private_storage._wrapped = empty


def _template_names_only(store, signal, sender, template, context, **kwargs):
    """What WebTest keeps of each template a request renders: its name, not a copy of its context.

    The walk reads no ``response.context``; copying the context of each of the thousands of widget
    templates an admin page renders took half of the walk's time."""
    store.setdefault("templates", []).append(template)


@pytest.fixture
def django_app(django_app, monkeypatch):
    """WebTest's app (django-webtest), keeping the rendered templates' names only."""
    monkeypatch.setattr(django_webtest, "store_rendered_templates", _template_names_only)
    return django_app


@pytest.mark.django_db
def test_every_admin_page_answers_without_server_error_for_a_superuser(demo, django_app):
    superuser = UserFactory(email="super@test.cnml.fr", role=Role.ADMINISTRATEUR, is_superuser=True)
    django_app.set_user(superuser)
    walk, missing = Walk(), []
    walk_admin(django_app, walk, missing_data=missing)
    assert walk.visited > 100
    assert not walk.failures, "\n".join(walk.failures)
    assert not missing, f"Modèles sans donnée dans la démonstration (non parcourus) : {missing}"


@pytest.mark.django_db
def test_every_admin_page_answers_without_server_error_for_a_cnml_reviewer(demo, django_app):
    """The reviewer's narrower permissions take other branches (read-only pages, refused actions)."""
    reviewer = User.objects.get(email="relecteur@demo.cnml.fr")
    assert reviewer.role == Role.RELECTEUR_CNML and reviewer.is_staff
    django_app.set_user(reviewer)
    walk = Walk()
    walk_admin(django_app, walk, missing_data=[], records_per_model=1)
    assert walk.visited > 30
    assert not walk.failures, "\n".join(walk.failures)
