import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DEBUG", "SECRET_KEY", "DJANGO_SETTINGS_MODULE", "SECURE_SSL_REDIRECT"}
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "backend.settings", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_settings_pass_the_deploy_check():
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="backtrack.example.com",
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize("command", ["check", "makemigrations", "migrate"])
def test_production_refuses_to_start_without_a_secret_key(command):
    result = manage(command, "--help" if command == "migrate" else "--check", DEBUG="0", SECRET_KEY="")

    assert result.returncode != 0
    # Said plainly, not as Django's "Models aren't loaded yet" further on.
    assert "SECRET_KEY must be set" in result.stderr
    assert "AppRegistryNotReady" not in result.stderr


def test_a_fresh_checkout_runs_management_commands_with_development_settings():
    """Nothing configured (no .env, DEBUG or SECRET_KEY): manage.py works, as on a new clone."""
    result = manage("makemigrations", "--check", "--dry-run")

    assert result.returncode == 0, result.stdout + result.stderr
    assert "No changes detected" in result.stdout


def test_a_bad_boolean_fails_loudly():
    result = manage("check", DEBUG="perhaps", SECRET_KEY=secrets.token_urlsafe(50))

    assert result.returncode != 0
    assert "DEBUG='perhaps' is not a boolean" in result.stderr


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"APP_URL": "backtrack.example.org"}, "APP_URL='backtrack.example.org' is not an origin"),
        ({"APP_URL": "https://backtrack.example.org/#/today"}, "APP_URL="),
        ({"CARE_NOTICE_LEASE": "0"}, "CARE_NOTICE_LEASE='0' must be between"),
    ],
)
def test_bad_alert_notice_settings_fail_loudly(env, message):
    result = manage("check", DEBUG="1", **env)

    assert result.returncode != 0
    assert message in result.stderr


@pytest.mark.parametrize(
    ("redis_url", "expected"),
    [("", "0 0"), ("redis://127.0.0.1:6379/0", "3600 300")],
    ids=["without Redis: off", "with Redis: on"],
)
def test_cached_responses_are_on_only_with_a_shared_cache(redis_url, expected):
    """A per-process cache would not hear of another process's writes (load_programs
    beside `make run`, other web workers): the caches need Redis."""
    result = manage(
        "shell",
        "-c",
        "from django.conf import settings; print(settings.USER_CACHE_SECONDS, settings.PATIENT_LIST_CACHE_SECONDS)",
        DEBUG="1",
        REDIS_URL=redis_url,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == expected


def _settings_value(module: str, name: str, **env: str) -> str:
    clean = {k: v for k, v in os.environ.items() if k not in {"BACKTRACK_DOTENV", name}}
    result = subprocess.run(
        [sys.executable, "-c", f"import {module} as s; print(repr(s.{name}))"],
        cwd=ROOT,
        env={**clean, "SECRET_KEY": "x" * 50, "DEBUG": "0", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_a_local_env_file_is_read_by_the_app_but_never_by_the_tests(tmp_path):
    """`make run` writes a .env; `make test` afterwards must not see any of it."""
    dotenv = tmp_path / ".env"
    dotenv.write_text("LOG_LEVEL=CRITICAL\n")

    assert _settings_value("backend.settings", "LOG_LEVEL", BACKTRACK_DOTENV=str(dotenv)) == "'CRITICAL'"
    assert _settings_value("tests.settings", "LOG_LEVEL", BACKTRACK_DOTENV=str(dotenv)) == "'INFO'"
