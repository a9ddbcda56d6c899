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
