"""Questionnaires as a person and their physiotherapist meet them: listed with their
licence, answered through sync (offline-safe), scored by the server, due on their
schedule in the person's own dates, in the plan, and in the FHIR export."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import time_machine
from fhir.resources.bundle import Bundle

from backend.outcomes.instruments import all_instruments
from backend.outcomes.schedule import due_date, is_due
from backend.tracker.models import QuestionnaireAnswer
from tests.programs.factories import EnrollmentFactory
from tests.tracker.helpers import TODAY, entry, statuses, sync

pytestmark = pytest.mark.usefixtures("frozen_time")

PEG = all_instruments()["peg"]
STARTBACK = all_instruments()["startback"]


def answer(slug: str, values: list[int], day: dt.date = TODAY) -> dict:
    items = all_instruments()[slug].items
    return {
        "date": day.isoformat(),
        "questionnaire": slug,
        "answers": {item.id: value for item, value in zip(items, values, strict=True)},
    }


def listed(client) -> dict[str, dict]:
    response = client.get("/api/v1/questionnaires/")
    assert response.status_code == 200
    return {q["slug"]: q for q in response.json()}


def test_the_list_shows_items_licence_sources_and_a_baseline_due(patient_client):
    found = listed(patient_client)

    assert list(found) == ["peg", "phq4", "startback", "pss4"]
    peg = found["peg"]
    assert peg["items"][0]["min_label"] == "No pain" and len(peg["items"][0]["answers"]) == 11
    assert peg["meaningful_change"]["value"] == 30 and peg["meaningful_change"]["direction"] == "fall"
    assert peg["sources"][0]["url"] == "https://doi.org/10.1007/s11606-009-0981-1"
    assert found["startback"]["licence"]["commercial_use"] is False
    assert "Keele University" in found["startback"]["licence"]["text"]
    assert found["phq4"]["bands"][2] == {
        "min": 6,
        "max": 8,
        "label": "moderate",
        "words": "A fair amount of worry or low mood: worth talking over with your doctor.",
    }
    # Nothing answered yet: every baseline is due today.
    assert all(
        q["due"] and q["due_date"] == TODAY.isoformat() and q["baseline"] is None for q in found.values()
    )


def test_the_list_says_how_each_score_is_made_so_the_phone_can_show_it_offline(patient_client):
    found = listed(patient_client)

    assert {slug: q["score"]["method"] for slug, q in found.items()} == {
        "peg": "mean",
        "phq4": "sum",
        "startback": "startback",
        "pss4": "sum",
    }
    # PSS-4 items 2 and 3 are reverse-scored: "Very often" (4) counts 0.
    reversed_item = found["pss4"]["items"][1]["answers"]
    assert [(a["value"], a["points"]) for a in reversed_item] == [(0, 4), (1, 3), (2, 2), (3, 1), (4, 0)]
    # STarT Back item 9: only "Very much" and "Extremely" count.
    assert [a["points"] for a in found["startback"]["items"][8]["answers"]] == [0, 0, 0, 1, 1]
    assert found["phq4"]["subscales"] == [
        {"id": "anxiety", "items": ["1", "2"], "positive_at": 3},
        {"id": "depression", "items": ["3", "4"], "positive_at": 3},
    ]
    assert found["phq4"]["support"] == {"total_at": 6, "subscale": "depression"}
    assert found["peg"]["support"] is None


def test_an_answer_is_scored_by_the_server_and_the_baseline_is_set(patient_client):
    sent = entry("questionnaire", {**answer("peg", [7, 6, 5]), "score": 0})  # a client's score is ignored
    result = sync(patient_client, sent)["results"][0]

    assert (result["status"], result["score"], result["band"], result["support"]) == (
        "created",
        6.0,
        None,
        False,
    )
    found = listed(patient_client)["peg"]
    assert found["baseline"] == {"date": TODAY.isoformat(), "score": 6.0}
    assert not found["due"] and found["due_date"] == (TODAY + dt.timedelta(days=7)).isoformat()
    pulled = patient_client.get("/api/v1/sync/").json()["entries"]
    assert pulled[0]["data"] == {**answer("peg", [7, 6, 5]), "score": 6.0, "band": None, "subscores": {}}
    # The same answer sent again (a phone that lost the reply) is harmless.
    assert statuses(sync(patient_client, sent)) == ["unchanged"]
    assert QuestionnaireAnswer.objects.count() == 1


def test_a_low_mood_on_the_phq4_asks_for_support(patient_client):
    result = sync(patient_client, entry("questionnaire", answer("phq4", [0, 1, 1, 2])))["results"][0]

    assert (result["score"], result["band"], result["support"]) == (4, "mild", True)
    pulled = patient_client.get("/api/v1/sync/").json()["entries"][0]["data"]
    assert pulled["subscores"] == {"anxiety": 1, "depression": 3}


def test_a_bad_answer_is_refused_by_name_while_the_rest_of_the_batch_applies(patient_client):
    bad = answer("phq4", [0, 1, 1, 2])
    bad["answers"]["2"] = 7
    del bad["answers"]["4"]
    result = sync(
        patient_client,
        entry("questionnaire", bad),
        entry("questionnaire", {**answer("peg", [1, 1, 1]), "questionnaire": "promis"}),
        entry("questionnaire", answer("startback", [1, 0, 0, 0, 1, 1, 1, 0, 3])),
    )

    assert statuses(result) == ["rejected", "rejected", "created"]
    errors = result["results"][0]["errors"]["answers"]
    assert set(errors) == {"2", "4"}
    assert "promis" in result["results"][1]["errors"]["questionnaire"][0]
    assert result["results"][2]["band"] == "high"


def test_a_future_date_is_refused(patient_client):
    result = sync(
        patient_client, entry("questionnaire", answer("peg", [1, 1, 1], TODAY + dt.timedelta(days=3)))
    )

    assert statuses(result) == ["rejected"]
    assert "date" in result["results"][0]["errors"]


def test_a_due_questionnaire_is_in_the_plan_and_done_once_answered(catalog, patient, patient_client):
    EnrollmentFactory(user=patient, start_date=TODAY)

    def items(day: dict) -> dict[str, str]:
        return {i["id"]: i["status"] for i in day["items"] if i["kind"] == "questionnaire"}

    today = patient_client.get("/api/v1/today/").json()
    assert items(today) == {f"questionnaire:{s}": "pending" for s in ("peg", "phq4", "startback", "pss4")}
    card = next(i for i in today["items"] if i["id"] == "questionnaire:peg")
    assert card["questionnaire"]["minutes"] == 1 and card["time_of_day"] == "anytime"

    sync(patient_client, entry("questionnaire", answer("peg", [4, 4, 4])))
    days = patient_client.get(f"/api/v1/plan/?start={TODAY}&days=8").json()["days"]
    assert items(days[0])["questionnaire:peg"] == "done"
    # The next PEG is due a week later, not before.
    assert [("questionnaire:peg" in items(day)) for day in days[1:]] == [False] * 6 + [True]


def test_no_plan_no_questionnaire_item(patient_client):
    assert patient_client.get("/api/v1/today/").json()["items"] == []


def test_schedules_every_n_days_and_at_fixed_days():
    start = dt.date(2026, 10, 1)
    assert due_date(PEG, [], start) == start
    assert due_date(PEG, [start], start) == dt.date(2026, 10, 8)
    assert not is_due(PEG, [start], dt.date(2026, 10, 7), start)
    assert is_due(PEG, [start], dt.date(2026, 10, 8), start)
    # STarT Back: the baseline, then day 42; after that, nothing more.
    assert due_date(STARTBACK, [start], start) == dt.date(2026, 11, 12)
    assert due_date(STARTBACK, [start, dt.date(2026, 11, 14)], start) is None


@pytest.mark.parametrize("zone", ["Europe/Paris", "America/New_York", "Pacific/Auckland"])
def test_due_follows_the_persons_own_date_across_a_clock_change(catalog, patient, patient_client, zone):
    """A PEG answered on Saturday 24 October 2026 is due on Saturday 31 October in the
    person's time zone, though Europe's clocks go back in between (25 October) and
    New Zealand's went forward (27 September): due by calendar date, not by 168 hours."""
    patient.timezone = zone
    patient.save(update_fields=["timezone"])
    with time_machine.travel(dt.datetime(2026, 10, 24, 12, 0, tzinfo=dt.UTC), tick=False):
        sent = {
            **entry("questionnaire", answer("peg", [5, 5, 5], dt.date(2026, 10, 24))),
            "updated_at": "2026-10-24T12:00:00Z",
        }
        assert statuses(sync(patient_client, sent)) == ["created"]
    # 23:30 local on Friday 30 October: not yet.
    from zoneinfo import ZoneInfo

    friday_late = dt.datetime(2026, 10, 30, 23, 30, tzinfo=ZoneInfo(zone))
    with time_machine.travel(friday_late, tick=False):
        assert not listed(patient_client)["peg"]["due"]
    with time_machine.travel(friday_late + dt.timedelta(hours=1), tick=False):
        found = listed(patient_client)["peg"]
        assert found["due"] and found["due_date"] == "2026-10-31"


def test_the_list_costs_the_same_queries_however_many_answers(patient_client, django_assert_max_num_queries):
    sync(
        patient_client,
        *[
            entry("questionnaire", answer("peg", [n % 10, 1, 2], TODAY - dt.timedelta(days=n)))
            for n in range(30)
        ],
    )
    # the session, the user, the answers
    with django_assert_max_num_queries(3):
        patient_client.get("/api/v1/questionnaires/")


def test_a_commercial_deployment_lists_only_the_free_instruments(patient_client, settings):
    settings.QUESTIONNAIRES_NONCOMMERCIAL = False
    assert list(listed(patient_client)) == ["peg", "phq4"]
    result = sync(patient_client, entry("questionnaire", answer("pss4", [1, 1, 1, 1])))
    assert statuses(result) == ["rejected"]


def test_the_list_needs_a_signed_in_person(api_client):
    assert api_client.get("/api/v1/questionnaires/").status_code in (401, 403)


def test_fhir_export_holds_questionnaires_responses_and_loinc_scores(patient_client):
    sync(
        patient_client,
        entry("questionnaire", answer("phq4", [1, 2, 0, 1], TODAY - dt.timedelta(days=14))),
        entry("questionnaire", answer("phq4", [0, 1, 0, 0])),
        entry("questionnaire", answer("peg", [6, 5, 4])),
    )
    document = json.loads(patient_client.get("/api/v1/me/export/?format=fhir").content)
    bundle = Bundle.parse_obj(document)  # FHIR R4 (fhir.resources 6.4)

    by_type: dict[str, list] = {}
    for item in bundle.entry:
        by_type.setdefault(item.resource.resource_type, []).append(item.resource)
    questionnaires = {q.url.rsplit("/", 1)[1]: q for q in by_type["Questionnaire"]}
    assert set(questionnaires) == {"phq4", "peg"}
    phq4 = questionnaires["phq4"]
    assert phq4.code[0].code == "70272-0"
    assert [i.code[0].code for i in phq4.item] == ["69725-0", "68509-9", "44250-9", "44255-8"]
    assert phq4.item[0].answerOption[3].valueCoding.code == "LA6571-9"
    assert questionnaires["peg"].item[0].code is None  # no LOINC code was looked up: none is invented
    responses = by_type["QuestionnaireResponse"]
    assert len(responses) == 3 and all(r.status == "completed" for r in responses)
    first = next(
        r
        for r in responses
        if r.questionnaire.endswith("phq4") and r.item[1].answer[0].valueCoding.code == "LA6570-1"
    )
    assert first.item[0].answer[0].valueCoding.display == "Several days"
    totals = [o for o in by_type["Observation"] if o.code.coding[0].code == "70272-0"]
    assert sorted(float(o.valueQuantity.value) for o in totals) == [1.0, 4.0]
    peg_total = next(o for o in by_type["Observation"] if o.code.coding[0].code == "peg-total")
    assert float(peg_total.valueQuantity.value) == 5.0


def test_csv_export_carries_the_answers_and_score(patient_client):
    sync(patient_client, entry("questionnaire", answer("peg", [3, 2, 1])))
    text = patient_client.get("/api/v1/me/export/?format=csv").content.decode()
    row = next(line for line in text.splitlines() if line.startswith("questionnaire,"))
    assert "peg" in row and '""1"": 3' in row
