"""A real Celery worker in a subprocess, on the test database and the real Redis broker."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


def test_database_url() -> str:
    """The database pytest-django created (test_...), for the worker to share."""
    db = connection.settings_dict
    credentials = quote(db["USER"] or "") + (f":{quote(db['PASSWORD'])}" if db.get("PASSWORD") else "")
    return f"postgres://{credentials}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def flush_broker() -> None:
    """Empty the Redis database of REDIS_URL (and only that one): no task from another test."""
    import redis

    redis.Redis.from_url(settings.REDIS_URL).flushdb()


class Worker:
    def __init__(self, *, log_dir: Path, vapid_private_key: str, visibility_timeout: int = 3600) -> None:
        self.log = log_dir / f"worker-{uuid.uuid4().hex[:8]}.log"
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.settings",
            "DATABASE_URL": test_database_url(),
            "CONN_MAX_AGE": "0",  # no connection left open across the test's table flush
            "REDIS_URL": settings.REDIS_URL,
            "VAPID_PRIVATE_KEY": vapid_private_key,
            "VAPID_PUBLIC_KEY": "",
            "VAPID_SUBJECT": settings.VAPID_SUBJECT,
            "WEBPUSH_ALLOWED_HOSTS": "127.0.0.1",
            "CELERY_VISIBILITY_TIMEOUT": str(visibility_timeout),
            "LOG_LEVEL": "INFO",
        }
        self.process: subprocess.Popen | None = None

    def start(self, *, timeout: float = 60) -> Worker:
        starts = self.log.read_text().count(" ready.") if self.log.exists() else 0
        with self.log.open("a") as log:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "celery",
                    "-A",
                    "backend",
                    "worker",
                    "--loglevel=INFO",
                    "--pool=prefork",
                    "--concurrency=2",
                    "--without-gossip",
                    "--without-mingle",
                    "--without-heartbeat",
                    f"--hostname=reminders-test-{uuid.uuid4().hex[:6]}@%h",
                ],
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: a kill takes the children too
            )
        deadline = time.monotonic() + timeout
        while self.log.read_text().count(" ready.") <= starts:
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the worker did not start:\n{self.tail()}")
            time.sleep(0.1)
        return self

    def kill(self) -> None:
        """SIGKILL the worker and its pool processes at once, as an OOM killer would."""
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def tail(self, lines: int = 40) -> str:
        return "\n".join(self.log.read_text().splitlines()[-lines:]) if self.log.exists() else ""
