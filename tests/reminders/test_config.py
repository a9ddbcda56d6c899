"""Configuration: VAPID keys, the push host allow-list, and the one beat schedule."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from celery.schedules import crontab
from django.conf import settings
from django.core.management import call_command

from backend.celery import app
from backend.reminders.vapid import VapidSigner, generate_key_pair, private_key_from_b64, public_key_b64

ROOT = Path(__file__).resolve().parents[2]


def check(**env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("VAPID_", "WEBPUSH_"))}
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env={
            **clean,
            "DJANGO_SETTINGS_MODULE": "backend.settings",
            "DEBUG": "0",
            "SECRET_KEY": secrets.token_urlsafe(50),
            **env,
        },
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_generate_vapid_keys_prints_a_working_pair_as_env_lines(capsys):
    call_command("generate_vapid_keys")

    lines = dict(line.split("=", 1) for line in capsys.readouterr().out.split())
    assert set(lines) == {"VAPID_PUBLIC_KEY", "VAPID_PRIVATE_KEY"}
    assert public_key_b64(private_key_from_b64(lines["VAPID_PRIVATE_KEY"])) == lines["VAPID_PUBLIC_KEY"]
    headers = VapidSigner(lines["VAPID_PRIVATE_KEY"], "mailto:ops@example.org").headers_for(
        "https://fcm.googleapis.com"
    )
    assert headers["Authorization"].startswith("vapid t=")
    assert f"k={lines['VAPID_PUBLIC_KEY']}" in headers["Authorization"]


def test_a_signed_token_is_reused_until_shortly_before_it_expires():
    signer = VapidSigner(generate_key_pair()[1], "mailto:ops@example.org")

    first = signer.headers_for("https://fcm.googleapis.com", now=1_000_000)
    assert signer.headers_for("https://fcm.googleapis.com", now=1_000_000 + 3600) is first
    assert signer.headers_for("https://web.push.apple.com", now=1_000_000) != first  # per push service
    assert signer.headers_for("https://fcm.googleapis.com", now=1_000_000 + 11.5 * 3600) != first


def test_a_good_configuration_starts():
    public, private = generate_key_pair()

    result = check(
        VAPID_PRIVATE_KEY=private, VAPID_PUBLIC_KEY=public, VAPID_SUBJECT="https://backtrack.example.org"
    )

    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"VAPID_PRIVATE_KEY": "not-a-key"}, "VAPID_PRIVATE_KEY is not a VAPID private key"),
        (
            {"VAPID_PRIVATE_KEY": generate_key_pair()[1], "VAPID_PUBLIC_KEY": generate_key_pair()[0]},
            "does not belong",
        ),
        ({"VAPID_PUBLIC_KEY": generate_key_pair()[0]}, "without VAPID_PRIVATE_KEY"),
        ({"VAPID_SUBJECT": "ops@example.org"}, "VAPID_SUBJECT="),
        ({"WEBPUSH_ALLOWED_HOSTS": "http://127.0.0.1:8443"}, "WEBPUSH_ALLOWED_HOSTS"),
        ({"WEBPUSH_CONCURRENCY": "lots"}, "WEBPUSH_CONCURRENCY='lots' is not a whole number"),
        ({"WEBPUSH_TIMEOUT": "0"}, "WEBPUSH_TIMEOUT='0' must be between"),
        ({"CELERY_VISIBILITY_TIMEOUT": "-5"}, "CELERY_VISIBILITY_TIMEOUT"),
        ({"REMINDERS_DISPATCH_CONNECTIONS": "0"}, "REMINDERS_DISPATCH_CONNECTIONS='0' must be between"),
        ({"TRUSTED_PROXY_COUNT": "-1"}, "TRUSTED_PROXY_COUNT='-1' must be between"),
        ({"TRUSTED_PROXY_COUNT": "one"}, "TRUSTED_PROXY_COUNT='one' is not a whole number"),
    ],
)
def test_bad_values_stop_the_process_naming_the_variable(env, message):
    result = check(**env)

    assert result.returncode != 0
    assert message in result.stderr


def test_the_dispatcher_is_the_one_periodic_reminder_task_and_runs_every_minute():
    schedule = settings.CELERY_BEAT_SCHEDULE
    dispatch = schedule["reminders-dispatch"]

    assert dispatch["schedule"] == crontab()  # every minute
    assert dispatch["options"]["expires"] < 60  # a missed tick is dropped, not piled up
    app.loader.import_default_modules()
    assert {entry["task"] for entry in schedule.values()} <= set(app.tasks)
    # "Declared in one place": nothing in the code adds periodic tasks elsewhere.
    sources = [p.read_text() for p in (ROOT / "backend").rglob("*.py")]
    assert not any("add_periodic_task" in source or "beat_schedule" in source for source in sources)
