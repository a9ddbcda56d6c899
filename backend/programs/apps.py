from django.apps import AppConfig


class ProgramsConfig(AppConfig):
    name = "backend.programs"
    label = "programs"
    default_auto_field = "django.db.models.BigAutoField"
