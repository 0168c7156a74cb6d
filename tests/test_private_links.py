"""'Email me my link again' and the private-link email."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.utils import timezone

from config.celery import app as celery_app
from requests_app import emails
from requests_app.models import AccessToken, RequestEvent
from requests_app.services import outbox
from requests_app.services import requests as request_services
from requests_app.tokens import token_issue
from tests.conftest import needs_pdf
from tests.factories import DeletionRequestFactory

pytestmark = pytest.mark.django_db

SAME_ANSWER = "If we hold a request for this address, we have emailed a fresh private link to it."


@pytest.fixture
def run_tasks_inline():
    """Tasks queued after commit run right here, for this test only."""
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = False


def test_known_and_unknown_addresses_get_the_same_answer(
    client, mailoutbox, run_tasks_inline, django_capture_on_commit_callbacks
):
    DeletionRequestFactory(email="known@example.org")
    answers = []
    for email in ("known@example.org", "unknown@example.org"):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post("/link/", {"email": email}, follow=True)
        answers.append(response.content.decode())
    assert all(SAME_ANSWER in answer for answer in answers)
    assert len(mailoutbox) == 1 and mailoutbox[0].to == ["known@example.org"]


def test_emailed_link_opens_the_request_and_uses_site_url(
    client, mailoutbox, run_tasks_inline, django_capture_on_commit_callbacks
):
    request = DeletionRequestFactory(email="Anna@Example.org", email_confirmed_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/link/", {"email": "anna@example.org"}, HTTP_HOST="127.0.0.1")
    body = mailoutbox[0].body
    link = next(word for word in body.split() if "/r/" in word)
    assert link.startswith(settings.SITE_URL + "/r/")
    assert client.get(link.removeprefix(settings.SITE_URL)).status_code == 200
    assert AccessToken.objects.filter(request=request, purpose="manage").count() == 1
    assert request.events.filter(kind=RequestEvent.Kind.LINK_SENT).count() == 1


def test_an_unconfirmed_address_gets_only_a_confirmation_with_nothing_the_visitor_typed(client, mailoutbox):
    # The form was filled with a stranger's address and a name of the visitor's choosing.
    request = DeletionRequestFactory(email="stranger@example.org", full_name="Buy cheap watches at example.com")
    outbox.email_now(request)
    assert outbox.reminder_deliver(reminder_id=request.reminders.get(kind="private_link").pk) == "sent"
    [message] = mailoutbox
    html = message.alternatives[0][0]
    assert "cheap watches" not in message.body + message.subject + html
    assert message.attachments == []  # no receipt: it holds what the visitor typed
    assert AccessToken.objects.filter(request=request, purpose="manage").count() == 0
    assert not request.events.filter(kind=RequestEvent.Kind.LINK_SENT).exists()
    confirm = next(word for word in message.body.split() if "/confirm-email/" in word).removeprefix(settings.SITE_URL)
    # The confirmation link confirms and opens nothing else; it expires after a week.
    assert client.get(confirm.replace("/confirm-email/", "/")).status_code == 404
    with time_machine.travel(timezone.now() + timedelta(days=8)):
        assert client.get(confirm).status_code == 404
    assert client.get(confirm).status_code == 200


def test_the_visitor_cannot_confirm_the_address_with_the_pages_own_link(client, mailoutbox):
    request = DeletionRequestFactory(email="stranger@example.org", reminders_enabled=False)
    token = token_issue(request=request)
    assert client.post(f"/r/{token}/confirm-email/").status_code == 404
    client.post(f"/r/{token}/reminders/", {"reminders": "on"})
    request.refresh_from_db()
    assert request.reminders_enabled and request.email_confirmed_at is None


def test_a_redelivered_send_message_sends_one_email_with_a_stable_message_id(mailoutbox):
    request = DeletionRequestFactory()
    outbox.email_now(request)
    row = request.reminders.get(kind="private_link")
    assert outbox.reminder_deliver(reminder_id=row.pk) == "sent"
    assert outbox.reminder_deliver(reminder_id=row.pk) == "skipped"
    assert len(mailoutbox) == 1
    assert mailoutbox[0].extra_headers["Message-ID"] == emails.stable_message_id(row.pk, row.request.reference)


def test_asking_again_while_a_link_waits_sends_that_one(mailoutbox):
    request = DeletionRequestFactory()
    outbox.email_now(request)
    outbox.email_now(request)
    assert request.reminders.filter(kind="private_link", state="pending").count() == 1


def test_erased_requests_get_no_link(client, mailoutbox, run_tasks_inline, django_capture_on_commit_callbacks):

    request = DeletionRequestFactory(email="gone@example.org")
    request_services.request_erase(request=request)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/link/", {"email": "gone@example.org"})
    assert mailoutbox == []


def test_asking_too_often_for_one_address_is_rate_limited(client):
    for _ in range(3):
        assert client.post("/link/", {"email": "someone@example.org"}).status_code == 302
    response = client.post("/link/", {"email": "someone@example.org"})
    assert response.status_code == 429
    assert "Too many attempts" in response.content.decode()
    # Another address from elsewhere is unaffected by this address's limit.
    assert client.post("/link/", {"email": "other@example.org"}).status_code == 302


def test_invalid_email_gets_a_message_and_sends_nothing(client, mailoutbox):
    response = client.post("/link/", {"email": "not an email\r\nBcc: x@evil.example"})
    assert response.status_code == 200
    assert "Enter a valid email address." in response.content.decode()
    assert mailoutbox == []


@needs_pdf
def test_link_email_carries_the_pdf_receipt(mailoutbox):

    request = DeletionRequestFactory(email_confirmed_at=timezone.now())
    outbox.email_now(request)
    outbox.reminder_deliver(reminder_id=request.reminders.get(kind="private_link").pk)
    [(filename, content, mimetype)] = mailoutbox[0].attachments
    assert filename == f"{request.reference}-receipt.pdf"
    assert mimetype == "application/pdf" and content.startswith(b"%PDF")
