"""Schedule the core's clean-up (Celery beat, every hour): expired sessions, spent reset records."""

from django.db import migrations

from cnml.schedules import every

TASK = "cnml.tasks.purge_expired"
NAME = "Socle : supprimer les sessions expirées et les demandes de réinitialisation échues"


class Migration(migrations.Migration):
    dependencies = [
        ("cnml", "0002_transition_log"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [every(1, "hours", name=NAME, task=TASK)]
