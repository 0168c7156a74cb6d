"""Celery tasks: thin, idempotent, each calls a service. Their names are the
ones `queue.py` enqueues."""

import logging

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings

from . import queue
from .services import outbox, receipts, upkeep
from .services import requests as request_services

logger = logging.getLogger(__name__)


@shared_task
def sweep() -> None:
    """Beat runs this every SWEEP_INTERVAL_SECONDS: claim due reminders,
    enqueue their sends, and record that it ran (for /healthz)."""
    outbox.sweep()
    upkeep.heartbeat_record(name="sweep")
    # Daily jobs run from here, on the day the database says, whatever
    # happened to beat's own countdown.
    if upkeep.daily_job_due("purge"):
        request_services.requests_purge_expired()
        upkeep.sessions_clear_expired()
        upkeep.daily_job_done("purge")


@shared_task(name=queue.SEND_REMINDERS, acks_late=True)
def send_reminders(reminder_ids: list[int]) -> None:
    # Each row is claimed on its own: a redelivered message skips the rows
    # already sent (they are no longer "claimed").
    outbox.deliver_batch(reminder_ids)


@shared_task
def purge_expired() -> None:
    """Erase requests past retention, and half-finished forms older than a day
    (they live in the session). The sweep runs this once a day by itself; the
    task is for an operator who wants it now."""
    request_services.requests_purge_expired()
    upkeep.sessions_clear_expired()


@shared_task(
    name=queue.RENDER_RECEIPT,
    # The soft limit stops a render that runs long; the hard one kills the
    # child process if the layout engine swallowed the soft one.
    soft_time_limit=settings.RECEIPT_TIME_LIMIT_SECONDS,
    time_limit=settings.RECEIPT_TIME_LIMIT_SECONDS + 5,
)
def render_receipt(request_id: int) -> None:
    try:
        receipts.receipt_render_and_store(request_id=request_id)
    except SoftTimeLimitExceeded:
        # Nothing is stored; the next download renders it as a fallback.
        logger.warning("receipt of request %s took too long to render; not stored", request_id)
