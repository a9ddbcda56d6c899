from pathlib import Path

import pytest
import yaml

from backend.accounts.emergency import CONTENT_DIR, directory
from backend.accounts.models import User
from tests.tracker.helpers import checkin, entry, sync

ME = "/api/v1/me/"
EU = [
    "AT",
    "BE",
    "BG",
    "HR",
    "CY",
    "CZ",
    "DK",
    "EE",
    "FI",
    "FR",
    "DE",
    "GR",
    "HU",
    "IE",
    "IT",
    "LV",
    "LT",
    "LU",
    "MT",
    "NL",
    "PL",
    "PT",
    "RO",
    "SK",
    "SI",
    "ES",
    "SE",
]

pytestmark = pytest.mark.usefixtures("frozen_time")


@pytest.mark.parametrize(
    ("zone", "country", "number"),
    [
        ("Europe/Paris", "FR", "15"),
        ("America/New_York", "US", "911"),
        ("America/Toronto", "CA", "911"),
        ("Europe/London", "GB", "999"),
        ("Europe/Berlin", "DE", "112"),
        ("Australia/Sydney", "AU", "000"),
        ("Pacific/Auckland", "NZ", "111"),
        ("Europe/Zurich", "CH", "144"),
        ("UTC", None, "112"),
    ],
)
def test_the_country_defaults_from_the_time_zone(patient, patient_client, zone, country, number):
    User.objects.filter(pk=patient.pk).update(timezone=zone)

    me = patient_client.get(ME).json()

    assert (me["country"], me["emergency_number"]) == (country, number)


def test_me_lists_the_countrys_crisis_lines(patient, patient_client):
    User.objects.filter(pk=patient.pk).update(timezone="Europe/London")

    lines = patient_client.get(ME).json()["crisis_lines"]

    assert {"name": "Samaritans", "phone": "116 123", "url": "https://www.samaritans.org"} in lines


@pytest.mark.parametrize("country,call", [("GB", {"number": "111", "label": "Call NHS 111"}), ("US", None)])
def test_me_carries_the_urgent_line_so_a_phone_offline_can_offer_it(patient, patient_client, country, call):
    User.objects.filter(pk=patient.pk).update(country=country)

    assert patient_client.get(ME).json()["urgent_call"] == call


def test_patch_me_sets_the_country_and_null_follows_the_time_zone_again(patient, patient_client):
    response = patient_client.patch(ME, {"country": "US"}, format="json")

    assert response.status_code == 200
    assert (response.json()["country"], response.json()["emergency_number"]) == ("US", "911")
    assert response.json()["crisis_lines"][0]["phone"] == "988"
    patient.refresh_from_db()
    assert patient.country == "US"

    again = patient_client.patch(ME, {"country": None}, format="json").json()
    assert (again["country"], again["emergency_number"]) == ("FR", "15")


@pytest.mark.parametrize("value", ["XX", "fr", "FRA", "F", 33, ["FR"]])
def test_patch_me_with_a_bad_country_is_a_400_naming_country(patient, patient_client, value):
    response = patient_client.patch(ME, {"country": value}, format="json")

    assert response.status_code == 400
    assert "country" in response.json()
    patient.refresh_from_db()
    assert patient.country == ""


def test_every_eu_country_and_the_others_asked_for_have_numbers_with_sources():
    listed = yaml.safe_load(Path(CONTENT_DIR / "emergency_numbers.yaml").read_text())
    lines = directory().lines

    for code in [*EU, "GB", "US", "CA", "AU", "NZ", "CH"]:
        assert code in lines, code
        assert listed["countries"][code]["sources"], code
    for code in EU:
        assert lines[code].emergency.number in ("112", "15"), code


def test_every_zone_of_a_listed_country_is_that_countrys_in_the_tz_database():
    zone_tab = Path("/usr/share/zoneinfo/zone.tab")
    if not zone_tab.exists():
        pytest.skip("no system tz database to compare with")
    system = {
        fields[2]: fields[0]
        for line in zone_tab.read_text().splitlines()
        if not line.startswith("#") and (fields := line.split("\t"))
    }
    assert {zone: code for zone, code in directory().zones.items() if zone in system} == {
        zone: system[zone] for zone in directory().zones if zone in system
    }


@pytest.mark.parametrize(
    ("zone", "country", "number"),
    [("America/New_York", "", "911"), ("Europe/Paris", "", "15"), ("UTC", "", "112"), ("UTC", "NZ", "111")],
)
def test_an_emergency_answer_carries_the_number_to_call_there(
    catalog, patient, patient_client, zone, country, number
):
    User.objects.filter(pk=patient.pk).update(timezone=zone, country=country)

    answer = sync(patient_client, entry("checkin", checkin(red_flags=["chest_breathless"])))

    safety = answer["results"][0]["safety"]
    assert safety["level"] == "emergency"
    assert safety["call"]["number"] == number
    assert number in safety["call"]["label"]


def test_an_urgent_answer_carries_the_urgent_line_where_the_country_has_one(catalog, patient, patient_client):
    User.objects.filter(pk=patient.pk).update(country="GB")

    answer = sync(patient_client, entry("checkin", checkin(red_flags=["leg_weakness"])))

    assert answer["results"][0]["safety"]["call"] == {"number": "111", "label": "Call NHS 111"}


def test_a_see_doctor_answer_offers_no_number_to_call(catalog, patient_client):
    answer = sync(patient_client, entry("checkin", checkin(red_flags=["fever"])))

    assert "call" not in answer["results"][0]["safety"]


def test_a_rejected_emergency_checkin_still_carries_the_number(catalog, patient, patient_client):
    User.objects.filter(pk=patient.pk).update(country="US")

    answer = sync(patient_client, entry("checkin", checkin(pain=12, red_flags=["chest_arm_jaw_pain"])))

    assert answer["results"][0]["status"] == "rejected"
    assert answer["results"][0]["safety"]["call"]["number"] == "911"
