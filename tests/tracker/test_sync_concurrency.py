import threading

import pytest
from django.db import connection
from django.db.models import Count

from backend.tracker.models import CheckIn, JournalEntry, SyncState
from tests.accounts.factories import UserFactory
from tests.tracker.helpers import apply_batch, checkin, entry, journal


def _run_together(*jobs):
    barrier = threading.Barrier(len(jobs))
    results, errors = [None] * len(jobs), []

    def worker(index, job):
        try:
            barrier.wait(timeout=10)
            results[index] = job()
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    return results


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("round_", range(5))
def test_two_devices_syncing_overlapping_batches_at_once_keep_one_row_per_client_id(round_):
    user = UserFactory()
    shared = [entry("checkin", checkin(pain=n % 11)) for n in range(40)]
    phone_only = [entry("journal", journal(text=f"phone {n}")) for n in range(20)]
    tablet_only = [entry("journal", journal(text=f"tablet {n}")) for n in range(20)]

    phone, tablet = _run_together(
        lambda: apply_batch(user, shared + phone_only),
        lambda: apply_batch(user, tablet_only + shared[::-1]),
    )

    assert CheckIn.objects.filter(user=user).count() == 40
    assert JournalEntry.objects.filter(user=user).count() == 40
    assert not CheckIn.objects.values("client_id").annotate(n=Count("id")).filter(n__gt=1).exists()
    shared_statuses = sorted(r["status"] for r in phone.results[:40] + tablet.results[20:])
    # Each shared entry was created by exactly one device and unchanged for the other.
    assert shared_statuses == ["created"] * 40 + ["unchanged"] * 40
    # The change sequence has no gaps or repeats: a cursor never skips an entry.
    seqs = sorted(
        list(CheckIn.objects.filter(user=user).values_list("seq", flat=True))
        + list(JournalEntry.objects.filter(user=user).values_list("seq", flat=True))
    )
    assert seqs == list(range(1, 81))
    assert SyncState.objects.get(user=user).counter == 80
