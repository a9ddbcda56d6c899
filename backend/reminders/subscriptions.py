"""Push subscriptions: a device's endpoint and keys, checked before they are stored."""

from __future__ import annotations

import logging

from cryptography.hazmat.primitives.asymmetric import ec
from django.db import transaction

from backend.accounts.models import User
from backend.core.errors import ApplicationError
from backend.reminders import endpoints
from backend.reminders.config import push_config
from backend.reminders.models import (
    PushSubscription,
)
from backend.reminders.vapid import b64url_decode

logger = logging.getLogger(__name__)


def _check_keys(p256dh: str, auth: str) -> None:
    """The serializer checks these too; this guards callers that are not the API."""
    try:
        point = b64url_decode(p256dh)
        if len(point) != 65:
            raise ValueError
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), point)
    except ValueError:
        raise ApplicationError(
            "p256dh is not a P-256 public key (65 bytes, base64url).", field="keys"
        ) from None
    try:
        secret = b64url_decode(auth)
    except ValueError:
        secret = b""
    if len(secret) != 16:
        raise ApplicationError("The auth secret is 16 bytes, base64url.", field="keys")


@transaction.atomic
def push_subscription_save(
    *, user: User, endpoint: str, p256dh: str, auth: str, user_agent: str = ""
) -> tuple[PushSubscription, bool]:
    """Store a browser's subscription; posting the same endpoint again updates it.

    An endpoint already stored for another account moves to this one: whoever
    holds the browser (and so the endpoint, an unguessable capability) gets its
    notifications, e.g. after signing out and in as someone else.
    """
    try:
        endpoints.check_endpoint(endpoint, allowed=push_config().allowed_hosts, resolve=endpoints_resolve)
    except endpoints.EndpointRefused as exc:
        raise ApplicationError(str(exc), field="endpoint") from None
    _check_keys(p256dh, auth)
    subscription, created = PushSubscription.objects.select_for_update().get_or_create(
        endpoint=endpoint,
        defaults={"user": user, "p256dh": p256dh, "auth": auth, "user_agent": user_agent[:256]},
    )
    if not created:
        subscription.user = user
        subscription.p256dh, subscription.auth = p256dh, auth
        subscription.user_agent = user_agent[:256]
        subscription.failure_count = 0
        subscription.save(update_fields=["user", "p256dh", "auth", "user_agent", "failure_count"])
    return subscription, created


def endpoints_resolve(host: str, port: int) -> list[str]:
    """DNS for the subscription check; tests replace it (there is no DNS in CI)."""
    return endpoints.system_resolve(host, port)


@transaction.atomic
def push_subscription_delete(*, user: User, endpoint: str) -> None:
    deleted, _ = PushSubscription.objects.filter(user=user, endpoint=endpoint).delete()
    if not deleted:
        raise ApplicationError("No such subscription.", status=404)
