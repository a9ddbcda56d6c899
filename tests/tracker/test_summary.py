import datetime as dt
import random
import uuid

import pytest

from backend.programs.models import Program
from backend.tracker.insights import DayCheckIn, pattern_insights, streaks
from backend.tracker.models import CheckIn, SessionLog
from tests.programs.factories import EnrollmentFactory
from tests.tracker.helpers import TODAY, checkin, entry, session, sync

# The clock stands still at tests.tracker.helpers.NOW (tests/conftest.py).
pytestmark = pytest.mark.usefixtures("frozen_time")


def days_ago(n: int) -> dt.date:
    return TODAY - dt.timedelta(days=n)


def add_checkins(user, values):
    """values: {days_ago: (pain, stress, sleep)}"""
    CheckIn.objects.bulk_create(
        CheckIn(
            user=user,
            client_id=uuid.uuid4(),
            updated_at=dt.datetime(2026, 11, 21, tzinfo=dt.UTC),
            latest_updated_at=dt.datetime(2026, 11, 21, tzinfo=dt.UTC),
            seq=1000 + n,
            date=days_ago(n),
            pain=pain,
            stress=stress,
            sleep_hours=sleep,
        )
        for n, (pain, stress, sleep) in values.items()
    )


def summary(client, days=7):
    response = client.get(f"/api/v1/summary/?days={days}")
    assert response.status_code == 200, response.content
    return response.json()


def test_series_has_one_day_per_day_of_the_window_ending_today(catalog, patient_client):
    for days in (7, 28, 90):
        body = summary(patient_client, days)
        assert len(body["series"]) == days
        assert body["series"][-1]["date"] == TODAY.isoformat()
        assert body["series"][0]["date"] == days_ago(days - 1).isoformat()
        assert set(body["series"][0]) == {"date", "pain", "stress", "sleep_hours", "done", "due"}


@pytest.mark.parametrize("days", ["0", "8", "30", "abc", "-7", "7.0"])
def test_only_7_28_or_90_days(catalog, patient_client, days):
    response = patient_client.get(f"/api/v1/summary/?days={days}")

    assert response.status_code == 400
    assert "days" in response.json()


def test_adherence_is_done_over_due_and_today_counts_once_logged(catalog, patient, patient_client):
    # Back stretches: six items every day. Enrolled two days ago.
    EnrollmentFactory(
        user=patient, program=Program.objects.get(slug="back-stretches"), start_date=days_ago(2)
    )
    sync(
        patient_client,
        *[
            entry("session", session(f"back-stretches:{key}", days_ago(2)))
            for key in ("cat-cow", "hamstring", "childs-pose")
        ],
        *[
            entry("session", session(f"back-stretches:{key}", days_ago(1)))
            for key in (
                "cat-cow",
                "hamstring",
                "desk-upper-back",
                "childs-pose",
                "knee-to-chest",
                "spinal-twist",
            )
        ],
        entry("session", session("back-stretches:cat-cow", TODAY)),
        entry("session", session("back-stretches:hamstring", TODAY, status="skipped")),
    )

    body = summary(patient_client)

    by_date = {d["date"]: d for d in body["series"]}
    assert (by_date[days_ago(2).isoformat()]["done"], by_date[days_ago(2).isoformat()]["due"]) == (3, 6)
    assert (by_date[days_ago(1).isoformat()]["done"], by_date[days_ago(1).isoformat()]["due"]) == (6, 6)
    assert (by_date[TODAY.isoformat()]["done"], by_date[TODAY.isoformat()]["due"]) == (1, 6)
    # 3 + 6 + 1 done; 6 + 6 due, and today's two logged items.
    assert body["adherence"] == pytest.approx(10 / 14, abs=0.001)
    assert by_date[days_ago(3).isoformat()]["due"] == 0


def test_adherence_is_null_when_nothing_was_due(catalog, patient_client):
    assert summary(patient_client)["adherence"] is None


def test_series_uses_the_latest_checkin_of_each_day(catalog, patient_client):
    sync(
        patient_client,
        entry("checkin", checkin(days_ago(1), pain=7, stress=8, sleep_hours=5.5), minutes=0),
        entry("checkin", checkin(days_ago(1), pain=5, stress=4), minutes=30),
    )

    day = {d["date"]: d for d in summary(patient_client)["series"]}[days_ago(1).isoformat()]
    assert (day["pain"], day["stress"], day["sleep_hours"]) == (5, 4, None)


def test_weekly_averages_and_change_since_the_first_week(catalog, patient, patient_client):
    add_checkins(patient, {n: (6, 7, 6.0) for n in range(21, 28)} | {n: (3, 4, 7.5) for n in range(0, 7)})

    body = summary(patient_client, 28)

    assert [w["days"] for w in body["weekly"]] == [7, 7, 7, 7]
    assert body["weekly"][0]["pain"] == 6.0 and body["weekly"][-1]["pain"] == 3.0
    assert body["weekly"][1]["pain"] is None
    change = body["change_since_first_week"]
    assert (change["pain"], change["stress"], change["sleep_hours"]) == (-3.0, -3.0, 1.5)


def test_streaks_count_days_practised_and_rest_days_do_not_break_them():
    today = dt.date(2026, 11, 21)
    first = today - dt.timedelta(days=30)
    due = {today - dt.timedelta(days=n) for n in range(31)} - {today - dt.timedelta(days=4)}
    practised = {today - dt.timedelta(days=n) for n in (1, 2, 3, 5, 6, 10, 11, 12, 13, 14)}

    # Day 4 was a rest day (nothing due); today is still going on.
    assert streaks(practised, due, today, first) == {"current": 5, "best": 5}
    assert streaks(practised | {today}, due, today, first) == {"current": 6, "best": 6}
    assert streaks(set(), due, today, first) == {"current": 0, "best": 0}


def test_streak_in_the_summary_comes_from_done_logs(catalog, patient, patient_client):
    EnrollmentFactory(
        user=patient, program=Program.objects.get(slug="back-stretches"), start_date=days_ago(10)
    )
    sync(
        patient_client,
        *[entry("session", session("back-stretches:cat-cow", days_ago(n))) for n in (1, 2, 3, 6, 7)],
    )

    assert summary(patient_client)["streak"] == {"current": 3, "best": 3}


def _paired(n, slope, noise, seed=1):
    rng = random.Random(seed)
    values = {}
    for day in range(n):
        stress = rng.randint(0, 10)
        pain = max(0, min(10, round(slope * stress + rng.uniform(-noise, noise) + 2)))
        values[TODAY - dt.timedelta(days=day)] = DayCheckIn(
            TODAY - dt.timedelta(days=day), pain, stress, None
        )
    return values


def insights_of(by_day):
    return pattern_insights(by_day, set(), TODAY, seed_key="test")


def test_no_claim_with_fewer_than_14_paired_days():
    insights = insights_of(_paired(13, slope=1, noise=0))

    assert [i["kind"] for i in insights] == ["not_enough_data"]
    assert "two weeks" in insights[0]["text"]
    assert insights[0]["n"] == 13


def test_a_strong_link_is_stated_in_plain_words_from_14_days():
    insights = insights_of(_paired(14, slope=0.8, noise=0.5))

    same_day = next(i for i in insights if i["kind"] == "stress_pain_same_day")
    assert same_day["n"] == 14
    assert same_day["chance"] is False
    assert same_day["effect"] > 0.5 and same_day["ci"][0] > 0
    assert same_day["text"] == "On days you felt more stressed, your pain tended to be higher that day."
    # Only 13 next-day pairs: nothing is said about the next day.
    assert not any(i["kind"] == "stress_pain_next_day" for i in insights)


def test_a_weak_link_is_called_chance():
    rng = random.Random(7)
    by_day = {}
    for day in range(40):
        date = TODAY - dt.timedelta(days=day)
        by_day[date] = DayCheckIn(date, rng.randint(0, 10), rng.randint(0, 10), None)

    insights = insights_of(by_day)

    same_day = next(i for i in insights if i["kind"] == "stress_pain_same_day")
    assert same_day["chance"] is True
    assert same_day["ci"][0] <= 0 <= same_day["ci"][1]
    assert "could be chance" in same_day["text"]
    assert "tended" not in same_day["text"]


def test_next_day_pain_is_paired_with_the_day_before_stress():
    by_day = {}
    for day in range(30):
        date = TODAY - dt.timedelta(days=day)
        # Pain follows the previous day's stress; same-day they are unrelated.
        stress = (day * 7) % 11
        yesterday_stress = ((day + 1) * 7) % 11
        by_day[date] = DayCheckIn(date, yesterday_stress, stress, None)

    insights = insights_of(by_day)

    next_day = next(i for i in insights if i["kind"] == "stress_pain_next_day")
    assert next_day["effect"] > 0.8
    assert next_day["chance"] is False
    assert next_day["n"] == 29
    assert next_day["lag_days"] == 1
    assert next_day["text"] == "On days after you felt more stressed, your pain tended to be higher."


def test_summary_of_a_year_of_daily_data_takes_a_constant_number_of_queries(
    catalog, patient, patient_client, django_assert_max_num_queries
):
    for slug in ("back-stretches", "breathing-relaxation"):
        EnrollmentFactory(user=patient, program=Program.objects.get(slug=slug), start_date=days_ago(20))
    add_checkins(patient, {n: (n % 11, (n * 3) % 11, 7.0) for n in range(365)})
    SessionLog.objects.bulk_create(
        SessionLog(
            user=patient,
            client_id=uuid.uuid4(),
            updated_at=dt.datetime(2026, 11, 21, tzinfo=dt.UTC),
            latest_updated_at=dt.datetime(2026, 11, 21, tzinfo=dt.UTC),
            seq=5000 + n,
            date=days_ago(n),
            item_id=f"back-stretches:cat-cow:{days_ago(n).isoformat()}",
            program="back-stretches",
            status="done",
        )
        for n in range(365)
    )

    for days in (7, 90):
        # Session, user, enrollments, items, adjustments, logs, practised days, check-ins,
        # questionnaire answers.
        with django_assert_max_num_queries(9):
            body = summary(patient_client, days)
        assert len(body["series"]) == days
    assert body["streak"]["current"] == 365
    assert any(i["kind"] == "stress_pain_same_day" for i in body["insights"])
