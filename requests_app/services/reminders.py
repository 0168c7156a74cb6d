"""The reminder rows: made to match the plan, claimed when due, delivered.

`dates.plan_reminders` says which reminders a request should get and when.
Services call `reminders_replan` after every change, which cancels pending
rows that no longer apply and adds the new ones; so a reminder made obsolete
(by an extension, an answer, an erase) is cancelled, never sent. The sweep,
run by beat every SWEEP_INTERVAL_SECONDS, claims due rows with one
conditional UPDATE and enqueues their sends after commit.
"""

from __future__ import annotations

import secrets
import smtplib
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .. import dates, queue
from ..choices import ReminderState
from ..emails import send_reminder_email
from ..models import DeletionRequest, Reminder
from ..tokens import token_issue

SWEEP_BATCH = 500
# Claimed reminders travel to the workers in messages of this many ids: one
# message per email costs more in Celery than the email itself.
SEND_CHUNK = 20


def max_attempts() -> int:
    return settings.REMINDER_MAX_ATTEMPTS


def reminders_replan(request: DeletionRequest) -> None:
    """Make the pending rows match the plan. A kind already sent is never
    planned again; a pending row the plan no longer wants is cancelled."""
    wanted = {planned.kind: planned.due_at for planned in dates.plan_reminders(request)}
    rows = list(request.reminders.all())
    done_kinds = {row.kind for row in rows if row.state in (ReminderState.SENT, ReminderState.FAILED)}
    in_flight = {row.kind for row in rows if row.state in (ReminderState.CLAIMED, ReminderState.SENDING)}
    now = timezone.now()
    for row in rows:
        if row.state != ReminderState.PENDING:
            continue
        if row.kind not in wanted:
            Reminder.objects.filter(pk=row.pk, state=ReminderState.PENDING).update(
                state=ReminderState.CANCELLED, updated_at=now
            )
        elif row.attempts == 0 and row.due_at != wanted[row.kind]:
            Reminder.objects.filter(pk=row.pk, state=ReminderState.PENDING).update(
                due_at=wanted[row.kind], updated_at=now
            )
    pending_kinds = {row.kind for row in rows if row.state == ReminderState.PENDING}
    Reminder.objects.bulk_create(
        Reminder(request=request, kind=kind, due_at=due_at)
        for kind, due_at in wanted.items()
        if kind not in done_kinds | in_flight | pending_kinds
    )


def sweep(*, now: datetime | None = None) -> list[int]:
    """Claim due reminders and enqueue their sends. Safe to run concurrently:
    each row is claimed by exactly one conditional UPDATE."""
    now = now or timezone.now()
    # Take back rows whose worker died mid-claim or mid-send.
    Reminder.objects.filter(
        state__in=[ReminderState.CLAIMED, ReminderState.SENDING], claimed_at__lt=now - dates.stale_claim()
    ).update(state=ReminderState.PENDING, claim="", updated_at=now)
    claim = secrets.token_hex(8)
    with transaction.atomic():
        due = Reminder.objects.filter(state=ReminderState.PENDING, due_at__lte=now).order_by("due_at")
        # One UPDATE claims the whole batch (a constant number of queries
        # whatever its size); `state=pending` in its WHERE makes a row that a
        # concurrent sweep claimed first invisible to this one.
        Reminder.objects.filter(pk__in=due.values("pk")[:SWEEP_BATCH], state=ReminderState.PENDING).update(
            state=ReminderState.CLAIMED, claim=claim, claimed_at=now, updated_at=now
        )
        claimed = list(Reminder.objects.filter(claim=claim, state=ReminderState.CLAIMED).values_list("pk", flat=True))
        for start in range(0, len(claimed), SEND_CHUNK):
            queue.enqueue_on_commit(queue.SEND_REMINDERS, claimed[start : start + SEND_CHUNK])
    return claimed


def reminder_deliver(*, reminder_id: int) -> str:
    """Send one claimed reminder. Idempotent: only the worker that moves the
    row from claimed to sending sends it, and a sent row is never sent again.
    Returns what happened: sent, retry, failed, cancelled or skipped."""
    now = timezone.now()
    if not Reminder.objects.filter(pk=reminder_id, state=ReminderState.CLAIMED).update(
        state=ReminderState.SENDING, claimed_at=now, updated_at=now
    ):
        return "skipped"
    reminder = Reminder.objects.select_related("request").get(pk=reminder_id)
    request = reminder.request
    if reminder.kind not in {planned.kind for planned in dates.plan_reminders(request)}:
        _finish(reminder_id, state=ReminderState.CANCELLED)
        return "cancelled"
    try:
        send_reminder_email(reminder=reminder, token=token_issue(request=request))
    except (OSError, smtplib.SMTPException) as error:
        attempts = reminder.attempts + 1
        # The class and SMTP code only: the message may quote the address.
        detail = f"{type(error).__name__} {getattr(error, 'smtp_code', '')}".strip()
        if isinstance(error, smtplib.SMTPRecipientsRefused):
            codes = sorted({code for code, _ in error.recipients.values()})
            detail = f"{type(error).__name__} {','.join(map(str, codes))}"
        if attempts >= max_attempts():
            _finish(reminder_id, state=ReminderState.FAILED, attempts=attempts, last_error=detail)
            return "failed"
        _finish(
            reminder_id,
            state=ReminderState.PENDING,
            attempts=attempts,
            last_error=detail,
            due_at=timezone.now() + dates.retry_delay(attempts),
        )
        return "retry"
    _finish(reminder_id, state=ReminderState.SENT, attempts=reminder.attempts + 1, sent_at=timezone.now())
    return "sent"


def _finish(reminder_id: int, **fields) -> None:
    Reminder.objects.filter(pk=reminder_id, state=ReminderState.SENDING).update(
        claim="", updated_at=timezone.now(), **fields
    )
