from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "backend.privacy"
    label = "privacy"
