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
    assert set(services) == {"proxy", "web", "worker", "beat", "postgres", "redis"}
    assert all("healthcheck" in service for service in services.values())
    assert {"postgres-data", "redis-data"} <= set(config["volumes"])
    assert services["web"]["environment"]["DEBUG"] == "0"
    assert services["worker"]["environment"]["REDIS_URL"] == "redis://redis:6379/0"


def test_compose_refuses_to_start_without_secrets(compose):
    result = compose()

    assert result.returncode != 0
    assert "set SECRET_KEY" in result.stderr or "set POSTGRES_PASSWORD" in result.stderr


def _published(service: dict) -> list[int]:
    return [int(port["published"]) for port in service.get("ports", []) if "published" in port]


def test_web_and_workers_scale_out_behind_the_proxy_while_beat_stays_single(compose):
    result = compose(
        SECRET_KEY="s" * 50,
        POSTGRES_PASSWORD="p" * 20,
        WEB_REPLICAS="4",
        WORKER_REPLICAS="6",
        WEB_CONCURRENCY="5",
        WORKER_CONCURRENCY="4",
    )

    assert result.returncode == 0, result.stderr
    services = yaml.safe_load(result.stdout)["services"]
    assert services["web"]["deploy"]["replicas"] == 4
    assert services["worker"]["deploy"]["replicas"] == 6
    assert services["beat"]["deploy"]["replicas"] == 1
    # Each replica's processes fit its machine: gunicorn's workers, Celery's prefork pool.
    assert services["web"]["environment"]["WEB_CONCURRENCY"] == "5"
    assert "--concurrency=4" in services["worker"]["command"]
    # Replicas cannot share a host port: only the proxy publishes one.
    assert _published(services["web"]) == []
    assert _published(services["proxy"]) == [8000]
    # The proxy appends one address to X-Forwarded-For, and gunicorn trusts exactly that one.
    assert services["web"]["environment"]["TRUSTED_PROXY_COUNT"] == "1"
    nginx = (ROOT / "deploy" / "nginx.conf").read_text()
    assert "server web:8000 resolve;" in nginx
    assert "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;" in nginx


def test_one_replica_each_by_default(compose):
    result = compose(SECRET_KEY="s" * 50, POSTGRES_PASSWORD="p" * 20)

    services = yaml.safe_load(result.stdout)["services"]
    assert [services[name]["deploy"]["replicas"] for name in ("web", "worker", "beat")] == [1, 1, 1]
