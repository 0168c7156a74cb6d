"""Celery tasks: thin, idempotent, each calls a service."""

from celery import shared_task

from . import services


@shared_task
def sweep() -> None:
    """Beat runs this every minute. It records that it ran (for /healthz)."""
    services.heartbeat_record(name="sweep")


@shared_task
def send_private_link(request_id: int, send_id: str) -> None:
    # The token is minted here, in the worker, so it never travels through the
    # broker; send_id makes a redelivered message a no-op.
    services.request_send_private_link(request_id=request_id, send_id=send_id)
