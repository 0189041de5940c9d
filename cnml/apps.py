from django.apps import AppConfig


class CnmlConfig(AppConfig):
    name = "cnml"
    verbose_name = "Réseau et utilisateurs"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Connects the Celery signals that carry the request id into the tasks (web and worker).
        from cnml import requestid  # noqa: F401
