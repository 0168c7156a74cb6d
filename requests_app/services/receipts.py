"""The PDF receipt: rendered by the worker after each change, stored
encrypted, served on download and recorded as issued.

The worker (`receipt_render_and_store`, run after every change that alters
what the receipt prints) keeps one stored PDF per request. A download
(`receipt_issue`) serves it when it matches the request as it is now; when it
does not (the worker has not caught up, or is down) the web server renders
in a child process within the same time limit, and stores that.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .. import letters, receipts, stages
from ..choices import Status
from ..lifecycle import Action, next_status
from ..models import DeletionRequest, ReceiptFingerprint, StoredReceipt
from ..receipts import IssuedReceipt

logger = logging.getLogger(__name__)


def _store(request: DeletionRequest, *, fingerprint: str, pdf: bytes) -> bool:
    """Keep `pdf` as the request's receipt unless, by now, the request was
    erased or changed again (a newer render will follow that change)."""
    with transaction.atomic():
        # Erase takes this lock too: a request erased while we rendered stores nothing.
        request = DeletionRequest.objects.select_for_update().filter(pk=request.pk).first()
        if request is None or request.status == Status.ERASED:
            return False
        if receipts.receipt_fingerprint(request, events=receipts.receipt_events(request)) != fingerprint:
            return False
        StoredReceipt.objects.update_or_create(
            request=request,
            defaults={
                "fingerprint": fingerprint,
                "render_version": receipts.render_version(),
                "pdf": pdf,
                "rendered_at": timezone.now(),
                "request_updated_at": request.updated_at,
                "issued_at": None,
            },
        )
    return True


def receipt_render_and_store(*, request_id: int) -> bool:
    """Render the request's receipt as it is now and store it (worker task).
    False if there was nothing to do: erased, gone, or already stored."""
    request = DeletionRequest.objects.filter(pk=request_id).first()
    if request is None or request.status == Status.ERASED:
        return False
    events = receipts.receipt_events(request)
    fingerprint = receipts.receipt_fingerprint(request, events=events)
    if _current(request, fingerprint).exists():
        return False
    pdf = receipts.render_receipt(request, events=events, fingerprint=fingerprint)
    return _store(request, fingerprint=fingerprint, pdf=pdf)


def _current(request: DeletionRequest, fingerprint: str):
    return StoredReceipt.objects.filter(
        request=request, fingerprint=fingerprint, render_version=receipts.render_version()
    )


def _unchanged_since_issued(stored: StoredReceipt | None, request: DeletionRequest) -> bool:
    # Every verb that changes what a receipt prints saves the request, and
    # the render version covers what is not on the row (facts, texts, layout),
    # so an unchanged updated_at and version mean an unchanged receipt: the
    # fingerprint need not be computed again (two thirds of a download's work).
    return (
        stored is not None
        and stored.issued_at is not None
        and stored.request_updated_at == request.updated_at
        and stored.render_version == receipts.render_version()
        and stored.pdf is not None
    )


def receipt_issue(*, request: DeletionRequest) -> IssuedReceipt:
    """The PDF receipt of the request as it is now, recorded as issued (a
    download, or the attachment of the private-link email).

    The stored PDF when it is current; otherwise rendered now, in a child
    process killed at RECEIPT_TIME_LIMIT_SECONDS, and stored. Raises
    lifecycle.InvalidTransition for an erased request and receipts.ReceiptError
    (or ReceiptTimeout) if rendering fails.
    """
    next_status(request.status, Action.ISSUE_RECEIPT)
    stored = StoredReceipt.objects.filter(request=request).first()
    if _unchanged_since_issued(stored, request):
        return IssuedReceipt(reference=request.reference, fingerprint=stored.fingerprint, pdf=stored.pdf)
    events = receipts.receipt_events(request)
    fingerprint = receipts.receipt_fingerprint(request, events=events)
    is_current = (
        stored is not None and stored.fingerprint == fingerprint and stored.render_version == receipts.render_version()
    )
    pdf = stored.pdf if is_current else None
    if pdf is None:
        pdf = receipts.render_receipt_isolated(
            request, events=events, fingerprint=fingerprint, time_limit=settings.RECEIPT_TIME_LIMIT_SECONDS
        )
        _store(request, fingerprint=fingerprint, pdf=pdf)
    # Issued: from now on /verify/ confirms this fingerprint, even after erase.
    ReceiptFingerprint.objects.get_or_create(reference=request.reference, fingerprint=fingerprint)
    _current(request, fingerprint).update(issued_at=timezone.now(), request_updated_at=request.updated_at)
    return IssuedReceipt(reference=request.reference, fingerprint=fingerprint, pdf=pdf)


class NoComplaint(Exception):
    """No complaint pack for this request: not its authority, or not its stage."""


def complaint_pack_issue(*, request: DeletionRequest, authority_key: str) -> IssuedReceipt:
    """One PDF for the authority: the member's complaint and where to file
    it, then the receipt (the request as sent, the timeline, LinkedIn's answer
    as the member summarised it). Rendered like the receipt, in a child
    process within the time limit, and verifiable the same way. Not stored:
    a member asks for it once or twice, at the end. Raises NoComplaint for an
    authority that is not this member's, or at a stage with no complaint to make."""
    next_status(request.status, Action.ISSUE_RECEIPT)
    if not stages.stage_of(request, timezone.localdate()).offers_complaint:
        raise NoComplaint("no complaint at this stage")
    complaint = next((c for c in letters.complaint_letters(request) if c.authority.key == authority_key), None)
    if complaint is None:
        raise NoComplaint(f"not an authority of this request: {authority_key}")
    events = receipts.receipt_events(request)
    fingerprint = receipts.receipt_fingerprint(request, events=events, complaint=complaint)
    pdf = receipts.render_receipt_isolated(
        request,
        events=events,
        fingerprint=fingerprint,
        time_limit=settings.RECEIPT_TIME_LIMIT_SECONDS,
        complaint=complaint,
    )
    ReceiptFingerprint.objects.get_or_create(reference=request.reference, fingerprint=fingerprint)
    return IssuedReceipt(reference=request.reference, fingerprint=fingerprint, pdf=pdf, kind="complaint")
