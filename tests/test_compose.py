import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = shutil.which("docker-compose")


@pytest.fixture
def compose():
    if COMPOSE is None:
        if os.environ.get("REQUIRE_SERVICES") == "1":
            pytest.fail("docker-compose (Debian package) is needed to validate docker-compose.yml")
        pytest.skip("docker-compose is not installed (apt-get install docker-compose)")

    def run(**env: str) -> subprocess.CompletedProcess:
        clean = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "POSTGRES_PASSWORD"}}
        return subprocess.run(
            [COMPOSE, "config"], cwd=ROOT, env={**clean, **env}, capture_output=True, text=True, timeout=60
        )

    return run


def test_compose_file_is_valid_with_every_service_health_checked(compose):
    result = compose(SECRET_KEY="s" * 50, POSTGRES_PASSWORD="p" * 20)

    assert result.returncode == 0, result.stderr
    config = yaml.safe_load(result.stdout)
    services = config["services"]
    assert set(services) == {"web", "worker", "beat", "postgres", "redis"}
    assert all("healthcheck" in service for service in services.values())
    assert {"postgres-data", "redis-data"} <= set(config["volumes"])
    assert services["web"]["environment"]["DEBUG"] == "0"
    assert services["worker"]["environment"]["REDIS_URL"] == "redis://redis:6379/0"


def test_compose_refuses_to_start_without_secrets(compose):
    result = compose()

    assert result.returncode != 0
    assert "set SECRET_KEY" in result.stderr or "set POSTGRES_PASSWORD" in result.stderr
