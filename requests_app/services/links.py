"""Private links sent by email, and finding requests by email address."""

from __future__ import annotations

import hashlib
import hmac
import logging
import uuid

from django.conf import settings
from django.db import transaction

from .. import queue
from ..choices import EventKind, Status, TokenPurpose
from ..emails import send_private_link_email
from ..models import DeletionRequest, RequestEvent
from ..receipts import ReceiptError
from ..tokens import token_issue
from .receipts import IssuedReceipt, receipt_issue

logger = logging.getLogger(__name__)


def email_digest(email: str) -> str:
    """Keyed hash of an address, so requests can be found by email without a
    searchable column of addresses."""
    key = settings.EMAIL_LOOKUP_KEY.encode()
    return hmac.new(key, email.strip().lower().encode(), hashlib.sha256).hexdigest()


def enqueue_private_link(request: DeletionRequest) -> None:
    # The token is minted by the worker, so it never travels through the
    # broker; the send id makes a redelivered message a no-op.
    queue.enqueue_on_commit(queue.SEND_PRIVATE_LINK, request.pk, uuid.uuid4().hex)


def request_issue_link(*, request_id: int) -> str | None:
    """A fresh private link to a live request (the guided form's second
    "Create" click leads back to the request it made); None if erased or gone."""
    request = DeletionRequest.objects.filter(pk=request_id).exclude(status=Status.ERASED).first()
    return token_issue(request=request) if request else None


def request_email_links(*, email: str) -> int:
    """Email a fresh private link for every live request of this address.
    Returns how many; the caller must not tell the visitor (no enumeration)."""
    requests = list(DeletionRequest.objects.filter(email_digest=email_digest(email)).exclude(status=Status.ERASED))
    with transaction.atomic():
        for request in requests:
            enqueue_private_link(request)
    return len(requests)


def request_send_private_link(*, request_id: int, send_id: str) -> bool:
    """Mint a link and email it; a second call with the same send_id is a no-op."""

    def nothing_to_send(request: DeletionRequest | None) -> bool:
        return (
            request is None
            or request.status == Status.ERASED
            or request.events.filter(kind=EventKind.LINK_SENT, detail=send_id).exists()
        )

    request = DeletionRequest.objects.filter(pk=request_id).first()
    if nothing_to_send(request):
        return False
    # Issued before taking the row lock: a render takes ~0.1 s, and on
    # SQLite the lock is the database's one write lock.
    receipt = _receipt_or_none(request)
    with transaction.atomic():
        # Checked again under the lock: a redelivered message may be running too.
        request = DeletionRequest.objects.select_for_update().filter(pk=request_id).first()
        if nothing_to_send(request):
            return False
        token = token_issue(request=request)
        confirm_token = ""
        if request.reminders_enabled and request.email_confirmed_at is None:
            # A token that confirms the address and nothing else, only ever
            # sent to that address.
            confirm_token = token_issue(request=request, purpose=TokenPurpose.CONFIRM_EMAIL)
        send_private_link_email(request=request, token=token, confirm_token=confirm_token, receipt=receipt)
        RequestEvent.objects.create(request=request, kind=EventKind.LINK_SENT, detail=send_id)
    return True


def _receipt_or_none(request: DeletionRequest) -> IssuedReceipt | None:
    # The link matters more than the attachment: a render that fails or
    # times out must not stop the email.
    try:
        return receipt_issue(request=request, in_process=True)
    except ReceiptError:
        logger.exception("receipt for %s could not be rendered; emailing the link without it", request.reference)
        return None
