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
  due rows with one conditional UPDATE and enqueues their sends after commit.

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
from django.db.models import DateTimeField, ExpressionWrapper, Q
from django.db.models.functions import Now

from .. import dates, queue
from ..choices import EventKind, ReminderKind, ReminderState, Status, TokenPurpose
from ..emails import send_confirmation_email, send_private_link_email, send_reminder_email
from ..models import DeletionRequest, Reminder, RequestEvent
from ..receipts import IssuedReceipt, ReceiptError
from ..tokens import CONFIRMATION_VALID_FOR, EMAIL_LINK_VALID_FOR, token_issue
from .receipts import receipt_issue

logger = logging.getLogger(__name__)

SWEEP_BATCH = 500
# Claimed reminders travel to the workers in messages of this many ids: one
# message per email costs more in Celery than the email itself.
SEND_CHUNK = 20
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
        for start in range(0, len(claimed), SEND_CHUNK):
            queue.enqueue_on_commit(queue.SEND_REMINDERS, claimed[start : start + SEND_CHUNK])
    return claimed


def deliver_batch(reminder_ids: list[int]) -> None:
    """Deliver each row on its own: a row whose delivery fails on the
    database does not hold back the others of its message; it is taken back
    by the sweep after the stale-claim time."""
    for reminder_id in reminder_ids:
        try:
            reminder_deliver(reminder_id=reminder_id)
        except DatabaseError:
            logger.exception("reminder %s could not be delivered; the sweep will take it back", reminder_id)
            _drop_broken_connection()


def _drop_broken_connection() -> None:
    # Outside a transaction a closed connection reconnects on the next query.
    if not connection.in_atomic_block:
        connection.close()


def reminder_deliver(*, reminder_id: int, now: datetime | None = None) -> str:
    """Send one claimed (or due pending) reminder. Idempotent: only the worker
    that moves the row to sending sends it (the row then carries that
    worker's own claim, which every later write of this send requires), and a
    sent row is never sent again. Returns what happened: sent, retry, failed,
    cancelled or skipped. `now` (tests) stands in for the database's clock."""
    current = now or Now()
    owner = secrets.token_hex(8)
    ready = Q(state=ReminderState.CLAIMED) | Q(state=ReminderState.PENDING, due_at__lte=current)
    if not Reminder.objects.filter(ready, pk=reminder_id).update(
        state=ReminderState.SENDING, claim=owner, claimed_at=current, updated_at=current
    ):
        return "skipped"
    # Recording the outcome may be retried until shortly before another
    # sweep could take the row back.
    finish = _Finisher(reminder_id, owner, deadline=time.monotonic() + 0.8 * dates.stale_claim().total_seconds())
    reminder = Reminder.objects.select_related("request").get(pk=reminder_id)
    request = reminder.request
    if not _still_wanted(reminder, request):
        finish(state=ReminderState.CANCELLED)
        return "cancelled"
    link_sent = False
    try:
        if reminder.kind == ReminderKind.PRIVATE_LINK:
            link_sent = _send_private_link(reminder)
        else:
            send_reminder_email(
                reminder=reminder,
                # Read-only: an email is forwarded, kept for years, read by filters.
                token=token_issue(request=request, purpose=TokenPurpose.VIEW, valid_for=EMAIL_LINK_VALID_FOR),
                unsubscribe=token_issue(request=request, purpose=TokenPurpose.UNSUBSCRIBE),
            )
    except (OSError, smtplib.SMTPException) as error:
        return _failed(reminder, error, finish=finish, now=now)
    except DatabaseError:
        raise
    except Exception as error:
        # A bug (a template, a decryption): retrying cannot help, and the row
        # must not come back to block its batch again. Shown on the request
        # page as failed.
        # Where it failed, without what the exception says: Django's own
        # refusal of an address ('Invalid address "..."') quotes it.
        logger.error(
            "reminder %s of %s failed with an unexpected error %s at:\n%s",
            reminder_id,
            request.reference,
            type(error).__name__,
            "".join(traceback.format_tb(error.__traceback__)).rstrip(),
        )
        finish(state=ReminderState.FAILED, attempts=reminder.attempts + 1, last_error=type(error).__name__[:200])
        return "failed"
    finish(
        state=ReminderState.SENT,
        attempts=reminder.attempts + 1,
        sent_at=current,
        link_sent=request if link_sent else None,
    )
    return "sent"


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
    # Nothing is written between here and finish(): a connection that dropped
    # while SMTP talked would fail that write and the email be sent again.
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


def _failed(reminder: Reminder, error: Exception, *, finish: _Finisher, now: datetime | None) -> str:
    attempts = reminder.attempts + 1
    # The class and SMTP code only: the message may quote the address.
    detail = f"{type(error).__name__} {getattr(error, 'smtp_code', '')}".strip()
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = sorted({code for code, _ in error.recipients.values()})
        detail = f"{type(error).__name__} {','.join(map(str, codes))}"
    if attempts >= max_attempts():
        finish(state=ReminderState.FAILED, attempts=attempts, last_error=detail)
        return "failed"
    finish(
        state=ReminderState.PENDING,
        attempts=attempts,
        last_error=detail,
        due_at=now + dates.retry_delay(attempts) if now else _db_now_plus(dates.retry_delay(attempts)),
    )
    return "retry"


# Errors after which repeating the same conditional UPDATE can succeed: a
# dropped connection, a restarted server, a failover to a node that is still
# read-only. Not these, which a repeat cannot mend:
_NOT_TRANSIENT = (IntegrityError, DataError, ProgrammingError, NotSupportedError)


class _Finisher:
    """Records how one send ended, and with `link_sent` the timeline's "link
    emailed" in the same transaction. The UPDATE requires the row to be still
    "sending" under this send's own claim, so repeating it is safe (and adds
    no second timeline line): after a database error it is repeated over a
    fresh connection, with backoff, until shortly before the stale-claim time,
    rather than leaving the row to be sent again."""

    def __init__(self, reminder_id: int, owner: str, *, deadline: float) -> None:
        self.reminder_id = reminder_id
        self.owner = owner
        self.deadline = deadline

    def __call__(self, *, link_sent: DeletionRequest | None = None, **fields) -> None:
        delay = 0.25
        while True:
            try:
                with transaction.atomic() if link_sent else contextlib.nullcontext():
                    recorded = Reminder.objects.filter(
                        pk=self.reminder_id, state=ReminderState.SENDING, claim=self.owner
                    ).update(claim="", updated_at=Now(), **fields)
                    if recorded and link_sent:
                        RequestEvent.objects.create(request=link_sent, kind=EventKind.LINK_SENT)
                return
            except _NOT_TRANSIENT:
                raise
            except DatabaseError:
                if connection.in_atomic_block or time.monotonic() + delay > self.deadline:
                    raise
                logger.warning("recording reminder %s failed on the database; retrying", self.reminder_id)
                connection.close()
                time.sleep(delay)
                delay = min(delay * 2, 5.0)
