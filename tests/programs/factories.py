"""Programs: enrollments (the real catalog must be loaded: the ``catalog`` fixture)."""

from __future__ import annotations

import datetime as dt

import factory

from backend.programs.models import Enrollment, Program
from tests.accounts.factories import UserFactory


class EnrollmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enrollment

    user = factory.SubFactory(UserFactory)
    program = factory.LazyFunction(lambda: Program.objects.get(slug="core-strength"))
    start_date = factory.LazyFunction(dt.date.today)


def exercises_of(day: dict) -> list[dict]:
    """A rendered day's exercise items: its lesson item (issue 17), if it has one, left out."""
    return [item for item in day["items"] if item["kind"] == "exercise"]
