"""What the tracker tells other apps, without importing them."""

from __future__ import annotations

from django.dispatch import Signal

# Sent once the sync batch that opened them has committed, with ``alert_ids``: the
# SafetyAlert rows that opened at, or rose to, the ``urgent`` or ``emergency`` level.
# The care app notifies the patient's clinicians (``backend.care.notify``).
serious_alerts_opened = Signal()
