from django.apps import AppConfig


class OutcomesConfig(AppConfig):
    name = "backend.outcomes"
    label = "outcomes"
    verbose_name = "Outcomes (validated questionnaires)"

    def ready(self) -> None:
        # A mistake in the content file stops the start-up, naming the place.
        from backend.outcomes.instruments import all_instruments

        all_instruments()
