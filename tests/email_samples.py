"""One email of every kind, each from a request in the state that sends it,
built by the real send functions (emails.py) into Django's locmem outbox.
Shared by the email tests, the browser test of the emails and bench/emails.py."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.utils import timezone

from requests_app import emails, jurisdictions
from requests_app.choices import TokenPurpose
from requests_app.models import DeletionRequest, Reminder
from requests_app.services import requests as request_services
from requests_app.services.links import unsubscribe_token
from requests_app.tokens import token_issue
from tests.factories import DeletionRequestFactory

LANGUAGES = ["en", "de", "fr", "es", "it", "nl", "pl"]
SENT = date(2026, 1, 31)
AI_SETTING_URL = jurisdictions.linkedin_url("ai_setting")


@dataclass
class Sample:
    """An email as the member gets it, and the link its one button must open."""

    name: str  # the template kind, with a variant where one kind reads two ways
    message: EmailMultiAlternatives
    action_url: str
    unsubscribe_url: str | None  # None: this email has no unsubscribe link (it is no reminder)
    send: Callable[[], None]  # renders and sends this email again (the benchmark times it)

    @property
    def html(self) -> str:
        return self.message.alternatives[0][0]


def _request(language: str, **fields) -> DeletionRequest:
    request = DeletionRequestFactory(language=language, **fields)
    request_services.request_confirm_email(request=request)
    request.refresh_from_db()
    return request


def _submitted(language: str, **fields) -> DeletionRequest:
    request = _request(language, ai_setting_off_on=date(2026, 1, 29), **fields)
    request_services.request_mark_submitted(request=request, submitted_on=SENT)
    request.refresh_from_db()  # the verbs save their own locked copy
    return request


def _texan_appealed(language: str, **fields) -> DeletionRequest:
    request = _submitted(language, country="US", subdivision="TX", regime_code="us_tx", access_request=True, **fields)
    request_services.request_record_answer(request=request, outcome="refused", answered_on=date(2026, 2, 1))
    request_services.request_record_appeal(request=request, sent_on=date(2026, 2, 2))
    request_services.request_record_access_sent(request=request, sent_on=date(2026, 2, 2))
    request.refresh_from_db()
    return request


def _answered_done(language: str, **fields) -> DeletionRequest:
    request = _submitted(language, **fields)
    request_services.request_record_answer(request=request, outcome="done", answered_on=date(2026, 2, 20))
    request.refresh_from_db()
    return request


def _sent(send: Callable[[], None]) -> tuple[EmailMultiAlternatives, Callable[[], None]]:
    send()
    return mail.outbox.pop(), send


def _reminder(name: str, kind: str, request: DeletionRequest, action: str) -> Sample:
    # Sent rows: the unique "one live row per kind" constraint leaves them be.
    reminder = Reminder.objects.create(request=request, kind=kind, due_at=timezone.now(), state="sent")
    token = token_issue(request=request, purpose=TokenPurpose.VIEW)
    unsubscribe = unsubscribe_token(request)
    message, send = _sent(
        lambda: emails.send_message(emails.reminder_message(reminder=reminder, token=token, unsubscribe=unsubscribe))
    )
    links = emails.request_links(request, token, unsubscribe)
    urls = {**links, "ai_setting": AI_SETTING_URL}
    return Sample(name, message, urls[action], links["unsubscribe_link"], send)


def samples(language: str, *, full_name: str = "Anna Müller") -> list[Sample]:
    """Every kind of email in `language`, to a member of that name (database
    access needed; the email backend must be locmem, as in tests)."""
    if not hasattr(mail, "outbox"):
        mail.outbox = []
    fresh = DeletionRequestFactory(language=language, full_name=full_name)
    confirm_token = token_issue(request=fresh, purpose=TokenPurpose.CONFIRM_EMAIL)
    message, send = _sent(
        lambda: emails.send_confirmation_email(request=fresh, confirm_token=confirm_token, valid_days=7)
    )
    confirm = Sample("confirm_address", message, emails.absolute_url(f"/r/{confirm_token}/confirm-email/"), None, send)

    new = _request(language, full_name=full_name)
    manage_token = token_issue(request=new, purpose=TokenPurpose.MANAGE)
    message, send = _sent(lambda: emails.send_private_link_email(request=new, token=manage_token))
    private = Sample("private_link", message, emails.absolute_url(f"/r/{manage_token}/"), None, send)

    submitted = _submitted(language, full_name=full_name)
    texan = _texan_appealed(language, full_name=full_name)
    # No authority takes complaints where this member lives (LinkedIn's own policy applies).
    elsewhere = _submitted(language, country="IN", full_name=full_name)
    return [
        confirm,
        private,
        _reminder("not_sent", "not_sent_1", new, "link"),
        _reminder("ai_setting", "ai_setting", new, "ai_setting"),
        _reminder("deadline_soon", "deadline_soon", submitted, "link"),
        _reminder("deadline_passed", "deadline_passed", submitted, "link"),
        _reminder("escalate", "escalate", submitted, "link"),
        _reminder("escalate_no_authority", "escalate", elsewhere, "link"),
        _reminder("appeal_overdue", "appeal_overdue", texan, "link"),
        _reminder("access_overdue", "access_overdue", texan, "link"),
        _reminder("done_check", "done_check", _answered_done(language, full_name=full_name), "ai_setting"),
        _reminder("purge_warning", "purge_warning", new, "link"),
    ]
