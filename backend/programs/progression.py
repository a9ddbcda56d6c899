"""Pain-guided progression: what a person's pain did to this week's dose.

The pain-monitoring model (Silbernagel et al. 2007, Am J Sports Med 35(6):897-906):
pain during or right after a session up to a limit (5 of 10) is acceptable; pain that
has not settled by the next morning, or morning pain above the person's baseline,
means the dose holds or steps back. The limits are a per-patient rule a clinician
with the ``prescribe`` scope may change (``PainLimits``).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PainLimits:
    """The pain rule one patient's plan follows (defaults: the published model)."""

    # Pain during or right after a session (0-10) that is still within limits.
    during_max: int = 5
    # How far the next morning's pain may rise above the baseline and still be
    # "settled" (0: any rise is a bad response).
    morning_rise_max: int = 0
    # Bad responses in a row that step the dose back a week.
    regress_after: int = 2
