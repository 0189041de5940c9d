"""The project's Celery application.

Settings come from Django's settings under the ``CELERY_`` namespace. Without a
broker (the embedded default), ``CELERY_TASK_ALWAYS_EAGER`` is on and tasks run
in the calling process, so ``make run`` needs no server.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cnml.settings")

app = Celery("cnml")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
