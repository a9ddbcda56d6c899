from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "backend.accounts"
    label = "accounts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The OpenAPI auth scheme; sessions that follow authenticator changes.
        from backend.accounts import schema, signals  # noqa: F401
