"""Data: a deletion request, its append-only timeline and its private links.

Models keep their own invariants (which state may follow which); the verbs
that change them live in services.py.
"""

from __future__ import annotations

import secrets

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from encrypted_fields.fields import EncryptedCharField, EncryptedJSONField


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
    DONE = "done", _("LinkedIn deleted the data")
    PARTLY = "partly", _("LinkedIn deleted only part of it")
    REFUSED = "refused", _("LinkedIn refused")
    ASKED_FOR_ID = "asked_for_id", _("LinkedIn asked me to prove my identity")


def new_fingerprint_salt() -> str:
    return secrets.token_hex(16)


class EncryptedText(EncryptedCharField):
    """Encrypted at rest (Fernet, key derived from SECRET_KEY; rotation via
    SECRET_KEY_FALLBACKS). The library stores "" as NULL; it is read back as
    "" so that a value looks the same before and after a save."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("blank", True)
        kwargs["null"] = True
        super().__init__(*args, **kwargs)

    def from_db_value(self, value, expression, connection):
        value = super().from_db_value(value, expression, connection)
        return "" if value is None else value


class DeletionRequest(models.Model):
    class Status(models.TextChoices):
        CREATED = "created", _("Not sent to LinkedIn yet")
        SUBMITTED = "submitted", _("Sent to LinkedIn, waiting for an answer")
        ANSWERED = "answered", _("LinkedIn answered")
        ERASED = "erased", _("Erased")

    # Which state may follow which; services refuse anything else.
    TRANSITIONS: dict[str, set[str]] = {
        Status.CREATED: {Status.SUBMITTED, Status.ERASED},
        Status.SUBMITTED: {Status.SUBMITTED, Status.ANSWERED, Status.ERASED},
        Status.ANSWERED: {Status.ANSWERED, Status.ERASED},
        Status.ERASED: set(),
    }

    reference = models.CharField(max_length=12, unique=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.CREATED)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    # Set when a double-submitted "Create" must not make a second request.
    creation_key = models.CharField(max_length=64, unique=True, null=True, blank=True)

    # Who: personal data, blanked by erase.
    full_name = EncryptedText(max_length=200)
    # LinkedIn's forms ask for first and last name apart; requests made before
    # they were asked for have them blank (see name_parts()).
    first_name = EncryptedText(max_length=100, default="")
    last_name = EncryptedText(max_length=100, default="")
    email = EncryptedText(max_length=254)
    email_digest = models.CharField(max_length=64, blank=True, db_index=True)
    profile_url = EncryptedText(max_length=500)
    postal_address = EncryptedText(max_length=300, default="")  # optional, for the letter's sender block
    country = models.CharField(max_length=2)
    subdivision = models.CharField(max_length=3, blank=True)
    language = models.CharField(max_length=8, default="en")
    letter_language = models.CharField(max_length=8, default="en")

    # What: kept as lists of codes / URLs.
    scope = models.CharField(max_length=16, choices=Scope.choices, default=Scope.AI_TRAINING)
    data_categories = models.JSONField(default=list)
    specific_urls = EncryptedJSONField(default=list, blank=True)
    object_to_processing = models.BooleanField(default=True)
    # Art. 21(1) GDPR: "grounds relating to his or her particular situation".
    particular_situation = EncryptedText(max_length=1000, default="")
    close_account = models.BooleanField(default=False)

    ai_setting_off_on = models.DateField(null=True, blank=True)
    reminders_enabled = models.BooleanField(default=True)

    # The regime is fixed when the request is made, so later edits of the
    # jurisdiction table never move a deadline already promised to the user.
    regime_code = models.CharField(max_length=16)

    submitted_on = models.DateField(null=True, blank=True)
    linkedin_case_number = EncryptedText(max_length=64)
    extended_on = models.DateField(null=True, blank=True)
    answered_on = models.DateField(null=True, blank=True)
    answer_outcome = models.CharField(max_length=16, choices=AnswerOutcome.choices, blank=True)
    erased_at = models.DateTimeField(null=True, blank=True)
    # Double opt-in: no reminder is planned before the address is confirmed.
    email_confirmed_at = models.DateTimeField(null=True, blank=True)
    # Hashed into every receipt fingerprint (see receipts.py) and blanked by
    # erase, so the fingerprints LinkedOut keeps afterwards cannot be matched
    # against guessed names or addresses.
    fingerprint_salt = models.CharField(max_length=32, default=new_fingerprint_salt, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.reference

    def can_move_to(self, status: str) -> bool:
        return status in self.TRANSITIONS[self.status]

    @property
    def is_erased(self) -> bool:
        return self.status == self.Status.ERASED

    def name_parts(self) -> tuple[str, str]:
        """(first name, last name) as LinkedIn's forms ask them."""
        if self.first_name or self.last_name:
            return self.first_name, self.last_name
        first, _space, last = self.full_name.rpartition(" ")
        return (first, last) if first else (last, "")


class RequestEvent(models.Model):
    """One line of a request's timeline. Append-only: never edited."""

    class Kind(models.TextChoices):
        CREATED = "created", _("Request created")
        AI_SETTING_OFF = "ai_setting_off", _("AI-training setting switched off")
        SUBMITTED = "submitted", _("Sent to LinkedIn")
        EXTENDED = "extended", _("LinkedIn extended the deadline")
        ANSWERED = "answered", _("LinkedIn answered")
        LINK_SENT = "link_sent", _("Private link emailed")
        EMAIL_CONFIRMED = "email_confirmed", _("Email address confirmed: reminders on")
        REMINDERS_STOPPED = "reminders_stopped", _("Reminders stopped")
        REMINDERS_RESUMED = "reminders_resumed", _("Reminders resumed")
        ERASED = "erased", _("Everything erased")

    request = models.ForeignKey(DeletionRequest, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=32, choices=Kind.choices)
    at = models.DateTimeField(default=timezone.now)
    # The date the user gave for it (may be earlier than `at`).
    on_date = models.DateField(null=True, blank=True)
    detail = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.kind} @ {self.at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("Timeline events are append-only.")
        super().save(*args, **kwargs)

    @property
    def outcome_display(self) -> str:
        return str(dict(AnswerOutcome.choices).get(self.detail, "")) if self.kind == self.Kind.ANSWERED else ""


class AccessToken(models.Model):
    """A private link. Only the SHA-256 of the token is stored."""

    request = models.ForeignKey(DeletionRequest, on_delete=models.CASCADE, related_name="tokens")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        # Never the hash: nothing of a token belongs on a screen or in a log.
        return f"token #{self.pk} of {self.request_id}"


class ReceiptFingerprint(models.Model):
    """A PDF receipt LinkedOut issued: which reference, which fingerprint, when.

    Deliberately not a foreign key and holds no personal data: it outlives
    erase (and any purge of the request row), so a receipt printed years ago
    can still be verified at /verify/<reference>/.
    """

    reference = models.CharField(max_length=12, db_index=True)
    fingerprint = models.CharField(max_length=64)
    issued_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["issued_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["reference", "fingerprint"], name="unique_receipt_fingerprint"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.fingerprint[:12]}"


class Reminder(models.Model):
    """One email LinkedOut will send. The database, not the broker, is where
    future emails live; the sweep claims due rows (see reminders.py)."""

    class Kind(models.TextChoices):
        NOT_SENT_1 = "not_sent_1", _("Not sent yet (day 1)")
        NOT_SENT_4 = "not_sent_4", _("Not sent yet (day 4)")
        AI_SETTING = "ai_setting", _("AI setting still on")
        DEADLINE_SOON = "deadline_soon", _("Deadline in 3 days")
        DEADLINE_PASSED = "deadline_passed", _("Deadline passed: follow-up letter")
        ESCALATE = "escalate", _("Still no answer: complaint to the authority")
        PURGE_WARNING = "purge_warning", _("Data will be purged soon")

    class State(models.TextChoices):
        PENDING = "pending", _("Scheduled")
        CLAIMED = "claimed", _("Being sent")
        SENDING = "sending", _("Being sent")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Could not be delivered")
        CANCELLED = "cancelled", _("Cancelled")

    request = models.ForeignKey(DeletionRequest, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=32, choices=Kind.choices)
    due_at = models.DateTimeField()
    state = models.CharField(max_length=16, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=200, blank=True)
    claim = models.CharField(max_length=16, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["due_at", "id"]
        indexes = [
            # The sweep's query: pending rows by due time. Partial, so a table
            # of millions of sent rows costs the sweep nothing.
            models.Index(fields=["due_at"], name="reminder_pending_due", condition=models.Q(state="pending")),
            models.Index(fields=["state", "claimed_at"], name="reminder_state_claimed"),
            models.Index(fields=["claim"], name="reminder_claim", condition=~models.Q(claim="")),
        ]
        constraints = [
            # At most one live row per kind and request: replanning can race
            # with itself and must not double a reminder.
            models.UniqueConstraint(
                fields=["request", "kind"],
                condition=models.Q(state__in=["pending", "claimed", "sending"]),
                name="one_live_reminder_per_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} @ {self.due_at:%Y-%m-%d %H:%M} ({self.state})"


class Heartbeat(models.Model):
    """When a periodic job last ran; /healthz reads it."""

    name = models.CharField(max_length=32, unique=True)
    at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} @ {self.at:%Y-%m-%d %H:%M:%S}"
