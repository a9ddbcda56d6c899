from __future__ import annotations

from importlib import import_module

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.contrib.sessions.base_session import AbstractBaseSession
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone as django_timezone

from backend.accounts.emergency import country_of_zone, validate_country
from backend.accounts.timezones import validate_timezone

# The daily budget a person may choose: less than 10 minutes leaves no session worth
# starting; more than 90 is not a home programme any more.
DAILY_MINUTES_MIN, DAILY_MINUTES_MAX = 10, 90
DISPLAY_NAME_MAX = 80


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra: object) -> User:
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra: object) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra: object) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person using Backtrack; the email address is the login."""

    class Role(models.TextChoices):
        PATIENT = "patient", "Patient"
        CLINICIAN = "clinician", "Clinician"

    email = models.EmailField("email address", unique=True)
    # How the person is named to others (a clinician to their patients: "Dr Rao");
    # blank: the email address stands in (``name``).
    display_name = models.CharField(max_length=DISPLAY_NAME_MAX, blank=True, default="")
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.PATIENT)
    timezone = models.CharField(max_length=64, default="UTC", validators=[validate_timezone])
    # ISO 3166-1 alpha-2, for who to call in an emergency; blank: the time zone's country.
    country = models.CharField(max_length=2, blank=True, default="", validators=[validate_country])
    # History red-flag answers (safety rules asked "once"): {rule id: true|false}.
    # Kept here, not in daily check-ins, so an honest history answer is shown once.
    screening = models.JSONField(default=dict, blank=True)
    # Minutes a day the person wants to practise; the plan marks what does not fit as
    # optional (programs/schedule.py). Null: no budget, everything planned is due.
    daily_minutes = models.PositiveSmallIntegerField(null=True, blank=True)
    is_staff = models.BooleanField(default=False)
    is_active = models.BooleanField(default=True)
    date_joined = models.DateTimeField(default=django_timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_ci_unique"),
            models.CheckConstraint(
                condition=models.Q(role__in=["patient", "clinician"]), name="user_role_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(country__regex=r"^([A-Z]{2})?$"), name="user_country_alpha2"
            ),
            models.CheckConstraint(
                condition=models.Q(daily_minutes__isnull=True)
                | models.Q(daily_minutes__gte=DAILY_MINUTES_MIN, daily_minutes__lte=DAILY_MINUTES_MAX),
                name="user_daily_minutes_range",
            ),
        ]

    def __str__(self) -> str:
        return self.email

    @property
    def name(self) -> str:
        """What others see this person called: the display name, else the email address."""
        return self.display_name or self.email

    @property
    def is_clinician(self) -> bool:
        return self.role == self.Role.CLINICIAN

    @property
    def effective_country(self) -> str | None:
        """The country chosen, else the time zone's; None where neither says."""
        return self.country or country_of_zone(self.timezone)


class UserSession(AbstractBaseSession):
    """A session row that knows whose it is (the session engine: ``session_store.py``).

    Django's own table holds only the encoded data, so a user's sessions could only be
    found by decoding everyone's. With the owner in an indexed column, ending a user's
    other sessions (an authenticator added or removed) and erasing an account each
    find them with one query. Sessions are allauth's app tokens too.
    """

    # Not a foreign key: a request racing the erasure of its user must not fail to
    # save its session; erasure deletes the rows explicitly (with their cache entries).
    user_id = models.BigIntegerField(null=True, db_index=True)

    class Meta(AbstractBaseSession.Meta):
        db_table = "accounts_session"

    @classmethod
    def get_session_store_class(cls) -> type:
        # The configured engine, found as Django's own middleware finds it (the engine
        # imports this model: a static import here would make a circle).
        return import_module(settings.SESSION_ENGINE).SessionStore
