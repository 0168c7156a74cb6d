"""Emails: one function per kind, three templates per kind
(`emails/<kind>-subject.txt`, `-body.txt`, `-body.html`), rendered in the
request's language. Links use SITE_URL, never the Host of a web request.
Every HTML part extends `emails/layout-body.html`, styled by the one
stylesheet `emails/email.css`, whose rules are inlined here once per email."""

from __future__ import annotations

import contextlib
import re
import time
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import css_inline
from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives, get_connection
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from . import dates, explain, jurisdictions, letters

if TYPE_CHECKING:
    from .models import DeletionRequest, Reminder
    from .receipts import IssuedReceipt


def absolute_url(path: str) -> str:
    return settings.SITE_URL + path


def stable_message_id(outbox_id: int, reference: str) -> str:
    """The Message-ID of the outbox row's email: the same on every attempt,
    so a receiving server (or the member's client) sees a resend as the same
    message and can drop the duplicate. The request's random reference keeps
    it unique across databases (a fresh install counts rows from 1 again)."""
    host = urlsplit(settings.SITE_URL).hostname or "localhost"
    return f"<linkedout.{outbox_id}.{reference}@{host}>"


class _ReusedConnection:
    """One SMTP connection per worker process, reused between emails instead
    of a connect, EHLO and QUIT for each; reopened after being idle."""

    IDLE_SECONDS = 30

    def __init__(self) -> None:
        self.connection = None
        self.settings_used: tuple = ()
        self.last_used = 0.0

    def send(self, message: EmailMultiAlternatives) -> None:
        now = time.monotonic()
        # Settings can change under a running process (tests override them).
        current = (settings.EMAIL_BACKEND, settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_HOST_USER)
        if self.connection is None or now - self.last_used > self.IDLE_SECONDS or current != self.settings_used:
            self.close()
            self.connection = get_connection()
            self.settings_used = current
        try:
            self.connection.open()
            message.connection = self.connection
            message.send()
        except BaseException:
            # A broken connection is not reused (nor one left mid-message by
            # an interruption); the reminder's retry path decides whether to
            # send again.
            self.close()
            raise
        self.last_used = time.monotonic()

    def close(self) -> None:
        if self.connection is not None:
            with contextlib.suppress(Exception):
                self.connection.close()
        self.connection = None


_connection = _ReusedConnection()


# Mail clients ignore or strip <style>: its rules go into style="" attributes.
# The @media rules (phone widths, dark mode) cannot be inlined and stay in the
# head. Built once: the worker reuses it for every email. Nothing is fetched:
# an email's HTML never names a stylesheet to load.
_inliner = css_inline.CSSInliner(keep_at_rules=True, load_remote_stylesheets=False)
_BLANK_LINES = re.compile(r"\n{3,}")


def _tidy_text(text: str) -> str:
    """The plain-text part as a person reads it: blocks a kind leaves empty
    leave no gap, paragraphs are one blank line apart, no trailing spaces."""
    lines = "\n".join(line.rstrip() for line in text.strip().splitlines())
    return _BLANK_LINES.sub("\n\n", lines) + "\n"


def make_message(kind: str, *, to: str, language: str, context: dict) -> EmailMultiAlternatives:
    with translation.override(language):
        context = {**context, "site_url": settings.SITE_URL}
        # One line, whatever the template does: a subject is a header.
        subject = " ".join(render_to_string(f"emails/{kind}-subject.txt", context).split())
        # The subject is also the HTML part's title and heading.
        context["subject"] = subject
        text = _tidy_text(render_to_string(f"emails/{kind}-body.txt", context))
        html = _inliner.inline(render_to_string(f"emails/{kind}-body.html", context))
    message = EmailMultiAlternatives(subject=subject, body=text, to=[to])
    message.attach_alternative(html, "text/html")
    return message


def send_confirmation_email(
    *, request: DeletionRequest, confirm_token: str, valid_days: int, outbox_id: int | None = None
) -> None:
    """The only email an unconfirmed address gets: a link that confirms it,
    once, and no word the visitor typed (no name, no receipt), so the form
    cannot be used to send a stranger text of the visitor's choosing."""
    confirm_link = absolute_url(reverse("requests_app:confirm_email", args=[confirm_token]))
    message = make_message(
        "confirm_address",
        to=request.email,
        language=request.language,
        context={
            "request": request,
            "confirm_link": confirm_link,
            "valid_days": valid_days,
        },
    )
    if outbox_id is not None:
        message.extra_headers["Message-ID"] = stable_message_id(outbox_id, request.reference)
    _connection.send(message)


def send_private_link_email(
    *,
    request: DeletionRequest,
    token: str,
    receipt: IssuedReceipt | None = None,
    outbox_id: int | None = None,
) -> None:
    """The private link, to a confirmed address, with the PDF receipt attached
    when one could be rendered."""
    link = absolute_url(reverse("requests_app:detail", args=[token]))
    message = make_message(
        "private_link",
        to=request.email,
        language=request.language,
        context={"request": request, "link": link},
    )
    if receipt is not None:
        message.attach(receipt.filename, receipt.pdf, "application/pdf")
    if outbox_id is not None:
        message.extra_headers["Message-ID"] = stable_message_id(outbox_id, request.reference)
    _connection.send(message)


# --- Reminders -----------------------------------------------------------------

UNSUBSCRIBE_SALT = "linkedout.unsubscribe"
# Several reminder kinds share one set of templates.
REMINDER_TEMPLATES = {
    "not_sent_1": "not_sent",
    "not_sent_4": "not_sent",
    "ai_setting": "ai_setting",
    "deadline_soon": "deadline_soon",
    "deadline_passed": "deadline_passed",
    "escalate": "escalate",
    "appeal_overdue": "appeal_overdue",
    "done_check": "done_check",
    "access_overdue": "access_overdue",
    "purge_warning": "purge_warning",
}


def legacy_unsubscribe_request_id(value: str) -> int | None:
    """The signed id that unsubscribe links carried before they were tokens,
    still honoured so emails already sent keep their one-click unsubscribe."""
    try:
        return int(signing.loads(value, salt=UNSUBSCRIBE_SALT))
    except (signing.BadSignature, TypeError, ValueError):
        return None


def request_links(request: DeletionRequest, token: str, unsubscribe: str) -> dict[str, str]:
    """The links of a reminder email: `token` shows the request read-only (it
    expires, see tokens.EMAIL_LINK_VALID_FOR), `unsubscribe` only stops
    reminders. Changes need the member's own link, or one asked for anew."""

    def link(name: str) -> str:
        return absolute_url(reverse(f"requests_app:{name}", args=[token]))

    return {
        "link": link("detail"),
        "calendar_link": link("calendar"),
        "unsubscribe_link": absolute_url(reverse("requests_app:unsubscribe", args=[unsubscribe])),
    }


def reminder_message(*, reminder: Reminder, token: str, unsubscribe: str) -> EmailMultiAlternatives:
    """The reminder's email, with links opened by `token` (read-only) and a
    one-click unsubscribe by `unsubscribe`, ready for send_message()."""
    request = reminder.request
    links = request_links(request, token, unsubscribe)
    context = {
        "request": request,
        "reminder": reminder,
        "clock": explain.request_clock(request),
        "regime": jurisdictions.regime_by_code(request.regime_code),
        "follow_up_days": dates.FOLLOW_UP_DAYS,
        "purge_on": dates.purge_on(request),
        **links,
    }
    if reminder.kind == "deadline_passed":
        context["follow_up_letter"] = letters.follow_up_letter(request)
    if reminder.kind in ("escalate", "appeal_overdue"):
        context["complaints"] = letters.complaint_letters(request)
    if reminder.kind == "appeal_overdue":
        context["appeal_due_on"] = dates.appeal_due_on(request)
    if reminder.kind == "access_overdue":
        context["access_due_on"] = dates.access_due_on(request)
    if reminder.kind == "done_check":
        context["done_on"] = dates.done_on(request)
    if reminder.kind in ("ai_setting", "done_check"):
        # Their button opens LinkedIn's own setting: that is where the member acts.
        context["ai_setting_url"] = jurisdictions.linkedin_url("ai_setting")
    message = make_message(
        REMINDER_TEMPLATES[reminder.kind], to=request.email, language=request.language, context=context
    )
    # RFC 8058 one-click unsubscribe: mail clients POST to this URL.
    message.extra_headers["List-Unsubscribe"] = f"<{links['unsubscribe_link']}>"
    message.extra_headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message.extra_headers["Message-ID"] = stable_message_id(reminder.pk, request.reference)
    return message


def send_message(message: EmailMultiAlternatives) -> None:
    """Over the worker's reused SMTP connection."""
    _connection.send(message)
