"""Every date LinkedOut shows a member or acts on, answered from a request's state.

The deadline, its extension, the follow-up's end, the escalation day, the
purge day and the day each reminder is due all come from here; the request
page, the PDF, the calendar file, the emails, the reminder plan and /healthz
read them and compute none themselves.

Pure: the functions read a request's fields (never its related rows), the
regime table and settings; they query and write nothing.

Deadlines count from the day LinkedIn *received* the request:

* Periods in months (GDPR, UK GDPR) follow Regulation (EEC, Euratom) No 1182/71,
  Art. 3: the day of receipt does not count, the period ends on the same date N
  months later (or on the last day of that month if it has no such date), and
  if that day is a Saturday, Sunday or public holiday of the place where the
  controller must act, the period ends on the next working day. The ICO's
  guidance gives the same result for the UK (England and Wales bank holidays).
* Periods in days (CCPA, PIPEDA, ...) are plain calendar days without roll-over.
"""

from __future__ import annotations

import calendar
import functools
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING

import holidays
from django.conf import settings

from . import jurisdictions
from .choices import AnswerOutcome, AppealOutcome, ReminderKind, Status

if TYPE_CHECKING:
    from .models import DeletionRequest

# A follow-up letter gives LinkedIn this many more days before the complaint.
FOLLOW_UP_DAYS = 14
# "Deadline in 3 days": the warning before the deadline.
DEADLINE_WARNING_DAYS = 3
# Nudges while the request is not sent yet, in days after it was made.
NOT_SENT_NUDGE_DAYS = {ReminderKind.NOT_SENT_1: 1, ReminderKind.NOT_SENT_4: 4}
# The reminder to switch the AI setting off, in days after the request was made.
AI_SETTING_NUDGE_DAYS = 2
# After "done", check this many days later that the AI setting is still off
# (LinkedIn's settings pages change).
DONE_CHECK_DAYS = 28
# Warn this long before LinkedOut purges a request's personal data.
PURGE_WARNING_DAYS = 7
# Emails go out in the morning (UTC), never in the middle of the night of
# most of our users.
SEND_AT = time(8, 0)
# /healthz calls beat down after this many sweep intervals without a sweep.
MISSED_SWEEPS_BEFORE_DOWN = 3


# --------------------------------------------------------------------------- period arithmetic


def add_months(start: date, months: int) -> date:
    """Same day-of-month ``months`` later, clamped to that month's last day
    (Reg. 1182/71 Art. 3(2)(c): e.g. 31 Jan + 1 month = 28/29 Feb)."""
    index = start.year * 12 + (start.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    last_day = calendar.monthrange(year, month)[1]
    return date(year, month, min(start.day, last_day))


@functools.cache
def _holidays(calendar_code: str) -> holidays.HolidayBase | None:
    # Built once per calendar ("IE", or "GB-ENG": a country and one of its
    # subdivisions); the object adds years lazily as dates are looked up.
    if not calendar_code:
        return None
    country, _, subdivision = calendar_code.partition("-")
    return holidays.country_holidays(country, subdiv=subdivision or None)


def next_working_day(day: date, country: str) -> date:
    """``day`` if it is a working day in ``country`` (a holiday calendar such as
    "IE" or "GB-ENG"), else the next one.

    Reg. 1182/71 Art. 3(4): a period ending on a Saturday, Sunday or public holiday ends
    at the end of the following working day. With ``country`` "" only weekends count.
    """
    public_holidays = _holidays(jurisdictions.normalise_country(country))
    while day.weekday() >= 5 or (public_holidays is not None and day in public_holidays):
        day += timedelta(days=1)
    return day


def _period_end(period: jurisdictions.Period, received: date, holiday_country: str, *, stopped_days: int = 0) -> date:
    # The day of receipt does not count (Reg. 1182/71 Art. 3(1)), so N days/months run
    # from the following day and end on received + N. Days the clock stood
    # still (UK, waiting for ID) move that end before it rolls to a working day.
    if period.unit == "months":
        end = add_months(received, period.amount)
    else:
        end = received + timedelta(days=period.amount)
    end += timedelta(days=stopped_days)
    return next_working_day(end, holiday_country) if period.roll_over else end


def due_date(regime: jurisdictions.Regime, received: date, *, stopped_days: int = 0) -> date:
    """Last day for the controller to answer a request received on ``received``."""
    return _period_end(regime.deadline, received, regime.holiday_country, stopped_days=stopped_days)


def extended_due_date(regime: jurisdictions.Regime, received: date, *, stopped_days: int = 0) -> date | None:
    """Last day if the controller validly extends, or None if the law allows no extension.

    The extension counts from the original start, not from the first due date
    (GDPR: three months from receipt), with the same roll-over rules.
    """
    if regime.extension is None:
        return None
    return _period_end(regime.extension, received, regime.holiday_country, stopped_days=stopped_days)


# --------------------------------------------------------------------------- a request's dates


@dataclass(frozen=True)
class RequestDates:
    """The dates of a request sent to LinkedIn."""

    due_on: date
    # Set once LinkedIn announced an extension: the deadline that now counts.
    extended_due_on: date | None
    # The extended deadline LinkedIn could still announce; None if the law
    # allows none or it was announced already.
    possible_extended_due_on: date | None
    # The last day of the follow-up letter's 14 days, when there is one: an
    # extended deadline that passes goes straight to the complaint. Counted
    # from the day the member sent it, once recorded ("within 14 days of this
    # letter"); until then from the deadline.
    follow_up_ends_on: date | None
    # From this day on, a complaint to the authority is the next step.
    escalation_on: date
    # UK: LinkedIn waits for the ID it asked for; the dates above do not run
    # until the member gives it (and then move by the days it stood still).
    paused: bool = False

    @property
    def current_due_on(self) -> date:
        return self.extended_due_on or self.due_on

    @property
    def can_extend(self) -> bool:
        return self.possible_extended_due_on is not None

    def days_left(self, today: date) -> int:
        return (self.current_due_on - today).days


def _waiting_for_id(request: DeletionRequest, regime: jurisdictions.Regime, current_due: date) -> bool:
    """LinkedIn asked for ID, before its deadline, under a law whose clock
    stops for it, and the member has not given it yet: no deadline runs."""
    if not regime.pauses_for_id or request.id_requested_on is None or request.id_given_on is not None:
        return False
    # An ask after the deadline (or after an answer) stops nothing: the time was up already.
    return request.answered_on is None and request.id_requested_on <= current_due


def request_dates(request: DeletionRequest) -> RequestDates | None:
    """The deadline and what follows it, once the request was sent; None before."""
    if request.submitted_on is None:
        return None
    regime = jurisdictions.regime_by_code(request.regime_code)
    # UK: the days the clock stood still while LinkedIn waited for ID move every end.
    stopped = request.id_stopped_days if regime.pauses_for_id else 0
    due = due_date(regime, request.submitted_on, stopped_days=stopped)
    extension = extended_due_date(regime, request.submitted_on, stopped_days=stopped)
    if request.extended_on and extension:
        # The extension replaces the first deadline; no follow-up letter after it.
        return RequestDates(
            due_on=due,
            extended_due_on=extension,
            possible_extended_due_on=None,
            follow_up_ends_on=None,
            escalation_on=extension + timedelta(days=1),
            paused=_waiting_for_id(request, regime, extension),
        )
    follow_up_ends_on = (request.follow_up_sent_on or due) + timedelta(days=FOLLOW_UP_DAYS)
    return RequestDates(
        due_on=due,
        extended_due_on=None,
        possible_extended_due_on=extension if request.extended_on is None else None,
        follow_up_ends_on=follow_up_ends_on,
        escalation_on=follow_up_ends_on + timedelta(days=1),
        paused=_waiting_for_id(request, regime, due),
    )


def earliest_follow_up_on(request_dates: RequestDates) -> date:
    """The first day a follow-up can go out: the day after the deadline."""
    return request_dates.current_due_on + timedelta(days=1)


def appeal_due_on(request: DeletionRequest) -> date | None:
    """The last day for LinkedIn to answer the member's appeal, where the law
    sets one and the appeal was sent; None otherwise."""
    regime = jurisdictions.regime_by_code(request.regime_code)
    if request.appeal_sent_on is None or regime.appeal is None or regime.appeal.answer_within is None:
        return None
    return _period_end(regime.appeal.answer_within, request.appeal_sent_on, regime.holiday_country)


def access_due_on(request: DeletionRequest) -> date | None:
    """The deadline of the access request, counted like the deletion's from
    the day LinkedIn received it; None until it was sent."""
    if request.access_sent_on is None:
        return None
    return due_date(jurisdictions.regime_by_code(request.regime_code), request.access_sent_on)


def done_on(request: DeletionRequest) -> date | None:
    """The day LinkedIn did what was asked: its answer "done", or a granted appeal."""
    if request.appeal_outcome == AppealOutcome.GRANTED:
        return request.appeal_answered_on
    if request.answer_outcome == AnswerOutcome.DONE:
        return request.answered_on
    return None


def calendar_dates(request: DeletionRequest) -> dict[str, date]:
    """The dates the member sees as milestones (and the calendar file holds):
    deadline, extended deadline once announced, escalation."""
    dates = request_dates(request)
    if dates is None or dates.paused:
        return {}  # while the clock stands still no date is due
    found = {"deadline": dates.due_on}
    if dates.extended_due_on:
        found["extended_deadline"] = dates.extended_due_on
    found["escalation"] = dates.escalation_on
    return found


def receipt_letter_date(request: DeletionRequest) -> date:
    """The date printed on the letter in the receipt: the day it went to
    LinkedIn once known, else the day it was written. Never "today", so an
    unchanged request keeps its fingerprint (and its stored PDF)."""
    return request.submitted_on or request.created_at.date()


# --------------------------------------------------------------------------- retention


def purge_on(request: DeletionRequest) -> date | None:
    """When LinkedOut erases the request's personal data by itself.

    Settled (LinkedIn did what was asked): RETENTION_DAYS_AFTER_CLOSE after
    that day, or after the access request's answer or deadline if later.
    Otherwise (not sent, waiting, refused, appealed, complained) the member
    may still need it: RETENTION_DAYS_INACTIVE after the last activity or the
    last deadline still open, whichever is later."""
    if request.status == Status.ERASED:
        return None
    access_until = request.access_answered_on or access_due_on(request)
    settled = done_on(request) if request.status == Status.ANSWERED else None
    if settled is not None:
        last = max(day for day in (settled, access_until) if day)
        return last + timedelta(days=settings.RETENTION_DAYS_AFTER_CLOSE)
    open_until = [request.updated_at.date(), access_until, appeal_due_on(request)]
    return max(day for day in open_until if day) + timedelta(days=settings.RETENTION_DAYS_INACTIVE)


@dataclass(frozen=True)
class RetentionCutoffs:
    """purge_on() as two cut-off days, for a query over all requests: settled
    on or before `answered_by`, or idle since `idle_since` or earlier."""

    answered_by: date
    idle_since: date


def retention_cutoffs(today: date) -> RetentionCutoffs:
    return RetentionCutoffs(
        answered_by=today - timedelta(days=settings.RETENTION_DAYS_AFTER_CLOSE),
        idle_since=today - timedelta(days=settings.RETENTION_DAYS_INACTIVE),
    )


# --------------------------------------------------------------------------- reminders


@dataclass(frozen=True)
class Planned:
    kind: str
    due_at: datetime


def morning_of(day: date) -> datetime:
    return datetime.combine(day, SEND_AT, tzinfo=UTC)


def plan_reminders(request: DeletionRequest) -> list[Planned]:
    """Every reminder this request should get, given its state now."""
    if request.status == Status.ERASED or not request.reminders_enabled or request.email_confirmed_at is None:
        return []
    created = request.created_at.date()
    planned: list[Planned] = []
    if request.status == Status.CREATED:
        for kind, days in NOT_SENT_NUDGE_DAYS.items():
            planned.append(Planned(kind, morning_of(created + timedelta(days=days))))
    if request.ai_setting_off_on is None:
        planned.append(Planned(ReminderKind.AI_SETTING, morning_of(created + timedelta(days=AI_SETTING_NUDGE_DAYS))))
    complained = request.complaint_sent_on is not None
    dates = request_dates(request) if request.status == Status.SUBMITTED and not complained else None
    if dates and not dates.paused:
        deadline = dates.current_due_on
        planned.append(
            Planned(ReminderKind.DEADLINE_SOON, morning_of(deadline - timedelta(days=DEADLINE_WARNING_DAYS)))
        )
        if dates.follow_up_ends_on and request.follow_up_sent_on is None:
            planned.append(Planned(ReminderKind.DEADLINE_PASSED, morning_of(deadline + timedelta(days=1))))
        planned.append(Planned(ReminderKind.ESCALATE, morning_of(dates.escalation_on)))
    if request.status == Status.ANSWERED and not complained:
        appeal_due = appeal_due_on(request)
        if appeal_due and request.appeal_answered_on is None:
            planned.append(Planned(ReminderKind.APPEAL_OVERDUE, morning_of(appeal_due + timedelta(days=1))))
        done = done_on(request)
        if done:
            planned.append(Planned(ReminderKind.DONE_CHECK, morning_of(done + timedelta(days=DONE_CHECK_DAYS))))
    access_due = access_due_on(request)
    if access_due and request.access_answered_on is None:
        planned.append(Planned(ReminderKind.ACCESS_OVERDUE, morning_of(access_due + timedelta(days=1))))
    purge_day = purge_on(request)
    if purge_day:
        planned.append(Planned(ReminderKind.PURGE_WARNING, morning_of(purge_day - timedelta(days=PURGE_WARNING_DAYS))))
    return planned


def retry_delay(attempts: int) -> timedelta:
    """Backoff between attempts: 1, 4, 16, 64 minutes by default."""
    return timedelta(seconds=settings.REMINDER_RETRY_SECONDS * 4 ** (attempts - 1))


def stale_claim() -> timedelta:
    """A claimed or sending row older than this is taken back by the next
    sweep: its worker died. Longer than any send may take."""
    return timedelta(seconds=settings.REMINDER_STALE_CLAIM_SECONDS)


def beat_stale_after() -> timedelta:
    """How long without a sweep before /healthz reports beat as down."""
    return timedelta(seconds=settings.SWEEP_INTERVAL_SECONDS * MISSED_SWEEPS_BEFORE_DOWN)
