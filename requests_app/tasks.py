"""Celery tasks: thin, idempotent, each calls a service. Their names are the
ones `queue.py` enqueues."""

import logging
from datetime import date

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings

from . import queue
from .services import links, outbox, receipts, upkeep
from .services import requests as request_services

logger = logging.getLogger(__name__)


@shared_task
def sweep() -> None:
    """Beat runs this every SWEEP_INTERVAL_SECONDS: claim due reminders,
    enqueue their sends, and record that it ran (for /healthz)."""
    outbox.sweep()
    upkeep.heartbeat_record(name="sweep")
    # Daily jobs are started from here, on the day the database says,
    # whatever happened to beat's own countdown; they run on the main queue,
    # so a long purge cannot hold up the sweep.
    purge_day = upkeep.daily_job_due("purge")
    if purge_day:
        queue.enqueue_on_commit(queue.PURGE_EXPIRED, purge_day.isoformat())


@shared_task(name=queue.SEND_REMINDERS, acks_late=True)
def send_reminders(reminder_ids: list[int]) -> None:
    # The rows are claimed by a conditional UPDATE: a redelivered message
    # skips the rows already sent (they are no longer "claimed").
    outbox.deliver_batch(reminder_ids)


@shared_task(name=queue.PURGE_EXPIRED)
def purge_expired(day: str | None = None) -> None:
    """Erase requests past retention on `day` (the database's date; today if
    not given, for an operator who wants it now), and half-finished forms
    older than a day (they live in the session). The sweep starts it once a
    day and it records that it finished."""
    request_services.requests_purge_expired(today=date.fromisoformat(day) if day else None)
    upkeep.sessions_clear_expired()
    upkeep.daily_job_done("purge")


@shared_task(name="requests_app.tasks.send_private_link")
def send_private_link(request_id: int, send_id: str = "") -> None:
    """Messages of the task that sent private links before the outbox (queued
    before an upgrade): the email becomes an outbox row."""
    links.request_email_link(request_id=request_id)


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
