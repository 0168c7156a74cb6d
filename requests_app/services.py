"""The verbs of LinkedOut. Views and tasks call these and nothing else writes.

Every change appends to the request's timeline.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
import uuid
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.utils import timezone

from . import jurisdictions, receipts
from .models import AnswerOutcome, DeletionRequest, Heartbeat, ReceiptFingerprint, RequestEvent
from .reminders import reminders_replan, requests_past_retention
from .tokens import token_issue

logger = logging.getLogger(__name__)

# No 0/O, 1/I/L: a reference is read aloud and typed from paper.
REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


class InvalidTransition(Exception):
    """The request is not in a state that allows this change."""


@dataclass(frozen=True)
class RequestDraft:
    """Everything the guided form collected, already validated."""

    first_name: str
    last_name: str
    email: str
    country: str
    subdivision: str
    language: str
    letter_language: str
    profile_url: str
    scope: str
    data_categories: list[str]
    specific_urls: list[str]
    object_to_processing: bool
    close_account: bool
    ai_setting_off_on: date | None
    reminders_enabled: bool
    postal_address: str = ""
    particular_situation: str = ""

    @property
    def full_name(self) -> str:
        return " ".join(part for part in (self.first_name, self.last_name) if part)


def email_digest(email: str) -> str:
    """Keyed hash of an address, so requests can be found by email without a
    searchable column of addresses."""
    key = settings.EMAIL_LOOKUP_KEY.encode()
    return hmac.new(key, email.strip().lower().encode(), hashlib.sha256).hexdigest()


def new_reference() -> str:
    chars = [secrets.choice(REFERENCE_ALPHABET) for _ in range(8)]
    return "LO-" + "".join(chars[:4]) + "-" + "".join(chars[4:])


def _event(request: DeletionRequest, kind: str, *, on_date: date | None = None, detail: str = "") -> None:
    RequestEvent.objects.create(request=request, kind=kind, on_date=on_date, detail=detail)


def _enqueue_private_link(request: DeletionRequest) -> None:
    from .tasks import send_private_link

    send_private_link.delay_on_commit(request.pk, uuid.uuid4().hex)


def request_create(*, draft: RequestDraft, creation_key: str | None = None) -> tuple[DeletionRequest, str]:
    """Create the request and return it with its private-link token.

    `creation_key` makes a double-submitted form create one request: the second
    attempt raises IntegrityError, which the caller turns into a redirect.
    """
    regime = jurisdictions.regime_for(draft.country, draft.subdivision)
    with transaction.atomic():
        request = DeletionRequest.objects.create(
            reference=_unique_reference(),
            creation_key=creation_key,
            full_name=draft.full_name,
            first_name=draft.first_name,
            last_name=draft.last_name,
            postal_address=draft.postal_address,
            email=draft.email,
            email_digest=email_digest(draft.email),
            profile_url=draft.profile_url,
            country=draft.country,
            subdivision=draft.subdivision,
            language=draft.language,
            letter_language=draft.letter_language,
            scope=draft.scope,
            data_categories=draft.data_categories,
            specific_urls=draft.specific_urls,
            object_to_processing=draft.object_to_processing and regime.has_objection_right,
            particular_situation=draft.particular_situation if regime.has_objection_right else "",
            close_account=draft.close_account,
            ai_setting_off_on=draft.ai_setting_off_on,
            reminders_enabled=draft.reminders_enabled,
            regime_code=regime.code,
        )
        _event(request, RequestEvent.Kind.CREATED)
        if draft.ai_setting_off_on:
            _event(request, RequestEvent.Kind.AI_SETTING_OFF, on_date=draft.ai_setting_off_on)
        token = token_issue(request=request)
        _enqueue_private_link(request)
    return request, token


def _unique_reference() -> str:
    # 31^8 ≈ 8.5e11 references: a clash is rare, but never impossible.
    for _ in range(10):
        reference = new_reference()
        if not DeletionRequest.objects.filter(reference=reference).exists():
            return reference
    raise IntegrityError("could not find a free reference")


def _transition(request: DeletionRequest, status: str) -> None:
    if not request.can_move_to(status):
        raise InvalidTransition(f"{request.status} -> {status}")
    request.status = status


def request_mark_submitted(*, request: DeletionRequest, submitted_on: date, case_number: str = "") -> None:
    """The user sent the request to LinkedIn on `submitted_on`; the legal clock
    starts that day. Marking it again corrects the date."""
    with transaction.atomic():
        request = DeletionRequest.objects.select_for_update().get(pk=request.pk)
        _transition(request, DeletionRequest.Status.SUBMITTED)
        request.submitted_on = submitted_on
        request.linkedin_case_number = case_number
        request.save()
        _event(request, RequestEvent.Kind.SUBMITTED, on_date=submitted_on)
        reminders_replan(request)


def request_record_extension(*, request: DeletionRequest, announced_on: date) -> None:
    regime = jurisdictions.regime_by_code(request.regime_code)
    if regime.extension is None:
        raise InvalidTransition("this law allows no extension")
    with transaction.atomic():
        request = DeletionRequest.objects.select_for_update().get(pk=request.pk)
        if request.status != DeletionRequest.Status.SUBMITTED:
            raise InvalidTransition("only a submitted request can be extended")
        request.extended_on = announced_on
        request.save()
        _event(request, RequestEvent.Kind.EXTENDED, on_date=announced_on)
        reminders_replan(request)


def request_record_answer(*, request: DeletionRequest, outcome: str, answered_on: date) -> None:
    """LinkedIn answered. Asking for ID is not an end: the request stays open."""
    with transaction.atomic():
        request = DeletionRequest.objects.select_for_update().get(pk=request.pk)
        if outcome != AnswerOutcome.ASKED_FOR_ID:
            _transition(request, DeletionRequest.Status.ANSWERED)
            request.answered_on = answered_on
        elif request.status != DeletionRequest.Status.SUBMITTED:
            raise InvalidTransition("only a submitted request can be asked for ID")
        request.answer_outcome = outcome
        request.save()
        _event(request, RequestEvent.Kind.ANSWERED, on_date=answered_on, detail=outcome)
        reminders_replan(request)


def request_confirm_ai_setting(*, request: DeletionRequest, switched_off_on: date) -> None:
    with transaction.atomic():
        request = DeletionRequest.objects.select_for_update().get(pk=request.pk)
        if request.is_erased:
            raise InvalidTransition("erased")
        request.ai_setting_off_on = switched_off_on
        request.save()
        _event(request, RequestEvent.Kind.AI_SETTING_OFF, on_date=switched_off_on)
        reminders_replan(request)


def request_confirm_email(*, request: DeletionRequest) -> bool:
    """The user clicked the confirmation link: reminders may now be planned."""
    with transaction.atomic():
        request = DeletionRequest.objects.select_for_update().get(pk=request.pk)
        if request.is_erased or request.email_confirmed_at:
            return False
        request.email_confirmed_at = timezone.now()
        request.save()
        _event(request, RequestEvent.Kind.EMAIL_CONFIRMED)
        reminders_replan(request)
    return True


def request_stop_reminders(*, request: DeletionRequest) -> bool:
    """One-click unsubscribe: no more reminders for this request."""
    with transaction.atomic():
        request = DeletionRequest.objects.select_for_update().get(pk=request.pk)
        if not request.reminders_enabled:
            return False
        request.reminders_enabled = False
        request.save()
        _event(request, RequestEvent.Kind.REMINDERS_STOPPED)
        reminders_replan(request)
    return True


def request_resume_reminders(*, request: DeletionRequest) -> bool:
    with transaction.atomic():
        request = DeletionRequest.objects.select_for_update().get(pk=request.pk)
        if request.reminders_enabled or request.is_erased:
            return False
        request.reminders_enabled = True
        request.save()
        _event(request, RequestEvent.Kind.REMINDERS_RESUMED)
        reminders_replan(request)
    return True


def requests_purge_expired(*, today: date | None = None) -> int:
    """Erase every request whose retention period is over (daily task)."""
    today = today or timezone.localdate()
    ids = list(requests_past_retention(today).values_list("pk", flat=True))
    for request in DeletionRequest.objects.filter(pk__in=ids).only("pk"):
        request_erase(request=request)
    return len(ids)


# Fields that identify or describe the person; erase blanks them all.
PERSONAL_FIELDS = {
    "full_name": "",
    "first_name": "",
    "last_name": "",
    "postal_address": "",
    "particular_situation": "",
    "email": "",
    "email_digest": "",
    "profile_url": "",
    "specific_urls": [],
    "linkedin_case_number": "",
    "creation_key": None,
}


def request_erase(*, request: DeletionRequest) -> None:
    """Remove everything personal at once. The row stays, reduced to the
    reference, dates and regime, so its link can say it was erased."""
    with transaction.atomic():
        request = DeletionRequest.objects.select_for_update().get(pk=request.pk)
        if request.is_erased:
            return
        for field, blank in PERSONAL_FIELDS.items():
            setattr(request, field, blank)
        request.status = DeletionRequest.Status.ERASED
        request.erased_at = timezone.now()
        request.reminders_enabled = False
        # Without its salt the receipt fingerprints LinkedOut keeps cannot be
        # recomputed from guessed personal data.
        request.fingerprint_salt = ""
        request.save()
        # Event details may hold a case number; keep only kinds and dates.
        request.events.update(detail="")
        _event(request, RequestEvent.Kind.ERASED)
        # Nothing more, ever: pending rows are cancelled, errors forgotten.
        reminders_replan(request)
        request.reminders.update(last_error="")
    _drop_cached_receipts(request.reference)


def _drop_cached_receipts(reference: str) -> None:
    # Cached PDFs hold everything that was just erased. Their fingerprints
    # stay (they contain no personal data) so old receipts remain verifiable.
    fingerprints = ReceiptFingerprint.objects.filter(reference=reference).values_list("fingerprint", flat=True)
    cache.delete_many([receipts.cache_key(fingerprint) for fingerprint in fingerprints])


# A rendered receipt stays in the cache this long (erase deletes it at once).
RECEIPT_CACHE_SECONDS = 7 * 24 * 60 * 60


@dataclass(frozen=True)
class IssuedReceipt:
    reference: str
    fingerprint: str
    pdf: bytes

    @property
    def filename(self) -> str:
        return f"{self.reference}-receipt.pdf"


def receipt_issue(*, request: DeletionRequest) -> IssuedReceipt:
    """The PDF receipt of the request as it is now, recorded as issued.

    Served from the cache while the content (and so the fingerprint) is
    unchanged; rendered, recorded and cached otherwise. Raises
    receipts.ReceiptError (or ReceiptTimeout) if rendering fails.
    """
    if request.is_erased:
        raise InvalidTransition("an erased request has no receipt")
    events = receipts.receipt_events(request)
    fingerprint = receipts.receipt_fingerprint(request, events=events)
    key = receipts.cache_key(fingerprint)
    pdf = cache.get(key)
    if pdf is None:
        pdf = receipts.render_receipt(request, events=events, fingerprint=fingerprint)
        # Recorded before caching: a cached PDF always has its fingerprint row.
        ReceiptFingerprint.objects.get_or_create(reference=request.reference, fingerprint=fingerprint)
        cache.set(key, pdf, RECEIPT_CACHE_SECONDS)
        if DeletionRequest.objects.filter(pk=request.pk, status=DeletionRequest.Status.ERASED).exists():
            # Erased while we rendered: erase may have cleared the cache before
            # this entry was written.
            _drop_cached_receipts(request.reference)
    return IssuedReceipt(reference=request.reference, fingerprint=fingerprint, pdf=pdf)


def request_email_links(*, email: str) -> int:
    """Email a fresh private link for every live request of this address.
    Returns how many; the caller must not tell the visitor (no enumeration)."""
    requests = list(
        DeletionRequest.objects.filter(email_digest=email_digest(email)).exclude(status=DeletionRequest.Status.ERASED)
    )
    with transaction.atomic():
        for request in requests:
            _enqueue_private_link(request)
    return len(requests)


def request_send_private_link(*, request_id: int, send_id: str) -> bool:
    """Mint a link and email it; a second call with the same send_id is a no-op."""
    from .emails import send_private_link_email

    def nothing_to_send(request: DeletionRequest | None) -> bool:
        return (
            request is None
            or request.is_erased
            or request.events.filter(kind=RequestEvent.Kind.LINK_SENT, detail=send_id).exists()
        )

    request = DeletionRequest.objects.filter(pk=request_id).first()
    if nothing_to_send(request):
        return False
    # Rendered before taking the row lock: a render takes ~0.1 s, and on
    # SQLite the lock is the database's one write lock.
    receipt = _receipt_or_none(request)
    with transaction.atomic():
        # Checked again under the lock: a redelivered message may be running too.
        request = DeletionRequest.objects.select_for_update().filter(pk=request_id).first()
        if nothing_to_send(request):
            return False
        token = token_issue(request=request)
        send_private_link_email(request=request, token=token, receipt=receipt)
        _event(request, RequestEvent.Kind.LINK_SENT, detail=send_id)
    return True


def _receipt_or_none(request: DeletionRequest) -> IssuedReceipt | None:
    # The link matters more than the attachment: a render that fails or
    # times out must not stop the email.
    try:
        return receipt_issue(request=request)
    except receipts.ReceiptError:
        logger.exception("receipt for %s could not be rendered; emailing the link without it", request.reference)
        return None


def sessions_clear_expired() -> None:
    from importlib import import_module

    import_module(settings.SESSION_ENGINE).SessionStore.clear_expired()


def heartbeat_record(*, name: str) -> None:
    Heartbeat.objects.update_or_create(name=name, defaults={"at": timezone.now()})
