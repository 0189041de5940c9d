"""A validated snapshot gets a state of its own (``valide``), reached by the ``validate`` transition.

Snapshots validated before this migration move to it, and their validation is written in the audit
trail (who and when, from ``validated_by`` / ``validated_at``), so that their history reads like the
new ones'.
"""

from django.db import migrations, models


def validated_state(apps, schema_editor):
    Snapshot = apps.get_model("dashboard", "Snapshot")
    TransitionLog = apps.get_model("cnml", "TransitionLog")
    ContentType = apps.get_model("contenttypes", "ContentType")
    validated = Snapshot.objects.filter(status="calcule", validated_at__isnull=False)
    if not validated.exists():
        return
    content_type, _ = ContentType.objects.get_or_create(app_label="dashboard", model="snapshot")
    for snapshot in validated.order_by("pk"):
        log = TransitionLog.objects.create(
            content_type=content_type,
            object_id=str(snapshot.pk),
            actor_id=snapshot.validated_by_id,
            from_state="calcule",
            to_state="valide",
        )
        TransitionLog.objects.filter(pk=log.pk).update(at=snapshot.validated_at)  # not the migration's time
    validated.update(status="valide")


def computed_state(apps, schema_editor):
    apps.get_model("dashboard", "Snapshot").objects.filter(status="valide").update(status="calcule")


class Migration(migrations.Migration):
    dependencies = [
        ("dashboard", "0007_extraction_date_from_2000"),
        ("cnml", "0002_transition_log"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.AlterField(
            model_name="snapshot",
            name="status",
            field=models.CharField(
                choices=[
                    ("en_cours", "Calcul en cours"),
                    ("calcule", "Calculé"),
                    ("valide", "Validé"),
                    ("echoue", "Échoué"),
                ],
                default="en_cours",
                max_length=10,
                verbose_name="état",
            ),
        ),
        migrations.RunPython(validated_state, computed_state),
    ]
