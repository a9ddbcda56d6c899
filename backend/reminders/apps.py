from django.apps import AppConfig


class RemindersConfig(AppConfig):
    name = "backend.reminders"
    label = "reminders"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from backend.reminders.config import push_config

        push_config()  # a bad VAPID or push-host setting stops the process here, named
