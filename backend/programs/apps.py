from django.apps import AppConfig


class ProgramsConfig(AppConfig):
    name = "backend.programs"
    label = "programs"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from backend.programs.flare import flare_plan
        from backend.programs.lessons import lesson_catalog

        # A mistake in the flare plan stops the process now, not on someone's bad day;
        # a lesson naming an unknown source or exercise, likewise.
        flare_plan()
        lesson_catalog()
