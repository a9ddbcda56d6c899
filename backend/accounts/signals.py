"""allauth's MFA flows announce changes only through signals: each receiver hands over
to ``backend.accounts.mfa`` at once."""

from __future__ import annotations

from allauth.mfa.models import Authenticator
from allauth.mfa.signals import authenticator_added, authenticator_removed, authenticator_reset
from django.dispatch import receiver

from backend.accounts.mfa import authenticator_changed


@receiver(authenticator_added, sender=Authenticator)
def on_authenticator_added(sender, request, user, authenticator, **kwargs) -> None:
    authenticator_changed(request=request, user=user, authenticator=authenticator, added=True)


@receiver(authenticator_reset, sender=Authenticator)
@receiver(authenticator_removed, sender=Authenticator)
def on_authenticator_reset_or_removed(sender, request, user, authenticator, **kwargs) -> None:
    authenticator_changed(request=request, user=user, authenticator=authenticator, added=False)
