"""The closed vocabularies of LinkedOut: what a member can choose, the states
a request and a reminder pass through, the kinds of timeline events.

Plain enumerations, importable by the pure rules (dates, letters, guide)
without the models; the models use them as their fields' choices.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class DataCategory(models.TextChoices):
    """The kinds of data LinkedIn says it trains its content-generating AI on,
    in the order of its own list (facts.json "ai_training_data" says which
    LinkedIn uses; these are the words a member reads)."""

    PROFILE = "profile", _("My profile (name, photo, headline, experience, education, skills, summary and the rest)")
    POSTS = "posts", _("My posts and comments")
    ARTICLES = "articles", _("My articles")
    POLLS = "polls", _("My poll answers and contributions to collaborative articles")
    GROUPS = "groups", _("My group posts and group messages")
    AI_INPUTS = "ai_inputs", _("What I typed into LinkedIn's AI features (prompts, chats, searches)")
    RESUMES = "resumes", _("Resumes I uploaded and my answers to screening questions")


class NotUsedForTraining(models.TextChoices):
    """What LinkedIn does not list among the data it trains on (facts.json
    "ai_training_not_used")."""

    PRIVATE_MESSAGES = "private_messages", _("private messages")
    LOGIN_DATA = "login_data", _("log-in data")
    PAYMENT_DATA = "payment_data", _("payment data")
    SALARY_DATA = "salary_data", _("salary data")
    JOB_APPLICATIONS = "job_applications", _("job applications")


class Scope(models.TextChoices):
    """What the member wants done with the data they chose."""

    AI_TRAINING = "ai_training", _("Take my data out of AI training. My profile and posts stay on LinkedIn.")
    DELETE = "delete", _("Delete this data from LinkedIn altogether, and out of AI training.")


class AnswerOutcome(models.TextChoices):
    """What LinkedIn answered, as the member reads it. Each has its own next
    step (stages.py) and reply (letters.py)."""

    DONE = "done", _("LinkedIn deleted the data")
    PARTLY = "partly", _("LinkedIn deleted only part of it")
    REFUSED = "refused", _("LinkedIn refused")
    ASKED_FOR_ID = "asked_for_id", _("LinkedIn asked me to prove my identity")
    TRAINING_DONE = "training_done", _("LinkedIn said training already done cannot be undone, or to use my settings")
    ACCOUNT_RESTRICTED = "account_restricted", _("LinkedIn said my account is restricted")


# The answers after which LinkedIn has not done what was asked: the member
# replies, appeals or complains.
UNSATISFACTORY_OUTCOMES = frozenset(
    {AnswerOutcome.PARTLY, AnswerOutcome.REFUSED, AnswerOutcome.TRAINING_DONE, AnswerOutcome.ACCOUNT_RESTRICTED}
)


class AppealOutcome(models.TextChoices):
    GRANTED = "granted", _("LinkedIn granted my appeal and deleted the data")
    DENIED = "denied", _("LinkedIn denied my appeal")


class Status(models.TextChoices):
    CREATED = "created", _("Not sent to LinkedIn yet")
    SUBMITTED = "submitted", _("Sent to LinkedIn, waiting for an answer")
    ANSWERED = "answered", _("LinkedIn answered")
    ERASED = "erased", _("Erased")


class EventKind(models.TextChoices):
    CREATED = "created", _("Request created")
    AI_SETTING_OFF = "ai_setting_off", _("AI-training setting switched off")
    SUBMITTED = "submitted", _("Sent to LinkedIn")
    EXTENDED = "extended", _("LinkedIn extended the deadline")
    ANSWERED = "answered", _("LinkedIn answered")
    ID_GIVEN = "id_given", _("Proof of identity given to LinkedIn")
    FOLLOW_UP_SENT = "follow_up_sent", _("Follow-up letter sent")
    APPEAL_SENT = "appeal_sent", _("Appeal sent to LinkedIn")
    APPEAL_ANSWERED = "appeal_answered", _("LinkedIn answered the appeal")
    COMPLAINT_SENT = "complaint_sent", _("Complaint sent to the authority")
    ACCESS_SENT = "access_sent", _("Access request sent to LinkedIn")
    ACCESS_ANSWERED = "access_answered", _("LinkedIn answered the access request")
    LINK_SENT = "link_sent", _("Private link emailed")
    EMAIL_CONFIRMED = "email_confirmed", _("Email address confirmed: reminders on")
    REMINDERS_STOPPED = "reminders_stopped", _("Reminders stopped")
    REMINDERS_RESUMED = "reminders_resumed", _("Reminders resumed")
    ERASED = "erased", _("Everything erased")


class ReminderKind(models.TextChoices):
    """Every kind of email LinkedOut sends. All but PRIVATE_LINK are planned
    from the request's state (dates.plan_reminders); the private link is sent
    when the request is made or the member asks for it again."""

    NOT_SENT_1 = "not_sent_1", _("Not sent yet (day 1)")
    NOT_SENT_4 = "not_sent_4", _("Not sent yet (day 4)")
    AI_SETTING = "ai_setting", _("AI setting still on")
    DEADLINE_SOON = "deadline_soon", _("Deadline in 3 days")
    DEADLINE_PASSED = "deadline_passed", _("Deadline passed: follow-up letter")
    ESCALATE = "escalate", _("Still no answer: complaint to the authority")
    APPEAL_OVERDUE = "appeal_overdue", _("Appeal not answered in time: complaint")
    DONE_CHECK = "done_check", _("Check that the AI setting is still off")
    ACCESS_OVERDUE = "access_overdue", _("Access request not answered in time")
    PURGE_WARNING = "purge_warning", _("Data will be purged soon")
    PRIVATE_LINK = "private_link", _("Your private link")


class ReminderState(models.TextChoices):
    PENDING = "pending", _("Scheduled")
    CLAIMED = "claimed", _("Being sent")
    SENDING = "sending", _("Being sent")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Could not be delivered")
    CANCELLED = "cancelled", _("Cancelled")


class TokenPurpose(models.TextChoices):
    """What a private-link token may do. The member's page link manages the
    request; the link in the confirmation email can only confirm the address."""

    MANAGE = "manage", _("Open and change the request")
    CONFIRM_EMAIL = "confirm_email", _("Confirm the email address")
    # In the calendar file: the page, receipt and deadlines, read-only.
    VIEW = "view", _("See the request, read-only")
    # In each reminder's one-click unsubscribe link: stops reminders, nothing else.
    UNSUBSCRIBE = "unsubscribe", _("Stop the reminders")
