import getpass
import sys

from allauth.account.models import EmailAddress
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email
from django.db import transaction

from backend.accounts.models import User


class Command(BaseCommand):
    help = (
        "Create a clinician account with its email address already verified "
        "(allauth only activates TOTP for a verified address)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("email")
        parser.add_argument("--password", help="Asked for interactively when omitted.")
        parser.add_argument("--timezone", default="UTC")

    def handle(self, *args, email: str, password: str | None, timezone: str, **options) -> None:
        email = email.strip().lower()
        try:
            validate_email(email)
        except ValidationError as exc:
            raise CommandError(f"{email!r} is not a valid email address.") from exc
        if User.objects.filter(email__iexact=email).exists():
            raise CommandError(f"An account for {email} already exists.")
        if password is None:
            if not sys.stdin.isatty():
                raise CommandError("Give --password (no terminal to ask on).")
            password = getpass.getpass("Password: ")
        user = User(email=email, role=User.Role.CLINICIAN, timezone=timezone)
        try:
            user.full_clean(exclude=["password"])
            validate_password(password, user)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        with transaction.atomic():
            user.set_password(password)
            user.save()
            EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
        self.stdout.write(self.style.SUCCESS(f"Clinician {email} created."))
