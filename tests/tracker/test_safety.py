import pytest
import yaml
from rest_framework.test import APIClient

from backend.programs.sources import CONTENT_DIR
from backend.tracker.models import CheckIn
from backend.tracker.safety import MAX_DAILY, safety_rules
from tests.tracker.helpers import checkin, entry, statuses, sync

pytestmark = pytest.mark.usefixtures("frozen_time")


@pytest.fixture
def client(catalog, patient_client):
    return patient_client


def served_rules() -> dict[str, dict]:
    body = APIClient().get("/api/v1/safety-rules/").json()
    return {rule["id"]: rule for rule in body["rules"]}


def test_the_daily_list_is_short_and_about_since_yesterday():
    daily = [rule for rule in served_rules().values() if rule["asked"] == "daily"]

    assert 0 < len(daily) <= MAX_DAILY == 8
    for rule in daily:
        assert rule["question"].startswith("Since yesterday"), rule["id"]


def test_history_questions_are_asked_once_not_daily():
    rules = served_rules()

    for rule_id in ("cancer_history", "fall_or_injury", "weight_loss"):
        assert rules[rule_id]["asked"] == "once"
    assert {rule["asked"] for rule in rules.values()} == {"daily", "once"}


def test_every_rule_names_a_source_listed_in_sources_yaml():
    known = {s["id"]: s for s in yaml.safe_load((CONTENT_DIR / "sources.yaml").read_text())["sources"]}

    for rule in served_rules().values():
        assert rule["sources"], rule["id"]
        # Served as source objects: each with the title the file gives it.
        for source in rule["sources"]:
            assert source["title"] == " ".join(known[source["id"]]["title"].split()), rule["id"]


def test_chest_pain_with_breathlessness_alone_is_an_emergency(client):
    answer = sync(client, entry("checkin", checkin(red_flags=["chest_breathless"])))

    assert served_rules()["chest_breathless"]["asked"] == "daily"
    assert answer["results"][0]["safety"]["level"] == "emergency"


def test_chest_pain_with_sweating_or_nausea_is_still_its_own_emergency_question():
    rule = served_rules()["chest_arm_jaw_pain"]

    assert rule["level"] == "emergency" and rule["asked"] == "daily"
    assert "sweating" in rule["question"] and "nausea" in rule["question"]


@pytest.mark.parametrize("history", ["cancer_history", "fall_or_injury"])
def test_a_history_question_in_a_checkin_is_rejected_naming_red_flags(client, patient, history):
    answer = sync(client, entry("checkin", checkin(red_flags=[history])))

    assert statuses(answer) == ["rejected"]
    assert "red_flags" in answer["results"][0]["errors"]
    assert not CheckIn.objects.filter(user=patient).exists()


def test_a_history_id_beside_an_emergency_does_not_hide_the_emergency(client):
    answer = sync(client, entry("checkin", checkin(red_flags=["cancer_history", "chest_breathless"])))

    assert statuses(answer) == ["rejected"]
    assert answer["results"][0]["safety"]["level"] == "emergency"


def test_only_the_highest_levels_message_is_shown(client):
    rules = safety_rules()
    answer = sync(client, entry("checkin", checkin(red_flags=["fever", "leg_weakness", "chest_breathless"])))

    safety = answer["results"][0]["safety"]
    assert safety["message"] == rules.levels["emergency"].message
    for lower in ("see_doctor", "urgent"):
        assert rules.levels[lower].message not in safety["message"]


def test_the_emergency_message_says_call_now_and_not_make_an_appointment():
    message = safety_rules().levels["emergency"].message.lower()

    assert "call" in message and "now" in message
    assert "appointment" not in message
    # The number is the person's own, carried beside the message.
    assert "112" not in message and "911" not in message
