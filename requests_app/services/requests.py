"""Make a deletion request and move it along its life.

Each verb checks the state table (`lifecycle.next_status`) under the row lock,
writes the change, appends it to the timeline and makes the reminder plan and
the stored receipt follow.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date

from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from .. import dates, jurisdictions, queue
from ..choices import UNSATISFACTORY_OUTCOMES, AnswerOutcome, AppealOutcome, EventKind, Status
from ..lifecycle import Action, DateOrderError, InvalidTransition, allows, check_not_before, next_status
from ..models import DeletionRequest, RequestEvent, StoredReceipt
from ..tokens import token_issue
from .links import email_digest
from .outbox import email_now, reminders_replan

# No 0/O, 1/I/L: a reference is read aloud and typed from paper.
REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


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
    access_request: bool = False

    @property
    def full_name(self) -> str:
        return " ".join(part for part in (self.first_name, self.last_name) if part)


def new_reference() -> str:
    chars = [secrets.choice(REFERENCE_ALPHABET) for _ in range(8)]
    return "LO-" + "".join(chars[:4]) + "-" + "".join(chars[4:])


# A timeline holds at most this many lines: a real request has a dozen; the
# cap keeps a looping client from growing one row's history (and its receipt)
# without end.
MAX_TIMELINE_EVENTS = 200


class TimelineFull(InvalidTransition):
    """The request's timeline holds MAX_TIMELINE_EVENTS lines already."""


def _event(request: DeletionRequest, kind: str, *, on_date: date | None = None, detail: str = "") -> None:
    if kind not in (EventKind.ERASED, EventKind.LINK_SENT) and request.events.count() >= MAX_TIMELINE_EVENTS:
        raise TimelineFull(f"{request.reference} has {MAX_TIMELINE_EVENTS} timeline lines")
    RequestEvent.objects.create(request=request, kind=kind, on_date=on_date, detail=detail)


def _step_recorded(request: DeletionRequest, kind: str, *, on_date: date | None = None, detail: str = "") -> None:
    """The end of every verb that records a step: its timeline line (refused
    when the timeline is full, before anything is written), the row, the
    reminders replanned to the new state and the receipt rendered anew."""
    _event(request, kind, on_date=on_date, detail=detail)
    request.save()
    reminders_replan(request)
    _receipt_changed(request)


def _locked(request: DeletionRequest, action: Action) -> DeletionRequest:
    """The request re-read under its row lock, moved to the state `action`
    leads to (or InvalidTransition)."""
    request = DeletionRequest.objects.select_for_update().get(pk=request.pk)
    request.status = next_status(request.status, action)
    return request


def _receipt_changed(request: DeletionRequest) -> None:
    # What the receipt prints changed: the worker renders the new one.
    queue.enqueue_on_commit(queue.RENDER_RECEIPT, request.pk)


def draft_request(draft: RequestDraft, *, reference: str) -> DeletionRequest:
    """The request `draft` makes, not saved: what `request_create` stores, and
    what the review step shows the letter of before anything is stored."""
    regime = jurisdictions.regime_for(draft.country, draft.subdivision)
    return DeletionRequest(
        reference=reference,
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
        access_request=draft.access_request,
    )


def request_create(
    *, draft: RequestDraft, creation_key: str | None = None, reference: str | None = None
) -> tuple[DeletionRequest, str]:
    """Create the request and return it with its private-link token.

    `creation_key` makes a double-submitted form create one request: the second
    attempt raises IntegrityError, which the caller turns into a redirect.
    `reference` is the one the review step showed in the letter's preview; it
    is used unless another request took it meanwhile.
    """
    with transaction.atomic():
        if reference is None or DeletionRequest.objects.filter(reference=reference).exists():
            reference = _unique_reference()
        request = draft_request(draft, reference=reference)
        request.creation_key = creation_key
        request.save(force_insert=True)
        _event(request, EventKind.CREATED)
        if draft.ai_setting_off_on:
            _event(request, EventKind.AI_SETTING_OFF, on_date=draft.ai_setting_off_on)
        token = token_issue(request=request)
        # The email with the link is an outbox row of this transaction: if
        # the broker or SMTP is down the visitor still gets the page now, and
        # the email follows when they are back. It attaches the receipt.
        email_now(request)
    return request, token


def _unique_reference() -> str:
    # 31^8 ≈ 8.5e11 references: a clash is rare, but never impossible.
    for _attempt in range(10):
        reference = new_reference()
        if not DeletionRequest.objects.filter(reference=reference).exists():
            return reference
    raise IntegrityError("could not find a free reference")


def request_mark_submitted(*, request: DeletionRequest, submitted_on: date, case_number: str = "") -> None:
    """The member sent the request to LinkedIn on `submitted_on`; the legal
    clock starts that day. Marking it again corrects the date. Any past date
    is accepted: the member may have sent LinkedIn's form before finding us."""
    with transaction.atomic():
        request = _locked(request, Action.MARK_SUBMITTED)
        request.submitted_on = submitted_on
        request.linkedin_case_number = case_number
        request_dates = dates.request_dates(request)
        if request.follow_up_sent_on and request.follow_up_sent_on < dates.earliest_follow_up_on(request_dates):
            # With the corrected date the deadline had not passed yet: that letter was no follow-up.
            request.follow_up_sent_on = None
        _step_recorded(request, EventKind.SUBMITTED, on_date=submitted_on)


def request_record_extension(*, request: DeletionRequest, announced_on: date) -> None:
    """LinkedIn announced it takes the longer period the law allows."""
    regime = jurisdictions.regime_by_code(request.regime_code)
    if regime.extension is None:
        raise InvalidTransition("this law allows no extension")
    with transaction.atomic():
        request = _locked(request, Action.RECORD_EXTENSION)
        check_not_before(
            announced_on, request.submitted_on, _("LinkedIn cannot have extended before you sent the request.")
        )
        first_due = dates.request_dates(request).due_on
        if announced_on > first_due:
            raise DateOrderError(
                _("LinkedIn can extend only before its first deadline, which was %(date)s.")
                % {"date": formats.date_format(first_due, "DATE_FORMAT")}
            )
        request.extended_on = announced_on
        _step_recorded(request, EventKind.EXTENDED, on_date=announced_on)


def request_record_answer(*, request: DeletionRequest, outcome: str, answered_on: date, summary: str = "") -> None:
    """LinkedIn answered; `summary` is its answer in the member's words, for
    the complaint. Asking for ID is not an end: the request stays open."""
    action = Action.RECORD_ID_REQUEST if outcome == AnswerOutcome.ASKED_FOR_ID else Action.RECORD_ANSWER
    with transaction.atomic():
        request = _locked(request, action)
        check_not_before(
            answered_on, request.submitted_on, _("LinkedIn cannot have answered before you sent the request.")
        )
        if action == Action.RECORD_ANSWER:
            request.answered_on = answered_on
            # A new answer starts a new fork: an appeal of an earlier answer is history (timeline).
            request.appeal_sent_on = request.appeal_answered_on = None
            request.appeal_outcome = ""
        else:
            # A new ask for ID: the clock stands still again until it is given.
            request.id_requested_on = answered_on
            request.id_given_on = None
        request.answer_outcome = outcome
        request.answer_summary = summary
        _step_recorded(request, EventKind.ANSWERED, on_date=answered_on, detail=outcome)


def request_record_id_given(*, request: DeletionRequest, given_on: date) -> None:
    """The member gave LinkedIn the proof of identity it asked for: where the
    clock stopped for it (UK), it runs on from `given_on`."""
    with transaction.atomic():
        request = _locked(request, Action.RECORD_ID_GIVEN)
        if request.id_requested_on is None:
            raise InvalidTransition("LinkedIn did not ask for ID")
        check_not_before(given_on, request.id_requested_on, _("You cannot have given ID before LinkedIn asked for it."))
        if request.id_given_on is None:
            request.id_stopped_days += (given_on - request.id_requested_on).days
        else:  # a corrected date for the same ask
            request.id_stopped_days += (given_on - request.id_given_on).days
        request.id_given_on = given_on
        _step_recorded(request, EventKind.ID_GIVEN, on_date=given_on)


def request_record_follow_up(*, request: DeletionRequest, sent_on: date) -> None:
    """The member sent the follow-up letter: LinkedIn's 14 days count from `sent_on`."""
    with transaction.atomic():
        request = _locked(request, Action.RECORD_FOLLOW_UP)
        request_dates = dates.request_dates(request)
        if request_dates is None or request_dates.follow_up_ends_on is None:
            raise InvalidTransition("no follow-up letter after an extended deadline")
        check_not_before(
            sent_on,
            dates.earliest_follow_up_on(request_dates),
            _("The follow-up goes out after the deadline has passed, which was %(date)s.")
            % {"date": formats.date_format(request_dates.current_due_on, "DATE_FORMAT")},
        )
        request.follow_up_sent_on = sent_on
        _step_recorded(request, EventKind.FOLLOW_UP_SENT, on_date=sent_on)


def request_record_appeal(*, request: DeletionRequest, sent_on: date) -> None:
    """The member appealed LinkedIn's refusal, where the law gives an appeal."""
    if jurisdictions.regime_by_code(request.regime_code).appeal is None:
        raise InvalidTransition("this law gives no appeal")
    with transaction.atomic():
        request = _locked(request, Action.RECORD_APPEAL)
        if request.answer_outcome not in UNSATISFACTORY_OUTCOMES:
            raise InvalidTransition("an appeal follows a refusal or a partial answer")
        check_not_before(sent_on, request.answered_on, _("You cannot have appealed before LinkedIn answered."))
        request.appeal_sent_on = sent_on
        _step_recorded(request, EventKind.APPEAL_SENT, on_date=sent_on)


def request_record_appeal_answer(*, request: DeletionRequest, outcome: str, answered_on: date) -> None:
    with transaction.atomic():
        request = _locked(request, Action.RECORD_APPEAL_ANSWER)
        if request.appeal_sent_on is None:
            raise InvalidTransition("no appeal was recorded")
        check_not_before(
            answered_on, request.appeal_sent_on, _("LinkedIn cannot have answered the appeal before you sent it.")
        )
        request.appeal_outcome = outcome
        request.appeal_answered_on = answered_on
        _step_recorded(request, EventKind.APPEAL_ANSWERED, on_date=answered_on, detail=outcome)


def request_record_complaint(*, request: DeletionRequest, sent_on: date, authority_key: str) -> None:
    """The member complained to `authority_key` (one of their authorities):
    no more reminders but the purge warning."""
    regime = jurisdictions.regime_by_code(request.regime_code)
    keys = [a.key for a in jurisdictions.authorities_for(regime, request.country, request.subdivision)]
    if authority_key not in keys:
        raise InvalidTransition("not an authority of this request")
    with transaction.atomic():
        request = _locked(request, Action.RECORD_COMPLAINT)
        check_not_before(sent_on, request.submitted_on, _("You cannot have complained before you sent the request."))
        request.complaint_sent_on = sent_on
        request.complaint_authority = authority_key
        _step_recorded(request, EventKind.COMPLAINT_SENT, on_date=sent_on, detail=authority_key)


def request_record_access_sent(*, request: DeletionRequest, sent_on: date) -> None:
    """The member sent the access request; its own deadline counts from `sent_on`."""
    with transaction.atomic():
        request = _locked(request, Action.RECORD_ACCESS_SENT)
        if not request.access_request:
            raise InvalidTransition("this request has no access request")
        request.access_sent_on = sent_on
        _step_recorded(request, EventKind.ACCESS_SENT, on_date=sent_on)


def request_record_access_answer(*, request: DeletionRequest, answered_on: date) -> None:
    with transaction.atomic():
        request = _locked(request, Action.RECORD_ACCESS_ANSWER)
        if request.access_sent_on is None:
            raise InvalidTransition("the access request was not sent")
        check_not_before(
            answered_on, request.access_sent_on, _("LinkedIn cannot have answered before you sent the access request.")
        )
        request.access_answered_on = answered_on
        _step_recorded(request, EventKind.ACCESS_ANSWERED, on_date=answered_on)


def request_confirm_ai_setting(*, request: DeletionRequest, switched_off_on: date) -> None:
    with transaction.atomic():
        request = _locked(request, Action.CONFIRM_AI_SETTING)
        request.ai_setting_off_on = switched_off_on
        _step_recorded(request, EventKind.AI_SETTING_OFF, on_date=switched_off_on)


def request_confirm_email(*, request: DeletionRequest) -> bool:
    """The member clicked the confirmation link: the private link is emailed
    and reminders may now be planned. False if there was nothing to confirm."""
    with transaction.atomic():
        request = DeletionRequest.objects.select_for_update().get(pk=request.pk)
        if request.email_confirmed_at or not allows(request.status, Action.CONFIRM_EMAIL):
            return False
        request.email_confirmed_at = timezone.now()
        request.save()
        _event(request, EventKind.EMAIL_CONFIRMED)
        reminders_replan(request)
        # Now the address is the member's: the private link and receipt may go to it.
        email_now(request)
    return True


def request_stop_reminders(*, request: DeletionRequest) -> bool:
    """One-click unsubscribe: no more reminders for this request. False if
    they were off already."""
    return _set_reminders(request, enabled=False)


def request_resume_reminders(*, request: DeletionRequest) -> bool:
    return _set_reminders(request, enabled=True)


def _set_reminders(request: DeletionRequest, *, enabled: bool) -> bool:
    action, event = (
        (Action.RESUME_REMINDERS, EventKind.REMINDERS_RESUMED)
        if enabled
        else (Action.STOP_REMINDERS, EventKind.REMINDERS_STOPPED)
    )
    with transaction.atomic():
        request = DeletionRequest.objects.select_for_update().get(pk=request.pk)
        if request.reminders_enabled == enabled or not allows(request.status, action):
            return False
        request.reminders_enabled = enabled
        request.save()
        _event(request, event)
        reminders_replan(request)
    return True


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
    "answer_summary": "",
    "creation_key": None,
}


def request_erase(*, request: DeletionRequest) -> None:
    """Remove everything personal at once. The row stays, reduced to the
    reference, dates and regime, so its link can say it was erased."""
    with transaction.atomic():
        request = DeletionRequest.objects.select_for_update().get(pk=request.pk)
        if request.status == Status.ERASED:
            return
        request.status = next_status(request.status, Action.ERASE)
        for field, blank in PERSONAL_FIELDS.items():
            setattr(request, field, blank)
        request.erased_at = timezone.now()
        request.reminders_enabled = False
        # Without its salt the receipt fingerprints LinkedOut keeps cannot be
        # recomputed from guessed personal data.
        request.fingerprint_salt = ""
        request.save()
        # The stored PDF holds everything just erased. Its fingerprint rows
        # stay (no personal data), so old receipts remain verifiable. A render
        # running now stores nothing: it takes this row's lock to store.
        StoredReceipt.objects.filter(request=request).delete()
        # Event details may hold a case number; keep only kinds and dates.
        request.events.update(detail="")
        # No email will carry a link again: nothing is kept to remake one.
        request.tokens.update(link_seed="")
        _event(request, EventKind.ERASED)
        # Nothing more, ever: pending rows are cancelled, errors forgotten.
        reminders_replan(request)
        request.reminders.update(last_error="")


def requests_past_retention(today: date) -> QuerySet[DeletionRequest]:
    """The live requests whose dates.purge_on() is today or earlier. The
    query narrows them to the candidates (purge_on is never earlier than its
    cut-off); the exact day is then read from their dates alone: the daily
    purge must not load and decrypt every request to find them."""
    cutoffs = dates.retention_cutoffs(today)
    settled = Q(status=Status.ANSWERED) & (
        Q(answer_outcome=AnswerOutcome.DONE) | Q(appeal_outcome=AppealOutcome.GRANTED)
    )
    candidates = DeletionRequest.objects.exclude(status=Status.ERASED).filter(
        (settled & (Q(answered_on__lte=cutoffs.answered_by) | Q(appeal_answered_on__lte=cutoffs.answered_by)))
        | (~settled & Q(updated_at__date__lte=cutoffs.idle_since))
    )
    due = [
        request.pk
        for request in candidates.only(*RETENTION_FIELDS)
        if (purge_day := dates.purge_on(request)) is not None and purge_day <= today
    ]
    return DeletionRequest.objects.filter(pk__in=due)


# What dates.purge_on reads: dates and codes, nothing encrypted.
RETENTION_FIELDS = (
    "status", "regime_code", "updated_at", "answered_on", "answer_outcome", "appeal_sent_on",
    "appeal_answered_on", "appeal_outcome", "access_sent_on", "access_answered_on",
)  # fmt: skip


def requests_purge_expired(*, today: date | None = None) -> int:
    """Erase every request whose retention period is over (daily task)."""
    today = today or timezone.localdate()
    ids = list(requests_past_retention(today).values_list("pk", flat=True))
    for request in DeletionRequest.objects.filter(pk__in=ids).only("pk"):
        request_erase(request=request)
    return len(ids)
