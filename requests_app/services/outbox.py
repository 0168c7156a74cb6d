"""The outbox: every email LinkedOut sends is a `Reminder` row, planned in the
transaction of the change that causes it, claimed and delivered by the same
machinery, retried through the database.

* Planned kinds: `dates.plan_reminders` says which a request should get and
  when. Services call `reminders_replan` after every change, which cancels
  pending rows that no longer apply and adds the new ones; so a reminder made
  obsolete (by an extension, an answer, an erase) is cancelled, never sent.
* The private link: `email_now` adds a row due at once when a request is made
  or its member asks for the link again, and asks a worker to send it as soon
  as the transaction commits. If that message is lost (Redis down), the sweep
  sends the row anyway.
* The sweep, run by beat every SWEEP_INTERVAL_SECONDS on its own queue, claims
  due rows with one conditional UPDATE and enqueues their sends after commit,
  settings.REMINDER_SEND_CHUNK rows a message.
* A worker delivers a message's reminders together (deliver_batch): a
  constant number of queries and commits per message, not per email.

Every time here is the database's clock (`Now()`), never a worker's: the claim
time one worker writes and the stale-claim rule another applies agree.
"""

from __future__ import annotations

import contextlib
import logging
import secrets
import smtplib
import time
import traceback
from datetime import datetime

from django.conf import settings
from django.db import (
    DatabaseError,
    DataError,
    IntegrityError,
    NotSupportedError,
    ProgrammingError,
    connection,
    transaction,
)
from django.db.models import DateTimeField, ExpressionWrapper, F, Q
from django.db.models.functions import Now

from .. import dates, queue
from ..choices import EventKind, ReminderKind, ReminderState, Status, TokenPurpose
from ..emails import reminder_message, send_confirmation_email, send_message, send_private_link_email
from ..models import DeletionRequest, Reminder, RequestEvent
from ..receipts import IssuedReceipt, ReceiptError
from ..tokens import CONFIRMATION_VALID_FOR, email_links, token_issue
from .receipts import receipt_issue

logger = logging.getLogger(__name__)

SWEEP_BATCH = 500
# Kinds sent on demand, not planned from the request's state.
ON_DEMAND_KINDS = frozenset({ReminderKind.PRIVATE_LINK})


def max_attempts() -> int:
    return settings.REMINDER_MAX_ATTEMPTS


def _db_now_plus(delta) -> ExpressionWrapper:
    return ExpressionWrapper(Now() + delta, output_field=DateTimeField())


def reminders_replan(request: DeletionRequest) -> None:
    """Make the pending rows match the plan. A kind already sent is never
    planned again; a pending row the plan no longer wants is cancelled. Rows
    sent on demand (the private link) are left alone, unless the request was
    erased: then nothing more is ever sent."""
    wanted = {planned.kind: planned.due_at for planned in dates.plan_reminders(request)}
    rows = list(request.reminders.all())
    done_kinds = {row.kind for row in rows if row.state in (ReminderState.SENT, ReminderState.FAILED)}
    in_flight = {row.kind for row in rows if row.state in (ReminderState.CLAIMED, ReminderState.SENDING)}
    erased = request.status == Status.ERASED
    for row in rows:
        if row.state != ReminderState.PENDING or (row.kind in ON_DEMAND_KINDS and not erased):
            continue
        if row.kind not in wanted:
            Reminder.objects.filter(pk=row.pk, state=ReminderState.PENDING).update(
                state=ReminderState.CANCELLED, updated_at=Now()
            )
        elif row.attempts == 0 and row.due_at != wanted[row.kind]:
            Reminder.objects.filter(pk=row.pk, state=ReminderState.PENDING).update(
                due_at=wanted[row.kind], updated_at=Now()
            )
    pending_kinds = {row.kind for row in rows if row.state == ReminderState.PENDING}
    Reminder.objects.bulk_create(
        Reminder(request=request, kind=kind, due_at=due_at)
        for kind, due_at in wanted.items()
        if kind not in done_kinds | in_flight | pending_kinds
    )


def email_now(request: DeletionRequest, *, kind: str = ReminderKind.PRIVATE_LINK) -> None:
    """Plan an email of `kind` due at once, in the caller's transaction, and
    ask a worker to send it after commit. One live row per kind: asking again
    while one waits sends that one (it mints a fresh link when it goes)."""
    try:
        with transaction.atomic():
            row = Reminder.objects.create(request=request, kind=kind, due_at=Now())
    except IntegrityError:
        # A live row of this kind exists already (one_live_reminder_per_kind).
        return
    # Fast path only: a broker that is down loses this message, not the email.
    queue.enqueue_on_commit(queue.SEND_REMINDERS, [row.pk])


def reminder_due_now(*, request: DeletionRequest) -> Reminder | None:
    """Make the request's next pending reminder due now and ask a worker to
    send it (for watching a reminder arrive on a development machine; the
    sweep sends it anyway). Returns the row as it was, or None if nothing is
    pending. A later change of the request re-plans it to its real date if
    it has not gone yet."""
    row = request.reminders.filter(state=ReminderState.PENDING).exclude(kind__in=ON_DEMAND_KINDS).first()
    if row is None:
        return None
    if not Reminder.objects.filter(pk=row.pk, state=ReminderState.PENDING).update(due_at=Now(), updated_at=Now()):
        return None  # claimed meanwhile: it is on its way
    queue.enqueue_on_commit(queue.SEND_REMINDERS, [row.pk])
    return row


def sweep(*, now: datetime | None = None) -> list[int]:
    """Claim due reminders and enqueue their sends. Safe to run concurrently:
    each row is claimed by exactly one conditional UPDATE. `now` (tests) stands
    in for the database's clock."""
    current = now or Now()
    stale_before = now - dates.stale_claim() if now else _db_now_plus(-dates.stale_claim())
    # Take back rows whose worker died mid-claim or mid-send.
    Reminder.objects.filter(
        state__in=[ReminderState.CLAIMED, ReminderState.SENDING], claimed_at__lt=stale_before
    ).update(state=ReminderState.PENDING, claim="", updated_at=current)
    claim = secrets.token_hex(8)
    with transaction.atomic():
        due = Reminder.objects.filter(state=ReminderState.PENDING, due_at__lte=current).order_by("due_at")
        # One UPDATE claims the whole batch (a constant number of queries
        # whatever its size); `state=pending` in its WHERE makes a row that a
        # concurrent sweep claimed first invisible to this one.
        Reminder.objects.filter(pk__in=due.values("pk")[:SWEEP_BATCH], state=ReminderState.PENDING).update(
            state=ReminderState.CLAIMED, claim=claim, claimed_at=current, updated_at=current
        )
        claimed = list(Reminder.objects.filter(claim=claim, state=ReminderState.CLAIMED).values_list("pk", flat=True))
        chunk = settings.REMINDER_SEND_CHUNK
        for start in range(0, len(claimed), chunk):
            queue.enqueue_on_commit(queue.SEND_REMINDERS, claimed[start : start + chunk])
    return claimed


def deliver_batch(reminder_ids: list[int], *, now: datetime | None = None) -> dict[int, str]:
    """Deliver one message's rows, the planned reminders together (see
    _deliver_together: a constant number of queries per message), the
    private links one by one. If the database fails before any email left,
    the rows are delivered one by one instead: a row that fails on the
    database (locked, say) does not hold back the others of its message; it
    is taken back by the sweep after the stale-claim time. What happened to
    each row, as reminder_deliver says it; rows not claimed are left out."""
    try:
        return _deliver(reminder_ids, now=now)
    except _NothingSent:
        logger.warning("%d reminders met a database error before any left; sending one by one", len(reminder_ids))
    except DatabaseError:
        logger.exception("recording reminders %s failed; the sweep will take back those not recorded", reminder_ids)
        _drop_broken_connection()
        return {}
    outcomes: dict[int, str] = {}
    for reminder_id in reminder_ids:
        try:
            outcomes.update(_deliver([reminder_id], now=now))
        except DatabaseError:
            logger.exception("reminder %s could not be delivered; the sweep will take it back", reminder_id)
            _drop_broken_connection()
    return outcomes


def reminder_deliver(*, reminder_id: int, now: datetime | None = None) -> str:
    """Send one claimed (or due pending) reminder. Idempotent: only the worker
    that moves the row to sending sends it (the row then carries that
    worker's own claim, which every later write of this send requires), and a
    sent row is never sent again. Returns what happened: sent, retry, failed,
    cancelled or skipped. `now` (tests) stands in for the database's clock."""
    return _deliver([reminder_id], now=now).get(reminder_id, "skipped")


class _NothingSent(DatabaseError):
    """The database failed before any email of the batch left; its rows are
    as they were before it (claimed or due)."""


def _drop_broken_connection() -> None:
    # Outside a transaction a closed connection reconnects on the next query.
    # One that still answers is kept, with its session's settings: an error
    # such as a lock not granted in time leaves it usable.
    if connection.in_atomic_block or connection.connection is None:
        return
    if not connection.is_usable():
        connection.close()


def _deliver(reminder_ids: list[int], *, now: datetime | None) -> dict[int, str]:
    outcomes = _deliver_together(reminder_ids, now=now)
    others = [reminder_id for reminder_id in reminder_ids if reminder_id not in outcomes]
    if others:
        # Rows sent on demand, or not ready (a redelivered message's rows
        # were sent already): one query tells which are worth a claim.
        on_demand = Reminder.objects.filter(pk__in=others, kind__in=ON_DEMAND_KINDS).values_list("pk", flat=True)
        for reminder_id in sorted(on_demand):
            outcome = _deliver_on_demand(reminder_id, now=now)
            if outcome:
                outcomes[reminder_id] = outcome
    return outcomes


def _claim(ids: Q, *, now: datetime | None) -> tuple[str, _Recorder] | None:
    """Move the ready rows among `ids` to sending under a claim of this
    send's own, in one UPDATE. The claim and the recorder of its outcomes, or
    None if no row was ready."""
    current = now or Now()
    owner = secrets.token_hex(8)
    ready = Q(state=ReminderState.CLAIMED) | Q(state=ReminderState.PENDING, due_at__lte=current)
    try:
        claimed = Reminder.objects.filter(ready, ids).update(
            state=ReminderState.SENDING, claim=owner, claimed_at=current, updated_at=current
        )
    except DatabaseError as error:
        raise _NothingSent from error
    if not claimed:
        return None
    started = time.monotonic()
    stale = dates.stale_claim().total_seconds()
    # Recording the outcome may be retried until shortly before another
    # sweep could take the rows back; an email may start only while the
    # slowest send would still end before then.
    recorder = _Recorder(owner, deadline=started + 0.8 * stale, send_by=started + stale - settings.SLOWEST_SEND_SECONDS)
    return owner, recorder


def _deliver_together(reminder_ids: list[int], *, now: datetime | None) -> dict[int, str]:
    """The planned reminders among `reminder_ids`, with a constant number of
    queries: one UPDATE claims them, one SELECT loads them with their
    requests, their links are reused or minted in bulk (tokens.email_links),
    one UPDATE cancels those no longer wanted and one records all that were
    sent. Every email is rendered before the first leaves, and those that
    left are recorded even when something stops the batch midway (an error,
    a time limit, a worker's cold shutdown), so that the sweep takes back
    only the rows whose email did not leave."""
    try:
        # One commit for the claim, the cancellations and the new links: a
        # database error undoes all three, leaving the rows as they were.
        with transaction.atomic():
            claim = _claim(Q(pk__in=reminder_ids) & ~Q(kind__in=ON_DEMAND_KINDS), now=now)
            if claim is None:
                return {}
            owner, record = claim
            rows = list(
                Reminder.objects.select_related("request")
                .filter(claim=owner, state=ReminderState.SENDING)
                .order_by("pk")
            )
            wanted = [row for row in rows if _still_wanted(row, row.request)]
            cancelled = [row.pk for row in rows if row not in wanted]
            if cancelled:
                record(cancelled, state=ReminderState.CANCELLED)
            links = email_links(row.request for row in wanted) if wanted else {}
    except _NothingSent:
        _drop_broken_connection()
        raise
    except DatabaseError as error:
        _drop_broken_connection()
        raise _NothingSent from error
    outcomes = dict.fromkeys(cancelled, "cancelled")
    ended: dict[int, _Outcome] = {}
    messages = {}
    for row in wanted:
        try:
            messages[row.pk] = reminder_message(
                reminder=row, token=links[row.request_id].view, unsubscribe=links[row.request_id].unsubscribe
            )
        except Exception as error:  # noqa: BLE001 - a bug in one email must not stop the others
            ended[row.pk] = _unexpected(row, error)
    sent: list[int] = []
    first = True
    try:
        for row in wanted:
            if row.pk not in messages:
                continue
            # The first always goes: the settings make the slowest send fit
            # in a fresh claim, as it did when each row had its own.
            if not first and time.monotonic() > record.send_by:
                # The rest stay "sending" under this claim: the sweep takes
                # them back, and sends them once, after the stale-claim time.
                logger.warning("%d reminders left for the sweep: the batch ran out of time", len(messages))
                break
            first = False
            try:
                send_message(messages.pop(row.pk))
            except (OSError, smtplib.SMTPException) as error:
                ended[row.pk] = _failed(row, error, now=now)
            except Exception as error:  # noqa: BLE001
                ended[row.pk] = _unexpected(row, error)
            else:
                sent.append(row.pk)
    finally:
        if sent:
            record(sent, state=ReminderState.SENT, attempts=F("attempts") + 1, sent_at=now or Now())
    outcomes.update(dict.fromkeys(sent, "sent"))
    for reminder_id, (outcome, fields) in ended.items():
        record([reminder_id], **fields)
        outcomes[reminder_id] = outcome
    return outcomes


def _deliver_on_demand(reminder_id: int, *, now: datetime | None) -> str | None:
    """A private-link (or confirmation) email, one row at a time: it may
    carry a freshly rendered receipt, and its "link emailed" line joins the
    timeline in the transaction that records it sent."""
    claim = _claim(Q(pk=reminder_id), now=now)
    if claim is None:
        return None
    _owner, record = claim
    reminder = Reminder.objects.select_related("request").get(pk=reminder_id)
    request = reminder.request
    if not _still_wanted(reminder, request):
        record([reminder_id], state=ReminderState.CANCELLED)
        return "cancelled"
    try:
        link_sent = _send_private_link(reminder)
    except (OSError, smtplib.SMTPException) as error:
        outcome, fields = _failed(reminder, error, now=now)
    except DatabaseError:
        raise
    except Exception as error:  # noqa: BLE001
        outcome, fields = _unexpected(reminder, error)
    else:
        outcome, fields = "sent", {"state": ReminderState.SENT, "attempts": F("attempts") + 1, "sent_at": now or Now()}
        record([reminder_id], link_sent=request if link_sent else None, **fields)
        return outcome
    record([reminder_id], **fields)
    return outcome


def _still_wanted(reminder: Reminder, request: DeletionRequest) -> bool:
    if reminder.kind in ON_DEMAND_KINDS:
        return request.status != Status.ERASED
    return reminder.kind in {planned.kind for planned in dates.plan_reminders(request)}


def _send_private_link(reminder: Reminder) -> bool:
    """To a confirmed address: the private link, with the receipt attached
    when one could be rendered. To an unconfirmed one: only the link that
    confirms it (minted here, in the worker, and sent nowhere else); the
    private link follows the confirmation. True if the private link went out.
    The tokens are committed before the email leaves: a link in an inbox
    always opens something."""
    request = reminder.request
    if request.email_confirmed_at is None:
        confirm_token = token_issue(request=request, purpose=TokenPurpose.CONFIRM_EMAIL)
        send_confirmation_email(
            request=request,
            confirm_token=confirm_token,
            valid_days=CONFIRMATION_VALID_FOR.days,
            outbox_id=reminder.pk,
        )
        return False
    receipt = _receipt_or_none(request)
    token = token_issue(request=request)
    # Nothing is written between here and recording it sent: a connection
    # that dropped while SMTP talked would fail that write and the email be
    # sent again.
    send_private_link_email(request=request, token=token, receipt=receipt, outbox_id=reminder.pk)
    return True


def _receipt_or_none(request: DeletionRequest) -> IssuedReceipt | None:
    # The link matters more than the attachment: a render that fails or
    # times out (the child process is killed at the time limit) must not
    # stop the email.
    try:
        return receipt_issue(request=request)
    except ReceiptError:
        logger.exception("receipt for %s could not be rendered; emailing the link without it", request.reference)
        return None


# What happened to one row, and the fields that record it.
_Outcome = tuple[str, dict]


def _failed(reminder: Reminder, error: Exception, *, now: datetime | None) -> _Outcome:
    attempts = reminder.attempts + 1
    # The class and SMTP code only: the message may quote the address.
    detail = f"{type(error).__name__} {getattr(error, 'smtp_code', '')}".strip()
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = sorted({code for code, _ in error.recipients.values()})
        detail = f"{type(error).__name__} {','.join(map(str, codes))}"
    if attempts >= max_attempts():
        return "failed", {"state": ReminderState.FAILED, "attempts": attempts, "last_error": detail}
    due_at = now + dates.retry_delay(attempts) if now else _db_now_plus(dates.retry_delay(attempts))
    return "retry", {"state": ReminderState.PENDING, "attempts": attempts, "last_error": detail, "due_at": due_at}


def _unexpected(reminder: Reminder, error: Exception) -> _Outcome:
    """A bug (a template, a decryption): retrying cannot help, and the row
    must not come back to block its batch again. Shown on the request page
    as failed."""
    # Where it failed, without what the exception says: Django's own
    # refusal of an address ('Invalid address "..."') quotes it.
    logger.error(
        "reminder %s of %s failed with an unexpected error %s at:\n%s",
        reminder.pk,
        reminder.request.reference,
        type(error).__name__,
        "".join(traceback.format_tb(error.__traceback__)).rstrip(),
    )
    return "failed", {
        "state": ReminderState.FAILED,
        "attempts": reminder.attempts + 1,
        "last_error": type(error).__name__[:200],
    }


# Errors after which repeating the same conditional UPDATE can succeed: a
# dropped connection, a restarted server, a failover to a node that is still
# read-only. Not these, which a repeat cannot mend:
_NOT_TRANSIENT = (IntegrityError, DataError, ProgrammingError, NotSupportedError)


class _Recorder:
    """Records how the sends of one claim ended, and with `link_sent` the
    timeline's "link emailed" in the same transaction. The UPDATE requires
    the rows to be still "sending" under this claim, so repeating it is safe
    (and adds no second timeline line): after a database error it is
    repeated over a fresh connection, with backoff, until shortly before the
    stale-claim time, rather than leaving the rows to be sent again.
    `send_by` is when the last email of the claim may start (see _claim)."""

    def __init__(self, owner: str, *, deadline: float, send_by: float) -> None:
        self.owner = owner
        self.deadline = deadline
        self.send_by = send_by

    def __call__(self, reminder_ids: list[int], *, link_sent: DeletionRequest | None = None, **fields) -> None:
        delay = 0.25
        while True:
            try:
                with transaction.atomic() if link_sent else contextlib.nullcontext():
                    recorded = Reminder.objects.filter(
                        pk__in=reminder_ids, state=ReminderState.SENDING, claim=self.owner
                    ).update(claim="", updated_at=Now(), **fields)
                    if recorded and link_sent:
                        RequestEvent.objects.create(request=link_sent, kind=EventKind.LINK_SENT)
                return
            except _NOT_TRANSIENT:
                raise
            except DatabaseError:
                if connection.in_atomic_block or time.monotonic() + delay > self.deadline:
                    raise
                logger.warning("recording reminders %s failed on the database; retrying", reminder_ids)
                connection.close()
                time.sleep(delay)
                delay = min(delay * 2, 5.0)
