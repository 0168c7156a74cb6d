"""Planning, claiming and sending reminders (in-process; real worker and
beat processes are in test_delivery.py)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.utils import timezone

from requests_app import dates
from requests_app.models import DeletionRequest, Reminder
from requests_app.services import links
from requests_app.services import outbox as reminder_services
from requests_app.services import requests as request_services
from requests_app.services.links import unsubscribe_token
from requests_app.tokens import token_issue
from tests.factories import DeletionRequestFactory
from tests.smtp_sink import smtp_sink

pytestmark = pytest.mark.django_db
CREATED = datetime(2026, 1, 30, 12, 0, tzinfo=UTC)


def make_request(**fields) -> DeletionRequest:
    with time_machine.travel(CREATED, tick=False):
        request = DeletionRequestFactory(created_at=CREATED, **fields)
        request_services.request_confirm_email(request=request)
    request.refresh_from_db()
    return request


def kinds(request: DeletionRequest, state: str = Reminder.State.PENDING) -> dict[str, date]:
    """The planned reminders (the private-link email, sent on demand, is not one)."""
    rows = request.reminders.filter(state=state).exclude(kind="private_link")
    return {row.kind: row.due_at.date() for row in rows}


def test_nothing_is_planned_before_the_email_is_confirmed():
    request = DeletionRequestFactory()
    reminder_services.reminders_replan(request)
    assert request.reminders.count() == 0
    assert dates.plan_reminders(request) == []


def test_new_request_gets_not_sent_nudges_and_ai_setting_reminder():
    request = make_request()
    assert kinds(request) == {
        "not_sent_1": date(2026, 1, 31),
        "not_sent_4": date(2026, 2, 3),
        "ai_setting": date(2026, 2, 1),
        "purge_warning": date(2027, 1, 23),
    }


def test_submitting_replaces_nudges_with_deadline_reminders():
    request = make_request(ai_setting_off_on=date(2026, 1, 29))
    with time_machine.travel(datetime(2026, 2, 1, tzinfo=UTC)):
        request_services.request_mark_submitted(request=request, submitted_on=date(2026, 1, 31))
    # GDPR: received 31 Jan -> due 2 March 2026 (28 Feb is a Saturday).
    assert kinds(request) == {
        "deadline_soon": date(2026, 2, 27),
        "deadline_passed": date(2026, 3, 3),
        "escalate": date(2026, 3, 17),
        "purge_warning": date(2027, 1, 25),
    }
    assert set(kinds(request, Reminder.State.CANCELLED)) == {"not_sent_1", "not_sent_4"}


def test_extension_before_deadline_means_no_deadline_passed_on_old_date():
    request = make_request(ai_setting_off_on=date(2026, 1, 29))
    with time_machine.travel(datetime(2026, 2, 10, tzinfo=UTC)):
        request_services.request_mark_submitted(request=request, submitted_on=date(2026, 1, 31))
        request_services.request_record_extension(request=request, announced_on=date(2026, 2, 10))
    planned = kinds(request)
    assert "deadline_passed" not in planned
    # Extended: three months from receipt -> 30 April 2026.
    assert planned["deadline_soon"] == date(2026, 4, 27)
    assert planned["escalate"] == date(2026, 5, 1)
    # The sweep on the old date sends nothing.
    with time_machine.travel(datetime(2026, 3, 3, 9, tzinfo=UTC)):
        assert reminder_services.sweep(now=timezone.now()) == []


def test_ccpa_deadline_reminders_count_45_days():
    request = make_request(country="US", subdivision="CA", regime_code="ccpa", ai_setting_off_on=date(2026, 1, 29))
    request_services.request_mark_submitted(request=request, submitted_on=date(2026, 1, 31))
    assert kinds(request)["deadline_passed"] == date(2026, 3, 18)  # due 17 March


def test_answer_cancels_every_deadline_reminder():
    request = make_request(ai_setting_off_on=date(2026, 1, 29))
    request_services.request_mark_submitted(request=request, submitted_on=date(2026, 1, 31))
    with time_machine.travel(datetime(2026, 2, 20, tzinfo=UTC)):
        request_services.request_record_answer(request=request, outcome="done", answered_on=date(2026, 2, 20))
    # Only what follows "done": the check that the setting is still off, 28 days on, and the purge warning.
    assert set(kinds(request)) == {"done_check", "purge_warning"}
    assert kinds(request)["done_check"] == date(2026, 3, 20)
    assert kinds(request)["purge_warning"] == date(2026, 5, 14)  # 90 days after answer, minus 7


def test_erased_request_gets_nothing_more_ever():
    request = make_request()
    request_services.request_erase(request=request)
    assert kinds(request) == {}
    with time_machine.travel(datetime(2027, 6, 1, tzinfo=UTC)):
        assert reminder_services.sweep(now=timezone.now()) == []
        request_services.request_resume_reminders(request=request)
    assert request.reminders.filter(state=Reminder.State.PENDING).count() == 0


def deliver_due(now: datetime) -> list[str]:
    with time_machine.travel(now, tick=False):
        claimed = reminder_services.sweep(now=timezone.now())
        return [reminder_services.reminder_deliver(reminder_id=reminder_id, now=now) for reminder_id in claimed]


def test_due_reminder_is_sent_once_with_unsubscribe_headers(mailoutbox, settings):
    request = make_request()
    assert deliver_due(datetime(2026, 1, 31, 8, 1, tzinfo=UTC)) == ["sent"]
    assert deliver_due(datetime(2026, 1, 31, 8, 2, tzinfo=UTC)) == []
    [message] = mailoutbox
    assert message.to == [request.email]
    assert "send your request" in message.subject.lower()
    unsubscribe = message.extra_headers["List-Unsubscribe"]
    assert unsubscribe.startswith(f"<{settings.SITE_URL}/unsubscribe/")
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert f"{settings.SITE_URL}/r/" in message.body
    assert kinds(request, Reminder.State.SENT) == {"not_sent_1": date(2026, 1, 31)}


def test_redelivered_send_message_sends_nothing_twice(mailoutbox):
    make_request()
    with time_machine.travel(datetime(2026, 1, 31, 8, 1, tzinfo=UTC), tick=False):
        [reminder_id] = reminder_services.sweep(now=timezone.now())
        assert reminder_services.reminder_deliver(reminder_id=reminder_id) == "sent"
        assert reminder_services.reminder_deliver(reminder_id=reminder_id) == "skipped"
    assert len(mailoutbox) == 1


def test_two_sweeps_never_claim_the_same_row():
    make_request()
    make_request()
    with time_machine.travel(datetime(2026, 2, 5, tzinfo=UTC), tick=False):
        first = reminder_services.sweep(now=timezone.now())
        second = reminder_services.sweep(now=timezone.now())
    assert len(first) == 6 and second == []


def test_stale_claim_is_taken_back_by_a_later_sweep(mailoutbox):
    make_request()
    with time_machine.travel(datetime(2026, 1, 31, 8, 1, tzinfo=UTC), tick=False):
        [reminder_id] = reminder_services.sweep(now=timezone.now())  # the worker then dies: nothing sent
    with time_machine.travel(datetime(2026, 1, 31, 8, 5, tzinfo=UTC), tick=False):
        assert reminder_services.sweep(now=timezone.now()) == []  # still within the claim window
    with time_machine.travel(datetime(2026, 1, 31, 8, 12, tzinfo=UTC), tick=False):
        assert reminder_services.sweep(now=timezone.now()) == [reminder_id]
        assert reminder_services.reminder_deliver(reminder_id=reminder_id) == "sent"
    assert len(mailoutbox) == 1


def test_sweep_query_count_does_not_grow_with_batch(django_assert_max_num_queries):
    for _ in range(3):
        make_request()
    with time_machine.travel(datetime(2026, 2, 5, tzinfo=UTC), tick=False), django_assert_max_num_queries(6):
        small = reminder_services.sweep(now=timezone.now())
    for _ in range(30):
        make_request()
    with time_machine.travel(datetime(2026, 2, 5, tzinfo=UTC), tick=False), django_assert_max_num_queries(6):
        large = reminder_services.sweep(now=timezone.now())
    assert len(small) == 9 and len(large) == 90


def test_refused_recipient_fails_after_retries_and_page_says_so(settings, client):
    request = make_request()
    now = datetime(2026, 1, 31, 8, 1, tzinfo=UTC)
    outcomes = []
    with smtp_sink(refuse=True) as (sink, port):
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
        for _ in range(reminder_services.max_attempts()):
            outcomes += deliver_due(now)
            now += dates.retry_delay(reminder_services.max_attempts())
    assert sink.messages == []
    assert outcomes.count("retry") == reminder_services.max_attempts() - 1
    failed = request.reminders.get(kind="not_sent_1")
    assert failed.state == "failed" and failed.attempts == reminder_services.max_attempts()
    assert failed.last_error == "SMTPRecipientsRefused 550"
    assert request.email not in failed.last_error
    page = client.get(f"/r/{token_issue(request=request)}/").content.decode()
    assert "We could not deliver the email" in page


def test_one_click_unsubscribe_needs_no_cookie_or_csrf(mailoutbox):
    request = make_request()
    client = Client(enforce_csrf_checks=True)
    url = f"/unsubscribe/{unsubscribe_token(request)}/"
    assert "Stop every email reminder" in client.get(url).content.decode()
    request.refresh_from_db()
    assert request.reminders_enabled  # a GET changes nothing
    response = client.post(url, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    request.refresh_from_db()
    assert not request.reminders_enabled
    assert kinds(request) == {}
    # Only the private link the confirmation asked for is still sent: it is no reminder.
    assert set(deliver_due(datetime(2026, 2, 5, tzinfo=UTC))) <= {"sent"}
    assert all("private link" in message.subject for message in mailoutbox)


def test_forged_unsubscribe_link_is_404():
    request = make_request()
    token = unsubscribe_token(request)
    assert Client().post(f"/unsubscribe/{token[:-2]}xx/").status_code == 404


def test_calendar_has_stable_uids_and_alarms(client):
    request = make_request(ai_setting_off_on=date(2026, 1, 29))
    request_services.request_mark_submitted(request=request, submitted_on=date(2026, 1, 31))
    token = token_issue(request=request)
    first = client.get(f"/r/{token}/deadlines.ics").content.decode()
    request_services.request_record_extension(request=request, announced_on=date(2026, 2, 10))
    second = client.get(f"/r/{token}/deadlines.ics").content.decode()
    assert f"UID:{request.reference}-deadline@linkedout" in first
    assert "DTSTART;VALUE=DATE:20260302" in first and "BEGIN:VALARM" in first
    assert f"UID:{request.reference}-extended_deadline@linkedout" in second
    assert "DTSTART;VALUE=DATE:20260430" in second
    assert first.count(f"UID:{request.reference}-deadline@linkedout") == 1


def test_deadline_passed_email_carries_follow_up_letter(mailoutbox):
    request = make_request(ai_setting_off_on=date(2026, 1, 29))
    request_services.request_mark_submitted(request=request, submitted_on=date(2026, 1, 31))
    deliver_due(datetime(2026, 3, 3, 8, 1, tzinfo=UTC))
    message = next(m for m in mailoutbox if "missed its deadline" in m.subject)
    assert "Follow-up" in message.body and "14 days" in message.body
    assert "LinkedIn Ireland Unlimited Company" in message.body


def test_escalation_email_offers_lead_and_own_authority(mailoutbox):
    request = make_request(ai_setting_off_on=date(2026, 1, 29))
    request_services.request_mark_submitted(request=request, submitted_on=date(2026, 1, 31))
    deliver_due(datetime(2026, 3, 17, 8, 1, tzinfo=UTC))
    message = next(m for m in mailoutbox if "complaint" in m.subject)
    assert "Data Protection Commission" in message.body
    # A member in Berlin: her Land's authority, not the federal commissioner, who is not competent for LinkedIn.
    assert "Berliner Beauftragte für Datenschutz" in message.body
    assert "Bundesbeauftragte" not in message.body


def test_purge_erases_after_retention(settings):
    request = make_request(ai_setting_off_on=date(2026, 1, 29))
    request_services.request_mark_submitted(request=request, submitted_on=date(2026, 1, 31))
    request_services.request_record_answer(request=request, outcome="done", answered_on=date(2026, 2, 20))
    assert request_services.requests_purge_expired(today=date(2026, 5, 20)) == 0
    assert request_services.requests_purge_expired(today=date(2026, 5, 21)) == 1
    request.refresh_from_db()
    assert request.is_erased and request.full_name == ""


def test_confirmation_link_turns_reminders_on(client, mailoutbox, django_capture_on_commit_callbacks):
    from config.celery import app

    app.conf.task_always_eager = True
    try:
        request = DeletionRequestFactory(reminders_enabled=True)
        with django_capture_on_commit_callbacks(execute=True):
            links.request_email_links(email=request.email)
    finally:
        app.conf.task_always_eager = False
    [confirmation] = mail.outbox
    # An unconfirmed address gets the confirmation link and nothing the visitor typed.
    assert request.full_name not in confirmation.body and confirmation.attachments == []
    [confirm] = [word for word in confirmation.body.split() if "/r/" in word]  # the only private URL in it
    assert confirm.endswith("/confirm-email/")
    path = confirm.split("127.0.0.1:8000")[-1]
    assert client.get(path).status_code == 200
    request.refresh_from_db()
    assert request.email_confirmed_at is None
    client.post(path)
    request.refresh_from_db()
    assert request.email_confirmed_at is not None
    assert kinds(request)  # reminders planned
    assert request.reminders.filter(kind="private_link", state="pending").exists()  # the link follows
    assert client.get(path).status_code == 404  # the confirmation link works once


def test_purge_query_agrees_with_purge_date():
    answered = make_request(ai_setting_off_on=date(2026, 1, 29))
    request_services.request_mark_submitted(request=answered, submitted_on=date(2026, 1, 31))
    request_services.request_record_answer(request=answered, outcome="done", answered_on=date(2026, 2, 20))
    idle = make_request()
    DeletionRequest.objects.filter(pk=idle.pk).update(updated_at=datetime(2026, 2, 1, 12, tzinfo=UTC))
    for request in (answered, idle):
        request.refresh_from_db()
        due = dates.purge_on(request)
        day_before = due.fromordinal(due.toordinal() - 1)
        assert not request_services.requests_past_retention(day_before).filter(pk=request.pk).exists()
        assert request_services.requests_past_retention(due).filter(pk=request.pk).exists()
