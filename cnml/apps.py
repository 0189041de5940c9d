from django.apps import AppConfig


class CnmlConfig(AppConfig):
    name = "cnml"
    verbose_name = "Réseau et utilisateurs"
    default_auto_field = "django.db.models.BigAutoField"
