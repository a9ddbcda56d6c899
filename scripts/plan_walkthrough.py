#!/usr/bin/env python3
"""Walk through Backtrack's API as a new patient would, against a running server.

Signs up through allauth's app client, enrolls in every program, reads 28 days of
plan and checks, for each program, that the week number advances every 7 days and
that each day's prescriptions are the ones the program's content gives for that
week, and that they grow from week 1 to week 4 (longer, or a practice added). Prints what it saw; exits 1 on any
mismatch.

    python scripts/plan_walkthrough.py --base-url http://127.0.0.1:8000
"""

from __future__ import annotations

import argparse
import json
import secrets
import sys
import urllib.error
import urllib.request

NUMBERS = ("sets", "reps", "hold_seconds", "duration_seconds", "breaths")


class Api:
    def __init__(self, base_url: str) -> None:
        self.base_url = base_url.rstrip("/")
        self.token: str | None = None

    def call(self, method: str, path: str, body: dict | None = None) -> dict | list:
        request = urllib.request.Request(  # noqa: S310 (our own server)
            self.base_url + path,
            method=method,
            data=json.dumps(body).encode() if body is not None else None,
            headers={
                "Content-Type": "application/json",
                **({"X-Session-Token": self.token} if self.token else {}),
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 (our own server)
                return json.loads(response.read() or b"null")
        except urllib.error.HTTPError as error:
            raise SystemExit(f"{method} {path} -> {error.code}: {error.read().decode()[:500]}") from None


def volume(prescription: dict) -> int:
    total = 1
    for name in NUMBERS:
        total *= prescription.get(name, 1)
    return total


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--base-url", default="http://127.0.0.1:8000")
    args = parser.parse_args()
    api = Api(args.base_url)

    email = f"walkthrough-{secrets.token_hex(4)}@example.com"
    signup = api.call(
        "POST", "/_allauth/app/v1/auth/signup", {"email": email, "password": secrets.token_urlsafe(16)}
    )
    api.token = signup["meta"]["session_token"]
    today = api.call("GET", "/api/v1/me/")["today"]
    print(f"Signed up as {email}; today is {today}.")

    programs = {p["slug"]: p for p in api.call("GET", "/api/v1/programs/")}
    schedules = {}
    for slug in programs:
        api.call("POST", "/api/v1/enrollments/", {"program": slug, "start_date": today})
        detail = api.call("GET", f"/api/v1/programs/{slug}/")
        schedules[slug] = {
            week["week"]: {item["key"]: item["prescription"] for item in week["items"]}
            for week in detail["schedule"]
        }
    days = api.call("GET", f"/api/v1/plan/?start={today}&days=28")["days"]

    problems: list[str] = []
    for slug, program in programs.items():
        weeks_seen: list[int] = []
        volumes: dict[int, dict[str, int]] = {}
        for number, day in enumerate(days):
            expected_week = number // 7 + 1
            for item in (i for i in day["items"] if i["program"] == slug):
                key = item["id"].split(":")[1]
                if item["week"] != expected_week:
                    problems.append(f"{slug} {day['date']}: week {item['week']}, expected {expected_week}")
                if schedules[slug][item["week"]].get(key) != item["prescription"]:
                    problems.append(
                        f"{slug} {day['date']} {key}: prescription differs from the program content"
                    )
                volumes.setdefault(item["week"], {})[key] = volume(item["prescription"])
                if not weeks_seen or weeks_seen[-1] != item["week"]:
                    weeks_seen.append(item["week"])
        grew = sorted(k for k in volumes.get(1, {}) if volumes.get(4, {}).get(k, 0) > volumes[1][k])
        # A relaxation program progresses by adding longer practices rather than by
        # lengthening the first ones: a practice new in week 4 counts as growth too.
        grew += sorted(f"{k} (new)" for k in volumes.get(4, {}) if k not in volumes.get(1, {}))
        grown = ", ".join(grew) or "nothing"
        print(f"{program['title']:<28} weeks seen {weeks_seen}; grew from week 1 to 4: {grown}")
        if weeks_seen != [1, 2, 3, 4]:
            problems.append(f"{slug}: weeks seen {weeks_seen}, expected [1, 2, 3, 4]")
        if not grew:
            problems.append(f"{slug}: no prescription grew between week 1 and week 4")

    for problem in problems:
        print("PROBLEM:", problem)
    print("OK" if not problems else f"{len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
