"""The store: a deletion request, its timeline, its private links, its
reminders and its stored receipt.

Which change a request allows is `lifecycle.py`'s; the verbs that change the
rows live in `services/` and nowhere else.
"""

from __future__ import annotations

import base64
import functools
import secrets

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC
from django.conf import settings
from django.db import models
from django.utils import timezone
from encrypted_fields.fields import EncryptedCharField, EncryptedJSONField

from .choices import AnswerOutcome, AppealOutcome, EventKind, ReminderKind, ReminderState, Scope, Status, TokenPurpose


def new_fingerprint_salt() -> str:
    return secrets.token_hex(16)


class _OwnKeys:
    """The library derives its keys from SECRET_KEY; ours come from
    FIELD_ENCRYPTION_KEYS, so the key that encrypts is not the one that signs.
    Read from the settings at each use (the derived keys are cached), so a
    rotation applies without a new field object."""

    @property
    def keys(self) -> list[bytes]:
        return list(_derived_keys(tuple(settings.FIELD_ENCRYPTION_KEYS), _salts()))

    @property
    def f(self) -> MultiFernet:
        return field_fernet()


class EncryptedText(_OwnKeys, EncryptedCharField):
    """Encrypted at rest (Fernet, keys derived from FIELD_ENCRYPTION_KEYS; the
    first encrypts, all decrypt). The library stores "" as NULL; it is read
    back as "" so that a value looks the same before and after a save."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("blank", True)
        kwargs["null"] = True
        super().__init__(*args, **kwargs)

    def from_db_value(self, value, expression, connection):
        value = super().from_db_value(value, expression, connection)
        return "" if value is None else value


class EncryptedJSON(_OwnKeys, EncryptedJSONField):
    """A JSON value (a list of codes, of URLs) encrypted like the text fields."""


def _salts() -> tuple[str, ...]:
    return tuple(settings.SALT_KEY if isinstance(settings.SALT_KEY, list) else [settings.SALT_KEY])


@functools.cache
def _derived_keys(secret_keys: tuple[str, ...], salts: tuple[str, ...]) -> tuple[bytes, ...]:
    # One Fernet key per encryption key and salt, as the library derives them
    # (PBKDF2, 100,000 rounds), once per set of settings: each takes a while.
    keys = []
    for secret in secret_keys:
        for salt in salts:
            kdf = PBKDF2HMAC(algorithm=hashes.SHA256(), length=32, salt=salt.encode(), iterations=100_000)
            keys.append(base64.urlsafe_b64encode(kdf.derive(secret.encode())))
    return tuple(keys)


@functools.cache
def _multi_fernet(keys: tuple[bytes, ...]) -> MultiFernet:
    return MultiFernet([Fernet(key) for key in keys])


def field_fernet() -> MultiFernet:
    """The personal data's encryption: the first key encrypts, all decrypt."""
    return _multi_fernet(_derived_keys(tuple(settings.FIELD_ENCRYPTION_KEYS), _salts()))


class EncryptedBytes(models.BinaryField):
    """Bytes encrypted at rest with the same keys as the text fields. A value
    no current key can open (keys rotated without `reencrypt`) reads as None."""

    def get_db_prep_value(self, value, connection, prepared=False):
        if value is not None:
            value = field_fernet().encrypt(bytes(value))
        return super().get_db_prep_value(value, connection, prepared)

    def from_db_value(self, value, expression, connection):
        if value is None:
            return None
        try:
            return field_fernet().decrypt(bytes(value))
        except InvalidToken:
            return None


class DeletionRequest(models.Model):
    Status = Status

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
    data_categories = EncryptedJSON(default=list)
    specific_urls = EncryptedJSON(default=list, blank=True)
    object_to_processing = models.BooleanField(default=True)
    # Art. 21(1) GDPR: "grounds relating to his or her particular situation".
    particular_situation = EncryptedText(max_length=1000, default="")
    close_account = models.BooleanField(default=False)
    # "What did you train on me?": an access request beside the deletion, with its own clock.
    access_request = models.BooleanField(default=False)
    access_sent_on = models.DateField(null=True, blank=True)
    access_answered_on = models.DateField(null=True, blank=True)

    ai_setting_off_on = models.DateField(null=True, blank=True)
    reminders_enabled = models.BooleanField(default=True)

    # The regime is fixed when the request is made, so later edits of the
    # jurisdiction table never move a deadline already promised to the user.
    regime_code = models.CharField(max_length=16)

    submitted_on = models.DateField(null=True, blank=True)
    linkedin_case_number = EncryptedText(max_length=64)
    extended_on = models.DateField(null=True, blank=True)
    answered_on = models.DateField(null=True, blank=True)
    answer_outcome = models.CharField(max_length=24, choices=AnswerOutcome.choices, blank=True)
    # LinkedIn's answer in the member's words, for the complaint (personal: erased).
    answer_summary = EncryptedText(max_length=1000, default="")
    # The steps after the deadline or a refusal, as the member records them.
    # A text (complaint, receipt) claims a step only when its date is here.
    id_requested_on = models.DateField(null=True, blank=True)
    id_given_on = models.DateField(null=True, blank=True)  # where the clock stops for ID (UK), it restarts here
    # The days the clock stood still over the ID requests the member answered (see dates.request_dates).
    id_stopped_days = models.PositiveIntegerField(default=0)
    follow_up_sent_on = models.DateField(null=True, blank=True)
    appeal_sent_on = models.DateField(null=True, blank=True)
    appeal_answered_on = models.DateField(null=True, blank=True)
    appeal_outcome = models.CharField(max_length=16, choices=AppealOutcome.choices, blank=True)
    complaint_sent_on = models.DateField(null=True, blank=True)
    complaint_authority = models.CharField(max_length=32, blank=True)  # a key of authorities.json
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
    """One line of a request's timeline. Lines are only added, never changed
    one by one (save() refuses); erase alone blanks every line's detail, in
    one UPDATE, since a detail may hold a case number."""

    Kind = EventKind

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
            raise ValueError("Timeline events are only ever added, not edited.")
        super().save(*args, **kwargs)

    @property
    def outcome_display(self) -> str:
        """What the step's detail says, in words: LinkedIn's answer, the appeal's."""
        if self.kind == self.Kind.ANSWERED:
            return str(dict(AnswerOutcome.choices).get(self.detail, ""))
        if self.kind == self.Kind.APPEAL_ANSWERED:
            return str(dict(AppealOutcome.choices).get(self.detail, ""))
        return ""


class AccessToken(models.Model):
    """A private link with one purpose (see TokenPurpose). Only the SHA-256
    of the token is stored."""

    request = models.ForeignKey(DeletionRequest, on_delete=models.CASCADE, related_name="tokens")
    token_hash = models.CharField(max_length=64, unique=True)
    purpose = models.CharField(max_length=16, choices=TokenPurpose.choices, default=TokenPurpose.MANAGE)
    created_at = models.DateTimeField(default=timezone.now)
    # A token past this moment opens nothing (the confirmation link's).
    expires_at = models.DateTimeField(null=True, blank=True)
    # Set when a single-use token was used, or the token was revoked.
    ended_at = models.DateTimeField(null=True, blank=True)
    # Only on the links emails share (tokens.email_links): the token is an
    # HMAC of this seed under SECRET_KEY, so the next email can carry the same
    # link without storing it. Blank on every other token, which no one can
    # know again once it is handed out.
    link_seed = models.CharField(max_length=32, blank=True)

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


class StoredReceipt(models.Model):
    """The latest PDF receipt the worker rendered for a request, encrypted.
    A download serves it while its key matches the request as it is now
    and the current render version; erase deletes it."""

    request = models.OneToOneField(DeletionRequest, on_delete=models.CASCADE, related_name="stored_receipt")
    # The PDF shows this content (receipts.receipt_fingerprint) as rendered
    # with this version (receipts.render_version).
    fingerprint = models.CharField(max_length=64)
    render_version = models.CharField(max_length=100)
    pdf = EncryptedBytes()
    rendered_at = models.DateTimeField(default=timezone.now)
    # The request's updated_at when this PDF was last found current.
    request_updated_at = models.DateTimeField(null=True, blank=True)
    # Set once its fingerprint was recorded as issued (first download or email).
    issued_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"receipt of {self.request_id}"


class Reminder(models.Model):
    """One email LinkedOut will send. The database, not the broker, is where
    future emails live; the sweep claims due rows (see services/outbox.py)."""

    Kind = ReminderKind
    State = ReminderState

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
