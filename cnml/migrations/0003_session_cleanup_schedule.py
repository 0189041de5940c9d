"""Schedule the core's clean-up (Celery beat, every hour): expired sessions, spent reset records, and
every personal datum past its time (cnml/retention.py; the name below since 0007, which renamed the task
of the installations migrated before)."""

from django.db import migrations

from cnml.schedules import every

TASK = "cnml.tasks.purge_expired"
NAME = "Socle : supprimer les données personnelles dont la durée de conservation est échue"


class Migration(migrations.Migration):
    dependencies = [
        ("cnml", "0002_transition_log"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [every(1, "hours", name=NAME, task=TASK)]
