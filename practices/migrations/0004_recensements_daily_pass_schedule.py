"""Schedule the recensements' daily pass (Celery beat): reminders before the deadline, closing after it."""

from django.db import migrations

from cnml.schedules import every

TASK = "practices.tasks.recensements_daily_pass"
NAME = "Bonnes pratiques : relancer puis clore les recensements"


class Migration(migrations.Migration):
    dependencies = [
        ("practices", "0003_recensements"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [every(1, "days", name=NAME, task=TASK)]
