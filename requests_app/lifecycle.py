"""Which change a request allows in which state, and the state it leads to.

The one state table of LinkedOut: every verb in services asks it (`next_status`
for a change of state, `allows` for a change within one) before it writes, so
no verb can move a request in a way this table does not list. Pure: no
database, no I/O.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from .choices import Status


class InvalidTransition(Exception):
    """The request is not in a state that allows this change."""


class DateOrderError(ValueError):
    """A date the member gave cannot be right given the request's other dates.
    Its message is a sentence for the member."""


class Action(StrEnum):
    MARK_SUBMITTED = "mark_submitted"
    RECORD_EXTENSION = "record_extension"
    RECORD_ANSWER = "record_answer"
    # LinkedIn asked for proof of identity: an answer that keeps the request open.
    RECORD_ID_REQUEST = "record_id_request"
    # The steps after the deadline or an unsatisfactory answer.
    RECORD_ID_GIVEN = "record_id_given"
    RECORD_FOLLOW_UP = "record_follow_up"
    RECORD_APPEAL = "record_appeal"
    RECORD_APPEAL_ANSWER = "record_appeal_answer"
    RECORD_COMPLAINT = "record_complaint"
    # The access request beside the deletion ("what did you train on me?").
    RECORD_ACCESS_SENT = "record_access_sent"
    RECORD_ACCESS_ANSWER = "record_access_answer"
    CONFIRM_AI_SETTING = "confirm_ai_setting"
    CONFIRM_EMAIL = "confirm_email"
    STOP_REMINDERS = "stop_reminders"
    RESUME_REMINDERS = "resume_reminders"
    ISSUE_RECEIPT = "issue_receipt"
    ERASE = "erase"


_LIVE = (Status.CREATED, Status.SUBMITTED, Status.ANSWERED)

# (state, action) -> the state after it. A pair not listed is refused.
TRANSITIONS: dict[tuple[str, Action], str] = {
    # Marking it sent again corrects the date.
    (Status.CREATED, Action.MARK_SUBMITTED): Status.SUBMITTED,
    (Status.SUBMITTED, Action.MARK_SUBMITTED): Status.SUBMITTED,
    (Status.SUBMITTED, Action.RECORD_EXTENSION): Status.SUBMITTED,
    (Status.SUBMITTED, Action.RECORD_ID_REQUEST): Status.SUBMITTED,
    # A second answer (after a partial one, say) replaces the first.
    (Status.SUBMITTED, Action.RECORD_ANSWER): Status.ANSWERED,
    (Status.ANSWERED, Action.RECORD_ANSWER): Status.ANSWERED,
    # A follow-up goes out while LinkedIn has not answered; an appeal and its
    # answer only after an answer; a complaint after either.
    (Status.SUBMITTED, Action.RECORD_FOLLOW_UP): Status.SUBMITTED,
    (Status.SUBMITTED, Action.RECORD_ID_GIVEN): Status.SUBMITTED,
    (Status.ANSWERED, Action.RECORD_APPEAL): Status.ANSWERED,
    (Status.ANSWERED, Action.RECORD_APPEAL_ANSWER): Status.ANSWERED,
    (Status.SUBMITTED, Action.RECORD_COMPLAINT): Status.SUBMITTED,
    (Status.ANSWERED, Action.RECORD_COMPLAINT): Status.ANSWERED,
    **{(status, Action.CONFIRM_AI_SETTING): status for status in _LIVE},
    **{(status, Action.RECORD_ACCESS_SENT): status for status in _LIVE},
    **{(status, Action.RECORD_ACCESS_ANSWER): status for status in _LIVE},
    **{(status, Action.CONFIRM_EMAIL): status for status in _LIVE},
    **{(status, Action.STOP_REMINDERS): status for status in _LIVE},
    **{(status, Action.RESUME_REMINDERS): status for status in _LIVE},
    **{(status, Action.ISSUE_RECEIPT): status for status in _LIVE},
    **{(status, Action.ERASE): Status.ERASED for status in _LIVE},
}


def allows(status: str, action: Action) -> bool:
    return (status, action) in TRANSITIONS


def next_status(status: str, action: Action) -> str:
    """The state after `action`, or InvalidTransition if `status` allows none."""
    try:
        return TRANSITIONS[(status, action)]
    except KeyError:
        raise InvalidTransition(f"{action} is not possible on a request that is {status}") from None


def check_not_before(day: date, earliest: date | None, message: str) -> None:
    """Refuse `day` if it lies before `earliest` (an answer before the request
    went out, say), with `message` for the member."""
    if earliest is not None and day < earliest:
        raise DateOrderError(message)
