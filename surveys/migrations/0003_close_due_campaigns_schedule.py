"""Schedule the closing of campaigns past their closing date (Celery beat, every hour)."""

from django.db import migrations

from cnml.schedules import every

TASK = "surveys.tasks.close_due_campaigns"
NAME = "Enquêtes : clôturer les campagnes échues et calculer leurs résultats"


class Migration(migrations.Migration):
    dependencies = [
        ("surveys", "0002_instruments"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [every(1, "hours", name=NAME, task=TASK)]
