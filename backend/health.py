"""GET /healthz: is the database reachable and migrated, is the broker reachable."""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.migrations.executor import MigrationExecutor
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.celery import app as celery_app

logger = logging.getLogger(__name__)


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:
        logger.warning("health check: database unreachable", exc_info=True)
        return False


# Once every migration is applied, this process's code and the database agree for
# good: the (100 ms) check is not repeated on every probe.
_migrated = False


def _unapplied_migrations() -> int:
    """How many of this code's migrations the database lacks (0 when it is up to date)."""
    global _migrated
    if _migrated:
        return 0
    executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
    pending = len(executor.migration_plan(executor.loader.graph.leaf_nodes()))
    _migrated = pending == 0
    return pending


def _broker_ok() -> bool:
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=settings.CELERY_BROKER_CONNECTION_TIMEOUT)
        return True
    except Exception:
        logger.warning("health check: broker unreachable", exc_info=True)
        return False


class HealthSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=["ok", "down"])
    database = serializers.ChoiceField(choices=["ok", "down"])
    broker = serializers.ChoiceField(choices=["ok", "down"])
    unapplied_migrations = serializers.IntegerField(
        required=False, help_text="Present when the database is reachable but not migrated."
    )


class HealthView(APIView):
    """Liveness and readiness for load balancers and compose health checks."""

    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(responses={200: HealthSerializer, 503: HealthSerializer})
    @method_decorator(never_cache)
    def get(self, request: Request) -> Response:
        parts = {"database": "ok" if _database_ok() else "down", "broker": "ok" if _broker_ok() else "down"}
        body: dict[str, object] = {}
        if parts["database"] == "ok":
            try:
                pending = _unapplied_migrations()
            except Exception:
                logger.warning("health check: cannot read the applied migrations", exc_info=True)
                pending = -1
            if pending:
                # Reachable but not migrated: every request would fail, and saying why
                # saves an operator from hunting an outage (`manage.py migrate`).
                parts["database"] = "down"
                body["unapplied_migrations"] = pending
                logger.error("health check: %s unapplied migrations: run manage.py migrate", pending)
        healthy = all(state == "ok" for state in parts.values())
        return Response(
            {"status": "ok" if healthy else "down", **parts, **body}, status=200 if healthy else 503
        )
