"""Celery tasks: thin, idempotent, each calls a service. Their names are the
ones `queue.py` enqueues."""

import logging

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings

from . import queue
from .services import links, receipts, upkeep
from .services import reminders as reminder_services
from .services import requests as request_services

logger = logging.getLogger(__name__)


@shared_task
def sweep() -> None:
    """Beat runs this every SWEEP_INTERVAL_SECONDS: claim due reminders,
    enqueue their sends, and record that it ran (for /healthz)."""
    reminder_services.sweep()
    upkeep.heartbeat_record(name="sweep")


@shared_task(name=queue.SEND_REMINDERS, acks_late=True)
def send_reminders(reminder_ids: list[int]) -> None:
    # Each row is claimed on its own: a redelivered message skips the rows
    # already sent (they are no longer "claimed").
    for reminder_id in reminder_ids:
        reminder_services.reminder_deliver(reminder_id=reminder_id)


@shared_task
def purge_expired() -> None:
    """Daily: erase requests past retention, and half-finished forms older
    than a day (they live in the session)."""
    request_services.requests_purge_expired()
    upkeep.sessions_clear_expired()


@shared_task(name=queue.SEND_PRIVATE_LINK)
def send_private_link(request_id: int, send_id: str) -> None:
    # The token is minted here, in the worker, so it never travels through the
    # broker; send_id makes a redelivered message a no-op.
    links.request_send_private_link(request_id=request_id, send_id=send_id)


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
