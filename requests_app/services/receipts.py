"""The PDF receipt: rendered by the worker after each change, stored
encrypted, served on download and recorded as issued.

The worker (`receipt_render_and_store`, run after every change that alters
what the receipt prints) keeps one stored PDF per request. A download
(`receipt_issue`) serves it when it matches the request as it is now. When it
does not, the worker is usually still rendering the change the member just
made: the download waits for its PDF while it can still be on its way
(RECEIPT_WORKER_WAIT_SECONDS after the change). Only if none comes (the
worker is down or far behind) does the web server render, in a child process
within the same time limit, and store that. A stale PDF is never served: a
stored one is served only if it was rendered from the request as it is now.
"""

from __future__ import annotations

import logging
import time

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .. import jurisdictions, letters, receipts, stages
from ..choices import EventKind, Status
from ..lifecycle import Action, next_status
from ..models import DeletionRequest, ReceiptFingerprint, RequestEvent, StoredReceipt
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


def _unchanged_since_stored(stored: StoredReceipt | None, request: DeletionRequest) -> bool:
    # Every verb that changes what a receipt prints saves the request, and
    # _store records the updated_at it checked the fingerprint against (under
    # the row lock), while the render version covers what is not on the row
    # (facts, texts, layout): an unchanged updated_at and version mean an
    # unchanged receipt, and the fingerprint need not be computed again (most
    # of a download's work).
    return (
        stored is not None
        and stored.request_updated_at == request.updated_at
        and stored.render_version == receipts.render_version()
        and stored.pdf is not None
    )


# How often a download that waits for the worker looks for its PDF.
_WAIT_POLL_SECONDS = 0.02


def _wait_for_worker(request: DeletionRequest, fingerprint: str) -> StoredReceipt | None:
    """The worker's PDF of this content, waited for while the render that the
    request's last change asked for can still be on its way; None after that."""
    # The app's clock, as updated_at's: web and worker share the database, not
    # always a clock, so this bounds the wait; it never decides what is current.
    until = request.updated_at.timestamp() + settings.RECEIPT_WORKER_WAIT_SECONDS
    while time.time() < until:
        stored = _current(request, fingerprint).first()
        if stored is not None and stored.pdf is not None:
            return stored
        time.sleep(_WAIT_POLL_SECONDS)
    return None


def receipt_issue(*, request: DeletionRequest, wait_for_worker: bool = False) -> IssuedReceipt:
    """The PDF receipt of the request as it is now, recorded as issued (a
    download, or the attachment of the private-link email).

    The stored PDF when it is current. Otherwise, with `wait_for_worker` (a
    download), the one the worker is rendering after the last change, waited
    for briefly; else (or if none comes) rendered now, in a child process
    killed at RECEIPT_TIME_LIMIT_SECONDS, and stored. Raises
    lifecycle.InvalidTransition for an erased request and receipts.ReceiptError
    (or ReceiptTimeout) if rendering fails.
    """
    next_status(request.status, Action.ISSUE_RECEIPT)
    stored = StoredReceipt.objects.filter(request=request).first()
    if _unchanged_since_stored(stored, request):
        return _issued(request, stored)
    events = receipts.receipt_events(request)
    fingerprint = receipts.receipt_fingerprint(request, events=events)
    is_current = (
        stored is not None
        and stored.fingerprint == fingerprint
        and stored.render_version == receipts.render_version()
        and stored.pdf is not None
    )
    if not is_current:
        stored = _wait_for_worker(request, fingerprint) if wait_for_worker else None
    if stored is None:
        pdf = receipts.render_receipt_isolated(
            request, events=events, fingerprint=fingerprint, time_limit=settings.RECEIPT_TIME_LIMIT_SECONDS
        )
        if not _store(request, fingerprint=fingerprint, pdf=pdf):
            # Changed again meanwhile: this PDF is still the receipt of the
            # request as the member asked for it; the worker stores the next one.
            return _record_issued(request, fingerprint=fingerprint, pdf=pdf)
        stored = _current(request, fingerprint).first()
    return _issued(request, stored)


def _issued(request: DeletionRequest, stored: StoredReceipt) -> IssuedReceipt:
    if stored.issued_at is None or stored.request_updated_at != request.updated_at:
        return _record_issued(request, fingerprint=stored.fingerprint, pdf=stored.pdf)
    return IssuedReceipt(reference=request.reference, fingerprint=stored.fingerprint, pdf=stored.pdf)


def _record_issued(request: DeletionRequest, *, fingerprint: str, pdf: bytes) -> IssuedReceipt:
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


def receipt_warm_up(*, layout: bool) -> None:
    """Pay at process start what the first receipt of a process would pay
    (0.5 s and more): the digest of the render inputs, the law and facts
    files, the templates and translations and, with `layout` (a process
    that renders in process: the worker), WeasyPrint's fonts, stylesheet and
    lazy imports, by rendering a sample receipt. Reads and writes no row."""
    try:
        request, events = _sample_request()
        receipts.render_version()
        fingerprint = receipts.receipt_fingerprint(request, events=events)
        if layout:
            receipts.render_receipt(request, events=events, fingerprint=fingerprint)
        else:
            receipts.render_receipt_html(request, events=events, fingerprint=fingerprint)
    except Exception:
        # A cold first receipt is slower, not wrong: never stop a process over it.
        logger.exception("warming up the receipt renderer failed; the first receipt will be slower")


def _sample_request() -> tuple[DeletionRequest, list[RequestEvent]]:
    # Unsaved, made up, with a specific item and a case number, so the
    # sample touches every part of the template a real receipt does.
    now = timezone.now()
    request = DeletionRequest(
        reference="LO-WARM-WARM",
        full_name="LinkedOut",
        email="warm-up@example.invalid",
        country="IE",
        language=settings.LANGUAGE_CODE,
        letter_language=settings.LANGUAGE_CODE,
        regime_code=jurisdictions.regime_for("IE").code,
        status=Status.SUBMITTED,
        data_categories=["ai_training"],
        specific_urls=["https://www.linkedin.com/posts/warm-up"],
        created_at=now,
        submitted_on=now.date(),
        linkedin_case_number="000000-000000",
    )
    events = [
        RequestEvent(kind=EventKind.CREATED, at=now),
        RequestEvent(kind=EventKind.SUBMITTED, at=now, on_date=now.date(), detail="000000-000000"),
    ]
    return request, events
