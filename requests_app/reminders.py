"""Which emails a request needs, and the sweep that sends them.

`plan_reminders` is pure: from a request's state it returns every reminder the
request should get, with its due time. Services call `reminders_replan` after
every change, which cancels pending rows that no longer apply and adds the new
ones; so a reminder made obsolete (by an extension, an answer, an erase) is
cancelled, never sent. The sweep, run by beat every minute, claims due rows
with one conditional UPDATE and enqueues one send per claimed row after commit.
"""

from __future__ import annotations

import secrets
import smtplib
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from . import jurisdictions
from .models import DeletionRequest, Reminder

Kind = Reminder.Kind
# Emails go out in the morning (UTC), never in the middle of the night of
# most of our users.
SEND_AT = time(8, 0)
# A follow-up letter gives LinkedIn this many more days before the complaint.
FOLLOW_UP_DAYS = 14
# Warn this long before LinkedOut purges a request's personal data.
PURGE_WARNING_DAYS = 7
SWEEP_BATCH = 500
# Claimed reminders travel to the workers in messages of this many ids: one
# message per email costs more in Celery than the email itself.
SEND_CHUNK = 20


def max_attempts() -> int:
    return settings.REMINDER_MAX_ATTEMPTS


def stale_claim() -> timedelta:
    """A claimed or sending row older than this is taken back by the next
    sweep: its worker died. Longer than any send may take."""
    return timedelta(seconds=settings.REMINDER_STALE_CLAIM_SECONDS)


@dataclass(frozen=True)
class Planned:
    kind: str
    due_at: datetime


def morning_of(day: date) -> datetime:
    return datetime.combine(day, SEND_AT, tzinfo=UTC)


def purge_date(request: DeletionRequest) -> date | None:
    """When LinkedOut erases the request's personal data by itself: some days
    after LinkedIn's final answer, or a year after the last activity."""
    if request.is_erased:
        return None
    if request.answered_on:
        return request.answered_on + timedelta(days=settings.RETENTION_DAYS_AFTER_CLOSE)
    return request.updated_at.date() + timedelta(days=settings.RETENTION_DAYS_INACTIVE)


def requests_past_retention(today: date):
    """The live requests whose purge_date() is today or earlier, as a query:
    the daily purge must not load and decrypt every request to find them."""
    closed_before = today - timedelta(days=settings.RETENTION_DAYS_AFTER_CLOSE)
    idle_before = today - timedelta(days=settings.RETENTION_DAYS_INACTIVE)
    return DeletionRequest.objects.exclude(status=DeletionRequest.Status.ERASED).filter(
        Q(answered_on__lte=closed_before) | Q(answered_on__isnull=True, updated_at__date__lte=idle_before)
    )


def plan_reminders(request: DeletionRequest) -> list[Planned]:
    """Every reminder this request should get, given its state now."""
    if request.is_erased or not request.reminders_enabled or request.email_confirmed_at is None:
        return []
    created = request.created_at.date()
    planned: list[Planned] = []
    if request.status == DeletionRequest.Status.CREATED:
        planned.append(Planned(Kind.NOT_SENT_1, morning_of(created + timedelta(days=1))))
        planned.append(Planned(Kind.NOT_SENT_4, morning_of(created + timedelta(days=4))))
    if request.ai_setting_off_on is None:
        planned.append(Planned(Kind.AI_SETTING, morning_of(created + timedelta(days=2))))
    if request.status == DeletionRequest.Status.SUBMITTED and request.submitted_on:
        planned.extend(_deadline_reminders(request))
    purge_on = purge_date(request)
    if purge_on:
        planned.append(Planned(Kind.PURGE_WARNING, morning_of(purge_on - timedelta(days=PURGE_WARNING_DAYS))))
    return planned


def _deadline_reminders(request: DeletionRequest) -> list[Planned]:
    regime = jurisdictions.regime_by_code(request.regime_code)
    due = jurisdictions.due_date(regime, request.submitted_on)
    extended = jurisdictions.extended_due_date(regime, request.submitted_on) if request.extended_on else None
    planned: list[Planned] = []
    if extended:
        # The extension replaces the first deadline: nothing on the old date.
        planned.append(Planned(Kind.DEADLINE_SOON, morning_of(extended - timedelta(days=3))))
        planned.append(Planned(Kind.ESCALATE, morning_of(extended + timedelta(days=1))))
        return planned
    planned.append(Planned(Kind.DEADLINE_SOON, morning_of(due - timedelta(days=3))))
    planned.append(Planned(Kind.DEADLINE_PASSED, morning_of(due + timedelta(days=1))))
    planned.append(Planned(Kind.ESCALATE, morning_of(due + timedelta(days=1 + FOLLOW_UP_DAYS))))
    return planned


def deadline_dates(request: DeletionRequest) -> dict[str, date]:
    """The dates the user sees (and the calendar file holds)."""
    if not request.submitted_on:
        return {}
    regime = jurisdictions.regime_by_code(request.regime_code)
    due = jurisdictions.due_date(regime, request.submitted_on)
    dates = {"deadline": due}
    extended = jurisdictions.extended_due_date(regime, request.submitted_on)
    if request.extended_on and extended:
        dates["extended_deadline"] = extended
        dates["escalation"] = extended + timedelta(days=1)
    else:
        dates["escalation"] = due + timedelta(days=1 + FOLLOW_UP_DAYS)
    return dates


def reminders_replan(request: DeletionRequest) -> None:
    """Make the pending rows match the plan. A kind already sent is never
    planned again; a pending row the plan no longer wants is cancelled."""
    wanted = {planned.kind: planned.due_at for planned in plan_reminders(request)}
    rows = list(request.reminders.all())
    done_kinds = {row.kind for row in rows if row.state in (Reminder.State.SENT, Reminder.State.FAILED)}
    in_flight = {row.kind for row in rows if row.state in (Reminder.State.CLAIMED, Reminder.State.SENDING)}
    now = timezone.now()
    for row in rows:
        if row.state != Reminder.State.PENDING:
            continue
        if row.kind not in wanted:
            Reminder.objects.filter(pk=row.pk, state=Reminder.State.PENDING).update(
                state=Reminder.State.CANCELLED, updated_at=now
            )
        elif row.attempts == 0 and row.due_at != wanted[row.kind]:
            Reminder.objects.filter(pk=row.pk, state=Reminder.State.PENDING).update(
                due_at=wanted[row.kind], updated_at=now
            )
    pending_kinds = {row.kind for row in rows if row.state == Reminder.State.PENDING}
    Reminder.objects.bulk_create(
        Reminder(request=request, kind=kind, due_at=due_at)
        for kind, due_at in wanted.items()
        if kind not in done_kinds | in_flight | pending_kinds
    )


def sweep(*, now: datetime | None = None) -> list[int]:
    """Claim due reminders and enqueue their sends. Safe to run concurrently:
    each row is claimed by exactly one conditional UPDATE."""
    from .tasks import send_reminders

    now = now or timezone.now()
    # Take back rows whose worker died mid-claim or mid-send.
    Reminder.objects.filter(
        state__in=[Reminder.State.CLAIMED, Reminder.State.SENDING], claimed_at__lt=now - stale_claim()
    ).update(state=Reminder.State.PENDING, claim="", updated_at=now)
    claim = secrets.token_hex(8)
    with transaction.atomic():
        due = Reminder.objects.filter(state=Reminder.State.PENDING, due_at__lte=now).order_by("due_at")
        # One UPDATE claims the whole batch (a constant number of queries
        # whatever its size); `state=pending` in its WHERE makes a row that a
        # concurrent sweep claimed first invisible to this one.
        Reminder.objects.filter(pk__in=due.values("pk")[:SWEEP_BATCH], state=Reminder.State.PENDING).update(
            state=Reminder.State.CLAIMED, claim=claim, claimed_at=now, updated_at=now
        )
        claimed = list(Reminder.objects.filter(claim=claim, state=Reminder.State.CLAIMED).values_list("pk", flat=True))
        for start in range(0, len(claimed), SEND_CHUNK):
            send_reminders.delay_on_commit(claimed[start : start + SEND_CHUNK])
    return claimed


def retry_delay(attempts: int) -> timedelta:
    """Backoff between attempts: 1, 4, 16, 64 minutes by default."""
    return timedelta(seconds=settings.REMINDER_RETRY_SECONDS * 4 ** (attempts - 1))


def reminder_deliver(*, reminder_id: int) -> str:
    """Send one claimed reminder. Idempotent: only the worker that moves the
    row from claimed to sending sends it, and a sent row is never sent again.
    Returns what happened: sent, retry, failed, cancelled or skipped."""
    from .emails import send_reminder_email

    now = timezone.now()
    if not Reminder.objects.filter(pk=reminder_id, state=Reminder.State.CLAIMED).update(
        state=Reminder.State.SENDING, claimed_at=now, updated_at=now
    ):
        return "skipped"
    reminder = Reminder.objects.select_related("request").get(pk=reminder_id)
    request = reminder.request
    if reminder.kind not in {planned.kind for planned in plan_reminders(request)}:
        _finish(reminder_id, state=Reminder.State.CANCELLED)
        return "cancelled"
    try:
        send_reminder_email(reminder=reminder)
    except (OSError, smtplib.SMTPException) as error:
        attempts = reminder.attempts + 1
        # The class and SMTP code only: the message may quote the address.
        detail = f"{type(error).__name__} {getattr(error, 'smtp_code', '')}".strip()
        if isinstance(error, smtplib.SMTPRecipientsRefused):
            codes = sorted({code for code, _ in error.recipients.values()})
            detail = f"{type(error).__name__} {','.join(map(str, codes))}"
        if attempts >= max_attempts():
            _finish(reminder_id, state=Reminder.State.FAILED, attempts=attempts, last_error=detail)
            return "failed"
        _finish(
            reminder_id,
            state=Reminder.State.PENDING,
            attempts=attempts,
            last_error=detail,
            due_at=timezone.now() + retry_delay(attempts),
        )
        return "retry"
    _finish(reminder_id, state=Reminder.State.SENT, attempts=reminder.attempts + 1, sent_at=timezone.now())
    return "sent"


def _finish(reminder_id: int, **fields) -> None:
    Reminder.objects.filter(pk=reminder_id, state=Reminder.State.SENDING).update(
        claim="", updated_at=timezone.now(), **fields
    )
