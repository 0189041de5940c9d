"""The admin speaks French throughout, the screens of django-celery-beat and django-axes included
(cnml/locale: what the libraries leave in English or translate badly; cnml/admin.py: the headings
they give no translation for)."""

from __future__ import annotations

import ast
import gettext
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from cnml.models import Role

pytestmark = pytest.mark.django_db

CATALOGUE = Path(settings.BASE_DIR) / "cnml" / "locale" / "fr" / "LC_MESSAGES"
ENTRY = re.compile(r'^msgid (".*")\nmsgstr (".*")$', re.MULTILINE)
# What the screens showed in English (or misspelt) before.
ENGLISH = (
    "Periodic Tasks Using This Schedule",
    "Task Name",
    "Scheduler",
    "Crontab translation",
    "Human readable",
    "Locked Out",
    "User Agent",
    "ntervale",
    "Tâches Périodique",
    "évènements solaire<",
)
PAGES = (
    "django_celery_beat_periodictask_changelist",
    "django_celery_beat_periodictask_add",
    "django_celery_beat_intervalschedule_changelist",
    "django_celery_beat_crontabschedule_add",
    "django_celery_beat_solarschedule_changelist",
    "axes_accessattempt_changelist",
    "axes_accesslog_changelist",
    "axes_accessfailurelog_changelist",
    "index",
)


def test_the_committed_catalogue_is_compiled_from_its_source():
    source = (CATALOGUE / "django.po").read_text(encoding="utf-8")
    entries = {ast.literal_eval(msgid): ast.literal_eval(msgstr) for msgid, msgstr in ENTRY.findall(source)}
    entries.pop("")
    with (CATALOGUE / "django.mo").open("rb") as compiled:
        catalogue = gettext.GNUTranslations(compiled)

    assert len(entries) > 50
    stale = [msgid for msgid, msgstr in entries.items() if catalogue.gettext(msgid) != msgstr]
    assert not stale, f"django.mo ne suit pas django.po (make messages) : {stale}"


def test_the_libraries_screens_of_the_admin_are_in_french(users, client_for):
    hourly, _ = IntervalSchedule.objects.get_or_create(every=1, period=IntervalSchedule.HOURS)
    task = PeriodicTask.objects.create(name="Essai", task="cnml.tasks.purge_expired", interval=hourly)
    client = client_for(users[Role.ADMINISTRATEUR])
    urls = [reverse(f"admin:{name}") for name in PAGES]
    urls.append(reverse("admin:django_celery_beat_intervalschedule_change", args=[hourly.pk]))

    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        page = re.sub(r"<(script|style)\b.*?</\1>", "", response.content.decode(), flags=re.S)
        english = [text for text in ENGLISH if text in page]
        assert not english, f"{url} : {english}"

    changelist = client.get(reverse("admin:django_celery_beat_periodictask_changelist")).content.decode()
    assert "Planification" in changelist and "Par nom de la tâche" in changelist and task.name in changelist
    index = client.get(reverse("admin:index")).content.decode()
    assert "Tâches périodiques" in index and "Intervalles" in index and "Évènements solaires" in index
