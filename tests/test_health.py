import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from backend.celery import app as celery_app

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.django_db
def test_healthz_reports_database_and_broker(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "ok"}


@pytest.mark.django_db
def test_healthz_is_503_naming_the_broker_when_it_is_down(client, monkeypatch):
    monkeypatch.setitem(celery_app.conf, "broker_url", "redis://127.0.0.1:1/0")
    monkeypatch.setitem(celery_app.conf, "broker_write_url", None)

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["broker"] == "down"
    assert response.json()["database"] == "ok"


def test_healthz_is_503_naming_the_database_when_it_is_down():
    # A separate process: this one's database connection must stay healthy.
    script = (
        "import django, json; django.setup();"
        "from django.test import Client;"
        "r = Client().get('/healthz');"
        "print(json.dumps([r.status_code, r.json()]))"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": "postgres://postgres@127.0.0.1:1/nothing_here",
        "CONN_MAX_AGE": "0",
    }
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )

    status, body = json.loads(result.stdout.strip().splitlines()[-1])
    assert status == 503
    assert body["database"] == "down"
    assert body["status"] == "down"


def test_healthz_names_unapplied_migrations_instead_of_saying_ok(tmp_path):
    """A reachable database that was never migrated is not healthy: say why. And the
    503 an API call gets meanwhile says why in the log."""
    script = (
        "import django, json; django.setup();"
        "from django.test import Client;"
        "api = Client().get('/api/v1/programs/');"
        "r = Client().get('/healthz');"
        "print(json.dumps([r.status_code, r.json(), api.status_code]))"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'empty.sqlite3'}",
        "REDIS_URL": "",
    }
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    status, body, api_status = json.loads(result.stdout.strip().splitlines()[-1])
    assert status == 503
    assert body["database"] == "down" and body["unapplied_migrations"] > 10
    assert "unapplied migrations: run manage.py migrate" in result.stderr
    assert api_status == 503
    assert "503 for /api/v1/programs/: OperationalError: no such table" in result.stderr
