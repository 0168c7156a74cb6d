"""Private links: sent by email on request, and finding requests by address."""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings
from django.db import transaction

from ..choices import Status, TokenPurpose
from ..models import DeletionRequest
from ..tokens import token_issue, tokens_end_all
from .outbox import email_now


def email_digest(email: str) -> str:
    """Keyed hash of an address, so requests can be found by email without a
    searchable column of addresses."""
    key = settings.EMAIL_LOOKUP_KEY.encode()
    return hmac.new(key, email.strip().lower().encode(), hashlib.sha256).hexdigest()


def _live(request_id: int) -> DeletionRequest | None:
    return DeletionRequest.objects.filter(pk=request_id).exclude(status=Status.ERASED).first()


def request_issue_link(*, request_id: int) -> str | None:
    """A fresh private link to a live request (the guided form's second
    "Create" click leads back to the request it made); None if erased or gone."""
    request = _live(request_id)
    return token_issue(request=request) if request else None


def request_email_link(*, request_id: int) -> None:
    """Email a fresh private link to this request's member, unless erased."""
    request = _live(request_id)
    if request is not None:
        email_now(request)


def request_email_links(*, email: str) -> int:
    """Email a fresh private link for every live request of this address
    (through the outbox: the worker mints each link as it sends it). Returns
    how many; the caller must not tell the visitor (no enumeration)."""
    requests = list(DeletionRequest.objects.filter(email_digest=email_digest(email)).exclude(status=Status.ERASED))
    with transaction.atomic():
        for request in requests:
            email_now(request)
    return len(requests)


def unsubscribe_token(request: DeletionRequest) -> str:
    """A random token that stops this request's reminders and does nothing
    else: a List-Unsubscribe URL is visible to mail providers, so it must not
    be the private link, nor show the request's id."""
    return token_issue(request=request, purpose=TokenPurpose.UNSUBSCRIBE)


def request_new_link(*, request: DeletionRequest) -> None:
    """ "Send me a new link, end the old ones": every link of the request
    (page, emails, calendar, unsubscribe) stops working, and a new private
    link goes to the member's address (to an unconfirmed one, the
    confirmation link first)."""
    with transaction.atomic():
        tokens_end_all(request)
        email_now(request)
