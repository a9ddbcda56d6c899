"""The visit report made in the background (``services.report_file_make``)."""

from __future__ import annotations

import logging

from celery import shared_task

from backend.reports import services

logger = logging.getLogger(__name__)


# A report takes about a second; one still drawing after 30 s is stuck: it is marked
# failed (the poll says so) rather than holding a worker.
@shared_task(acks_late=True, reject_on_worker_lost=True, soft_time_limit=30, time_limit=60)
def make_report(report_id: str) -> str:
    return services.report_file_make(report_id=report_id)


def report_queue(report_id: str) -> bool:
    """Queue the report's task; False when the broker cannot be reached (the caller
    then makes the report in the request instead: slower, but the person gets it)."""
    try:
        # A connection of its own, tried once: kombu would otherwise retry for seconds.
        with make_report.app.connection_for_write() as connection:
            connection.ensure_connection(max_retries=0)
            make_report.apply_async((report_id,), connection=connection, retry=False)
    except Exception:
        logger.exception("report %s not queued (broker down?); made in the request", report_id)
        return False
    return True
