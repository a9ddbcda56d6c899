"""Accounts: patients and clinicians, with a verified address and a known password."""

from __future__ import annotations

import factory
from allauth.account.models import EmailAddress

from backend.accounts.models import User

PASSWORD = "calm-steady-breathing-42"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.com")
    role = User.Role.PATIENT
    timezone = "Europe/Paris"
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def verified_email(self, create: bool, extracted: bool | None, **kwargs) -> None:
        if create:
            self.save()
            EmailAddress.objects.create(user=self, email=self.email, primary=True, verified=True)


class ClinicianFactory(UserFactory):
    role = User.Role.CLINICIAN
    email = factory.Sequence(lambda n: f"clinician{n}@example.com")
