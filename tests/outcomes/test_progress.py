"""Scores over time against the baseline, as the person's Progress and their
physiotherapist's list and summary show them: the numbers, the plain words, and a
"meaningful change" only where the instrument publishes one."""

from __future__ import annotations

import datetime as dt

import pytest

from backend.outcomes.instruments import all_instruments
from backend.outcomes.selectors import outcome_series
from tests.accounts.factories import UserFactory
from tests.care.test_clinician_api import link_patient
from tests.outcomes.test_api import answer
from tests.tracker.helpers import TODAY, entry, statuses, sync

pytestmark = pytest.mark.usefixtures("frozen_time")


def days_ago(n: int) -> dt.date:
    return TODAY - dt.timedelta(days=n)


def answers(client, slug: str, by_day: dict[int, list[int]]) -> None:
    sent = [entry("questionnaire", answer(slug, values, days_ago(n))) for n, values in by_day.items()]
    assert statuses(sync(client, *sent)) == ["created"] * len(sent)


def test_the_summary_shows_each_score_in_the_window_and_the_change_since_the_baseline(patient_client):
    # PEG 6.0 at the start (40 days ago), 5.0 three weeks later, 3.7 today: a 38% fall.
    answers(patient_client, "peg", {40: [7, 6, 5], 20: [5, 5, 5], 0: [4, 4, 3]})
    answers(patient_client, "phq4", {40: [2, 2, 1, 1], 0: [1, 1, 1, 1]})

    body = patient_client.get("/api/v1/summary/?days=28").json()

    # Only the answers inside the 28 days are plotted; the baseline still counts.
    assert body["outcomes"] == [
        {"questionnaire": "peg", "date": days_ago(20).isoformat(), "score": 5.0, "band": None},
        {"questionnaire": "peg", "date": TODAY.isoformat(), "score": 3.7, "band": None},
        {"questionnaire": "phq4", "date": TODAY.isoformat(), "score": 4, "band": "mild"},
    ]
    peg, phq4 = body["outcome_changes"]
    assert peg["baseline"] == {"date": days_ago(40).isoformat(), "score": 6.0, "band": None}
    assert (peg["latest"]["score"], peg["change"], peg["percent"], peg["meaningful"]) == (
        3.7,
        -2.3,
        -38,
        True,
    )
    assert peg["words"] == (
        "Pain and daily life (PEG): 6.0 when you started, 3.7 now (38% lower). That is a meaningful "
        "change: a fall of 30% or more is what the research counts as real."
    )
    # PHQ-4 publishes no minimal important change: the words say what moved, not "meaningful".
    assert (phq4["change"], phq4["meaningful"]) == (-2, False)
    assert (
        phq4["words"]
        == "Worry and mood (PHQ-4): 6 when you started, 4 now (33% lower), from moderate to mild, a little better."
    )


def test_a_small_fall_is_not_called_meaningful_and_says_where_meaningful_starts(patient_client):
    answers(patient_client, "peg", {14: [6, 6, 6], 0: [5, 5, 5]})
    (peg,) = patient_client.get("/api/v1/summary/?days=28").json()["outcome_changes"]

    assert (peg["percent"], peg["meaningful"]) == (-17, False)
    assert peg["words"].endswith("a little better. A meaningful change starts at a fall of 30%.")


def test_a_higher_score_is_said_kindly_with_what_to_do(patient_client):
    answers(patient_client, "peg", {14: [3, 3, 3], 0: [6, 6, 6]})
    (peg,) = patient_client.get("/api/v1/summary/?days=28").json()["outcome_changes"]

    # A 100% rise is not a meaningful improvement: PEG's published change is a fall.
    assert not peg["meaningful"]
    assert "tell your physiotherapist or doctor" in peg["words"] and "meaningful" not in peg["words"]


def test_a_single_answer_is_the_baseline_with_no_change_yet(patient_client):
    answers(patient_client, "pss4", {0: [2, 2, 2, 2]})
    (pss,) = patient_client.get("/api/v1/summary/?days=7").json()["outcome_changes"]

    assert (pss["change"], pss["percent"], pss["meaningful"]) == (None, None, False)
    assert pss["words"] == "Stress (PSS-4): 8 when you started. Your next answer will show the change."


def test_a_deleted_answer_leaves_the_scores(patient, patient_client):
    first = entry("questionnaire", answer("peg", [8, 8, 8], days_ago(7)))
    sync(patient_client, first, entry("questionnaire", answer("peg", [4, 4, 4])))
    sync(patient_client, {**first, "deleted": True, "updated_at": "2026-11-21T10:00:00Z"})

    (peg,) = outcome_series(patient, days_ago(27), TODAY)
    # The answer of a week ago is gone: today's is now the baseline.
    assert (peg["baseline"]["score"], peg["change"]) == (4.0, None)


def test_the_clinicians_list_and_summary_show_latest_and_change_since_baseline(link, patient_client, doctor):
    answers(patient_client, "peg", {30: [8, 8, 8], 0: [4, 5, 4]})
    answers(patient_client, "startback", {30: [1, 1, 0, 0, 1, 1, 1, 1, 3]})

    (row,) = doctor[1].get("/api/v1/care/patients/").json()
    peg, startback = row["outcomes"]
    assert peg == {
        "questionnaire": "peg",
        "short_title": "Pain and daily life (PEG)",
        "latest": {"date": TODAY.isoformat(), "score": 4.3, "band": None},
        "baseline": {"date": days_ago(30).isoformat(), "score": 8.0, "band": None},
        "change": -3.7,
        "percent": -46,
        "meaningful": True,
    }
    assert startback["latest"]["band"] == "high" and startback["change"] is None

    patient_id = row["id"]
    body = doctor[1].get(f"/api/v1/care/patients/{patient_id}/summary/?days=90").json()
    assert [c["questionnaire"] for c in body["outcome_changes"]] == ["peg", "startback"]
    assert len(body["outcomes"]) == 3


def test_the_list_shows_nothing_of_questionnaires_never_answered(link, doctor):
    (row,) = doctor[1].get("/api/v1/care/patients/").json()
    assert row["outcomes"] == []


@pytest.mark.parametrize("patients", [1, 5])
def test_the_list_with_scores_takes_a_constant_number_of_queries(
    catalog, doctor, login, django_assert_max_num_queries, patients
):
    for n in range(patients):
        person = UserFactory()
        link_patient(person, doctor[0])
        answers(login(person), "peg", {14: [n, 5, 5], 7: [5, 5, 5], 0: [4, 4, 4]})

    with django_assert_max_num_queries(15):
        rows = doctor[1].get("/api/v1/care/patients/").json()
    assert all(len(row["outcomes"]) == 1 for row in rows) and len(rows) == patients


def test_every_instrument_words_its_change_without_error():
    """Every instrument, each direction: words are written with the numbers, and
    'meaningful' appears only where the instrument publishes a minimal change."""
    from backend.outcomes.selectors import _series

    for slug, instrument in all_instruments().items():
        low, high = instrument.score_range
        for a, b in ((low, high), (high, low), (high, high)):
            rows = [(slug, days_ago(9), float(a), ""), (slug, TODAY, float(b), "")]
            (found,) = _series(rows, None, None)
            assert found["words"].startswith(instrument.short_title)
            if instrument.meaningful_change is None:
                assert "meaningful change" not in found["words"]
