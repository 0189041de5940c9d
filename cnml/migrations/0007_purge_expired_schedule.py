"""The core's hourly clean-up purges more than sessions and reset records (cnml/retention.py): its
periodic task, scheduled by 0003, takes the name that says so on installations that had the old one."""

from django.db import migrations

TASK = "cnml.tasks.purge_expired"
OLD_NAME = "Socle : supprimer les sessions expirées et les demandes de réinitialisation échues"
NAME = "Socle : supprimer les données personnelles dont la durée de conservation est échue"


def rename(apps, schema_editor) -> None:
    tasks = apps.get_model("django_celery_beat", "PeriodicTask").objects
    if tasks.filter(name=NAME).exists():
        tasks.filter(name=OLD_NAME, task=TASK).delete()
    else:
        tasks.filter(name=OLD_NAME, task=TASK).update(name=NAME)


class Migration(migrations.Migration):
    dependencies = [
        ("cnml", "0006_outbox_maintenance_schedule"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(rename, migrations.RunPython.noop)]
