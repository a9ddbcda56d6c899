from django.apps import AppConfig


class TrackerConfig(AppConfig):
    name = "backend.tracker"
    label = "tracker"
    default_auto_field = "django.db.models.BigAutoField"
