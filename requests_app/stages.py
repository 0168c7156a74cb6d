"""Where a request stands, and what the member does next: one stage for every
fork between the first request and the authority.

Pure: a function of the request's fields, its regime and a day. The request
page shows the stage's next step and its text; the reminder plan
(`dates.plan_reminders`) follows the same recorded fields, so the page and the
emails agree.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import TYPE_CHECKING

from . import dates, jurisdictions
from .choices import UNSATISFACTORY_OUTCOMES, AnswerOutcome, AppealOutcome, Status

if TYPE_CHECKING:
    from .models import DeletionRequest


class StageKind(StrEnum):
    NOT_SENT = "not_sent"
    WAITING = "waiting"  # sent, the deadline not reached
    EXTENDED = "extended"  # LinkedIn announced the longer period
    ID_REQUESTED = "id_requested"
    OVERDUE = "overdue"  # the deadline passed: the follow-up letter
    FOLLOW_UP_SENT = "follow_up_sent"  # its 14 days run
    FOLLOW_UP_OVERDUE = "follow_up_overdue"  # no answer after all: the complaint
    DONE = "done"
    PARTLY = "partly"
    REFUSED = "refused"
    TRAINING_DONE = "training_done"
    ACCOUNT_RESTRICTED = "account_restricted"
    APPEALED = "appealed"  # US states: the appeal runs
    APPEAL_OVERDUE = "appeal_overdue"
    APPEAL_DENIED = "appeal_denied"
    COMPLAINED = "complained"
    ERASED = "erased"


# The stages after which LinkedIn has had its chance; where the law gives an
# appeal, the refusals among them lead to the appeal first (Stage.offers_complaint).
COMPLAINT_STAGES = frozenset(
    {
        StageKind.FOLLOW_UP_OVERDUE, StageKind.PARTLY, StageKind.REFUSED, StageKind.TRAINING_DONE,
        StageKind.ACCOUNT_RESTRICTED, StageKind.APPEAL_OVERDUE, StageKind.APPEAL_DENIED,
    }
)  # fmt: skip
# The stages in which the member replies to LinkedIn's answer.
REPLY_STAGES = frozenset(
    {StageKind.ID_REQUESTED, StageKind.PARTLY, StageKind.REFUSED, StageKind.TRAINING_DONE, StageKind.ACCOUNT_RESTRICTED}
)
_ANSWER_STAGES = {
    AnswerOutcome.PARTLY: StageKind.PARTLY,
    AnswerOutcome.REFUSED: StageKind.REFUSED,
    AnswerOutcome.TRAINING_DONE: StageKind.TRAINING_DONE,
    AnswerOutcome.ACCOUNT_RESTRICTED: StageKind.ACCOUNT_RESTRICTED,
}


@dataclass(frozen=True)
class Stage:
    kind: StageKind
    # The day that matters now: the deadline, the follow-up's or the appeal's end.
    until: date | None = None
    # Where the law gives an appeal of a refusal (US states), it comes before the complaint.
    appeal_first: bool = False

    @property
    def offers_follow_up(self) -> bool:
        return self.kind == StageKind.OVERDUE

    @property
    def offers_complaint(self) -> bool:
        # Once the deadline passed, a complaint is possible even without a follow-up.
        if self.appeal_first:
            return self.kind in (StageKind.APPEAL_OVERDUE, StageKind.APPEAL_DENIED, StageKind.OVERDUE,
                                 StageKind.FOLLOW_UP_SENT, StageKind.FOLLOW_UP_OVERDUE)  # fmt: skip
        return self.kind in COMPLAINT_STAGES | {StageKind.OVERDUE, StageKind.FOLLOW_UP_SENT}

    @property
    def offers_appeal(self) -> bool:
        return self.appeal_first and self.kind in _ANSWER_STAGES.values()

    @property
    def offers_extension(self) -> bool:
        # LinkedIn can extend only before its first deadline.
        return self.kind in (StageKind.WAITING, StageKind.ID_REQUESTED)

    @property
    def offers_general_appeal_note(self) -> bool:
        """Before any answer: the page says an appeal will be possible after a refusal."""
        return self.appeal_first and self.kind in (
            StageKind.NOT_SENT, StageKind.WAITING, StageKind.EXTENDED, StageKind.ID_REQUESTED,
            StageKind.OVERDUE, StageKind.FOLLOW_UP_SENT, StageKind.FOLLOW_UP_OVERDUE,
        )  # fmt: skip

    @property
    def offers_reply(self) -> bool:
        return self.kind in REPLY_STAGES

    @property
    def offers_follow_up_letter(self) -> bool:
        return self.kind in (StageKind.OVERDUE, StageKind.FOLLOW_UP_SENT)

    @property
    def offers_id_given(self) -> bool:
        # Only while the clock stands still for it (UK); elsewhere the ID changes no date.
        return self.kind == StageKind.ID_REQUESTED and self.until is None

    @property
    def offers_appeal_answer(self) -> bool:
        return self.kind in (StageKind.APPEALED, StageKind.APPEAL_OVERDUE)

    @property
    def offers_answer(self) -> bool:
        """LinkedIn may still answer (or answer again, after a reply)."""
        return self.kind in (
            StageKind.WAITING, StageKind.EXTENDED, StageKind.ID_REQUESTED, StageKind.OVERDUE,
            StageKind.FOLLOW_UP_SENT, StageKind.FOLLOW_UP_OVERDUE, StageKind.PARTLY, StageKind.REFUSED,
            StageKind.TRAINING_DONE, StageKind.ACCOUNT_RESTRICTED,
        )  # fmt: skip


def stage_of(request: DeletionRequest, today: date) -> Stage:
    """The stage of ``request`` on ``today``, from what the member recorded."""
    regime = jurisdictions.regime_by_code(request.regime_code)
    appeal_first = regime.appeal is not None
    if request.status == Status.ERASED:
        return Stage(StageKind.ERASED)
    if request.status == Status.ANSWERED and dates.done_on(request) is not None:
        # Done wins, even after a complaint: LinkedIn may comply when the authority steps in.
        return Stage(StageKind.DONE, appeal_first=appeal_first)
    if request.complaint_sent_on is not None:
        return Stage(StageKind.COMPLAINED, appeal_first=appeal_first)
    if request.status == Status.CREATED:
        return Stage(StageKind.NOT_SENT, appeal_first=appeal_first)
    if request.status == Status.ANSWERED:
        return _answered_stage(request, today, appeal_first)
    return _waiting_stage(request, regime, today, appeal_first)


def _answered_stage(request: DeletionRequest, today: date, appeal_first: bool) -> Stage:
    if request.answer_outcome not in UNSATISFACTORY_OUTCOMES:
        return Stage(StageKind.DONE, appeal_first=appeal_first)  # an answer recorded before outcomes existed
    if appeal_first and request.appeal_sent_on is not None:
        if request.appeal_outcome == AppealOutcome.DENIED:
            return Stage(StageKind.APPEAL_DENIED, appeal_first=True)
        due = dates.appeal_due_on(request)
        if due is not None and today > due:
            return Stage(StageKind.APPEAL_OVERDUE, until=due, appeal_first=True)
        return Stage(StageKind.APPEALED, until=due, appeal_first=True)
    return Stage(_ANSWER_STAGES[request.answer_outcome], appeal_first=appeal_first)


def _waiting_stage(request: DeletionRequest, regime: jurisdictions.Regime, today: date, appeal_first: bool) -> Stage:
    request_dates = dates.request_dates(request)
    if request_dates.paused:
        return Stage(StageKind.ID_REQUESTED, appeal_first=appeal_first)
    due = request_dates.current_due_on
    if today <= due:
        # Once the member gave the ID where the clock stopped for it, LinkedIn's move again.
        id_given = request.id_given_on is not None and regime.pauses_for_id
        if request.answer_outcome == AnswerOutcome.ASKED_FOR_ID and not id_given:
            return Stage(StageKind.ID_REQUESTED, until=due, appeal_first=appeal_first)
        kind = StageKind.EXTENDED if request_dates.extended_due_on else StageKind.WAITING
        return Stage(kind, until=due, appeal_first=appeal_first)
    if request_dates.follow_up_ends_on is None:
        # An extended deadline that passes goes straight to the complaint.
        return Stage(StageKind.FOLLOW_UP_OVERDUE, until=due, appeal_first=appeal_first)
    if today > request_dates.follow_up_ends_on:
        # The follow-up's 14 days are over, sent or not: the complaint, as the escalation email says.
        return Stage(StageKind.FOLLOW_UP_OVERDUE, until=request_dates.follow_up_ends_on, appeal_first=appeal_first)
    if request.follow_up_sent_on is None:
        return Stage(StageKind.OVERDUE, until=due, appeal_first=appeal_first)
    return Stage(StageKind.FOLLOW_UP_SENT, until=request_dates.follow_up_ends_on, appeal_first=appeal_first)
