"""Adherence has one definition (backend/tracker/adherence.py); tests/care/test_adherence.py
checks that every place showing it gives the same number."""

from __future__ import annotations

import pytest

from backend.tracker.adherence import Day, adherence


@pytest.mark.parametrize(
    ("days", "expected"),
    [
        ([], None),
        ([Day(done=0, due=0)], None),  # nothing due: no adherence, not 0
        ([Day(done=3, due=6)], 0.5),
        ([Day(done=9, due=6)], 1.0),  # an item logged twice is done once
        ([Day(done=6, due=6), Day(done=0, due=6)], 0.5),
        # Today counts only what is logged so far: this morning's pending items are not misses.
        ([Day(done=6, due=6), Day(done=0, due=6, logged=0, is_today=True)], 1.0),
        ([Day(done=6, due=6), Day(done=1, due=6, logged=2, is_today=True)], 0.875),
        ([Day(done=1, due=3)], 0.333),
    ],
)
def test_adherence_is_done_over_due_with_today_counted_once_logged(days, expected):
    assert adherence(days) == expected
