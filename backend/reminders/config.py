"""Web Push configuration: the settings' raw values, checked and completed.

Settings hold what the environment says (``VAPID_PRIVATE_KEY``, ``VAPID_PUBLIC_KEY``,
``VAPID_SUBJECT``, ``WEBPUSH_ALLOWED_HOSTS``); settings import no app code. This module
checks them when Django starts (``RemindersConfig.ready``), so a bad value still stops
every process (web, worker, beat, manage.py) with a message naming the variable, and
derives what follows from them: the public key from the private one, the parsed
host list. Tests may change the settings: the result follows them.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from backend.reminders import endpoints, vapid


@dataclass(frozen=True)
class PushConfig:
    private_key: str  # empty: reminders go out by email
    public_key: str
    subject: str
    allowed_hosts: tuple[endpoints.AllowedHost, ...]


def push_config() -> PushConfig:
    return _checked(
        settings.VAPID_PRIVATE_KEY,
        settings.VAPID_PUBLIC_KEY,
        settings.VAPID_SUBJECT,
        settings.WEBPUSH_ALLOWED_HOSTS,
    )


@lru_cache(maxsize=8)
def _checked(private_key: str, public_key: str, subject: str, hosts: str) -> PushConfig:
    if private_key:
        try:
            derived = vapid.public_key_b64(vapid.private_key_from_b64(private_key))
        except ValueError as exc:
            raise ImproperlyConfigured(f"VAPID_PRIVATE_KEY is not a VAPID private key: {exc}.") from None
        if public_key and public_key.rstrip("=") != derived:
            raise ImproperlyConfigured(
                "VAPID_PUBLIC_KEY does not belong to VAPID_PRIVATE_KEY: set both from one pair."
            )
        public_key = derived
    elif public_key:
        raise ImproperlyConfigured(
            "VAPID_PUBLIC_KEY is set without VAPID_PRIVATE_KEY: set both from one pair."
        )
    try:
        vapid.validate_subject(subject)
    except ValueError as exc:
        raise ImproperlyConfigured(f"VAPID_SUBJECT={subject!r}: {exc}.") from None
    try:
        allowed = tuple(endpoints.parse_allowed_hosts(hosts))
    except ValueError as exc:
        raise ImproperlyConfigured(f"WEBPUSH_ALLOWED_HOSTS: {exc}.") from None
    return PushConfig(private_key=private_key, public_key=public_key, subject=subject, allowed_hosts=allowed)
