"""What each change makes stale, in one place.

Cached renderings (``user_cache``: a user's today and summary; ``patient_lists``: a
clinician's list) are stamped with generations (``generations``). A change replaces
the generations it affects, here and nowhere else:

- the services call ``user_changed``, ``links_changed`` and ``catalog_changed``
  where they write (a sync, an enrollment, an acknowledged alert; a link made, ended
  or re-scoped; the catalog loaded), once per change;
- the receivers below cover what changes outside the services: a user saved by
  allauth (an email change, a sign-in) or the admin, and the rows an account's
  erasure deletes by cascade (the user, and the care links of either side), whose
  cached values are also dropped at once.

Care links are not followed on save: every save goes through a service (the admin's
too, see ``care/admin.py``), which would otherwise invalidate twice.
"""

from __future__ import annotations

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from backend.accounts.models import User
from backend.caching import generations
from backend.caching.patient_lists import value_key as patient_list_key
from backend.caching.user_cache import value_keys
from backend.care.models import CareLink


def user_changed(user_id: int) -> None:
    """Something of this user's that a cached rendering shows has changed."""
    generations.changed(generations.user_key(user_id))


def links_changed(clinician_id: int) -> None:
    """A care link of this clinician was made, ended or changed."""
    generations.changed(generations.links_key(clinician_id))


def catalog_changed() -> None:
    """The program catalog changed: every cached plan and patient list is out of date."""
    generations.changed(generations.CATALOG)


@receiver(post_save, sender=User)
def user_saved(sender, instance: User, **kwargs) -> None:
    # Clinicians' lists show the email; dates follow the time zone.
    user_changed(instance.pk)


@receiver(post_delete, sender=User)
def user_deleted(sender, instance: User, **kwargs) -> None:
    user_changed(instance.pk)
    generations.forget(*value_keys(instance.pk), patient_list_key(instance.pk))


@receiver(post_delete, sender=CareLink)
def care_link_deleted(sender, instance: CareLink, **kwargs) -> None:
    links_changed(instance.clinician_id)
    # An erased patient's rows leave the clinician's cached list at once.
    generations.forget(patient_list_key(instance.clinician_id))
