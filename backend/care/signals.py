"""Cached renderings follow changes made outside the services (``backend/generations.py``).

Services replace generations where they write. These receivers cover what changes
users and care links elsewhere: allauth (an email change, a sign-in), the admin, and
the cascade that erases an account with its links.
"""

from __future__ import annotations

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from backend import generations
from backend.accounts.models import User
from backend.care.models import CareLink
from backend.care.overview_cache import value_key as patient_list_key
from backend.user_cache import value_keys


@receiver(post_save, sender=User)
def user_saved(sender, instance: User, **kwargs) -> None:
    # Clinicians' lists show the email; dates follow the time zone.
    generations.user_changed(instance.pk)


@receiver(post_delete, sender=User)
def user_deleted(sender, instance: User, **kwargs) -> None:
    generations.user_changed(instance.pk)
    generations.forget(*value_keys(instance.pk), patient_list_key(instance.pk))


@receiver(post_save, sender=CareLink)
@receiver(post_delete, sender=CareLink)
def care_link_changed(sender, instance: CareLink, **kwargs) -> None:
    generations.links_changed(instance.clinician_id)
    # An erased patient's rows leave the clinician's cached list at once.
    generations.forget(patient_list_key(instance.clinician_id))
