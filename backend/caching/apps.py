from django.apps import AppConfig


class CachingConfig(AppConfig):
    name = "backend.caching"
    label = "caching"

    def ready(self) -> None:
        from backend.caching import invalidation  # noqa: F401  (changes made outside the services)
