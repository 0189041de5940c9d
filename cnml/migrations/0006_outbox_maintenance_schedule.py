"""Schedule the outbox's pass (Celery beat, every minute): owed work handed over again, a worker's
sign of life, done rows purged (cnml/outbox.py)."""

from django.db import migrations

from cnml.schedules import every

TASK = "cnml.tasks.outbox_maintenance"
NAME = "Socle : confier de nouveau les travaux différés en attente, signe de vie du worker"


class Migration(migrations.Migration):
    dependencies = [
        ("cnml", "0005_outbox_and_worker_heartbeat"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [every(1, "minutes", name=NAME, task=TASK)]
