"""Celery tasks: thin, idempotent, each calls a service."""

from celery import shared_task

from . import reminders, services


@shared_task
def sweep() -> None:
    """Beat runs this every minute: claim due reminders, enqueue their sends,
    and record that it ran (for /healthz)."""
    reminders.sweep()
    services.heartbeat_record(name="sweep")


@shared_task(acks_late=True)
def send_reminders(reminder_ids: list[int]) -> None:
    # Each row is claimed on its own: a redelivered message skips the rows
    # already sent (they are no longer "claimed").
    for reminder_id in reminder_ids:
        reminders.reminder_deliver(reminder_id=reminder_id)


@shared_task(acks_late=True)
def send_reminder(reminder_id: int) -> None:
    """Kept for messages queued before send_reminders existed."""
    reminders.reminder_deliver(reminder_id=reminder_id)


@shared_task
def purge_expired() -> None:
    """Daily: erase requests past retention, and half-finished forms older
    than a day (they live in the session)."""
    services.requests_purge_expired()
    services.sessions_clear_expired()


@shared_task
def send_private_link(request_id: int, send_id: str) -> None:
    # The token is minted here, in the worker, so it never travels through the
    # broker; send_id makes a redelivered message a no-op.
    services.request_send_private_link(request_id=request_id, send_id=send_id)
