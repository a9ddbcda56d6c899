from django.apps import AppConfig


class CareConfig(AppConfig):
    name = "backend.care"
    label = "care"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from backend.care.tasks import alert_notices_queue
        from backend.tracker.signals import serious_alerts_opened

        # The tracker tells the care app without importing it (backend/tracker/signals.py).
        serious_alerts_opened.connect(alert_notices_queue, dispatch_uid="care-alert-notices")
