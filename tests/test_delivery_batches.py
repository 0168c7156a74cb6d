"""Reminders delivered a message at a time (issue 17): the rows of one message
are claimed, cancelled, linked and recorded together, in a constant number of
queries, and every rule of the single send still holds. In-process, with the
real database and a real SMTP server on loopback."""

from __future__ import annotations

import re
import signal
import threading
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from requests_app import dates, emails, tokens
from requests_app.models import AccessToken, DeletionRequest, Reminder
from requests_app.services import links, outbox
from requests_app.services import requests as request_services
from tests.smtp_sink import smtp_sink
from tests.test_reminders import make_request

pytestmark = pytest.mark.django_db

# The day-1 nudge of a request made by make_request() is due from then on.
DAY_ONE = datetime(2026, 1, 31, 8, 1, tzinfo=UTC)


def send_through(settings, port: int) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""


def sweep_and_deliver(now: datetime) -> dict[int, str]:
    """What beat and one worker do: claim what is due, deliver it as one message."""
    with time_machine.travel(now, tick=False):
        return outbox.deliver_batch(outbox.sweep(now=timezone.now()), now=now)


def links_of(message) -> tuple[str, str]:
    """(read-only page path, unsubscribe path) of a received reminder email."""
    text = next(part for part in message.walk() if part.get_content_type() == "text/plain")
    body = text.get_payload(decode=True).decode()
    page = re.search(r"/r/[\w-]+/", body).group(0)
    unsubscribe = re.search(r"/unsubscribe/[\w-]+/", message["List-Unsubscribe"]).group(0)
    return page, unsubscribe


def test_one_message_sends_the_due_cancels_the_unwanted_and_retries_the_refused(settings):
    due = [make_request(email=f"due{n}@example.org") for n in range(3)]
    unwanted = make_request(email="stopped@example.org")
    refused = make_request(email="refused@example.org")
    with smtp_sink(refuse_for=frozenset({"refused@example.org"})) as (sink, port):
        send_through(settings, port)
        with time_machine.travel(DAY_ONE, tick=False):
            claimed = outbox.sweep(now=timezone.now())
            # Its member unsubscribed after the sweep had claimed the nudge.
            request_services.request_stop_reminders(request=unwanted)
            outcomes = outbox.deliver_batch(claimed, now=DAY_ONE)
    rows = {row.request_id: row for row in Reminder.objects.filter(pk__in=claimed)}
    assert outcomes == {
        **{rows[request.pk].pk: "sent" for request in due},
        rows[unwanted.pk].pk: "cancelled",
        rows[refused.pk].pk: "retry",
    }
    assert sorted(message["To"] for message in sink.messages) == [f"due{n}@example.org" for n in range(3)]
    assert [rows[request.pk].state for request in due] == ["sent"] * 3
    assert all(rows[request.pk].attempts == 1 and rows[request.pk].sent_at == DAY_ONE for request in due)
    assert rows[unwanted.pk].state == "cancelled"
    retry = rows[refused.pk]
    assert (retry.state, retry.attempts, retry.last_error) == ("pending", 1, "SMTPRecipientsRefused 550")
    assert retry.due_at == DAY_ONE + dates.retry_delay(1) and retry.claim == ""


def test_a_messages_queries_do_not_grow_with_its_size(mailoutbox):
    def queries_for(count: int) -> int:
        DeletionRequest.objects.all().delete()
        for n in range(count):
            make_request(email=f"m{n}@example.org")
        with time_machine.travel(DAY_ONE, tick=False):
            claimed = outbox.sweep(now=timezone.now())
            with CaptureQueriesContext(connection) as captured:
                assert set(outbox.deliver_batch(claimed, now=DAY_ONE).values()) == {"sent"}
        statements = [query["sql"] for query in captured.captured_queries]
        updates = [sql.split(" WHERE ")[0] for sql in statements if sql.startswith("UPDATE")]
        # One UPDATE claims the message's rows, one records them all sent.
        assert sum(""""state" = 'sending'""" in update for update in updates) == 1
        assert sum(""""state" = 'sent'""" in update for update in updates) == 1
        return len(statements)

    assert queries_for(2) == queries_for(settings.REMINDER_SEND_CHUNK)
    assert len(mailoutbox) == 2 + settings.REMINDER_SEND_CHUNK


def test_emails_of_a_request_share_links_that_stay_read_only_expire_and_end(settings):
    request = make_request(email="anna@example.org")
    with smtp_sink() as (sink, port):
        send_through(settings, port)
        # The day-1 nudge and the AI-setting reminder are both due: one message.
        first = datetime(2026, 2, 1, 8, 1, tzinfo=UTC)
        assert list(sweep_and_deliver(first).values()) == ["sent", "sent"]
        # The day-4 nudge, two days later.
        assert list(sweep_and_deliver(datetime(2026, 2, 3, 8, 1, tzinfo=UTC)).values()) == ["sent"]
    (page, unsubscribe), same, later = (links_of(message) for message in sink.messages)
    assert same == (page, unsubscribe)
    # One unsubscribe link for all; a read-only link is shared for a day only.
    assert later[1] == unsubscribe and later[0] != page
    tokens_by_purpose = Counter(AccessToken.objects.filter(request=request).values_list("purpose", flat=True))
    assert tokens_by_purpose == {"view": 2, "unsubscribe": 1}

    soon = time_machine.travel(datetime(2026, 2, 10, tzinfo=UTC))
    with soon:
        visitor = Client()
        shown = visitor.get(page)
        assert shown.status_code == 200 and "only shows where the request stands" in shown.content.decode()
        assert visitor.post(f"{page}submitted/", {"submitted-submitted_on": "2026-02-01"}).status_code == 404
        assert visitor.get(unsubscribe).status_code == 200
        assert visitor.get(f"/r/{unsubscribe.split('/')[2]}/").status_code == 404  # it opens no page
    # Each email's read-only link opens the page for 60 days after that email.
    with time_machine.travel(first + tokens.EMAIL_LINK_VALID_FOR + timedelta(days=2)):
        assert Client().get(page).status_code == 404
        assert Client().get(later[0]).status_code == 200
        assert Client().get(unsubscribe).status_code == 200

    with soon:
        # "Send me a new link and end the old ones" ends the shared ones too ...
        links.request_new_link(request=request)
        assert [Client().get(path).status_code for path in (later[0], unsubscribe)] == [404, 404]
        assert Client().post(unsubscribe).status_code == 404
        # ... and the next email carries new ones, which open.
        fresh = tokens.email_links([request])[request.pk]
        assert fresh.unsubscribe not in unsubscribe
        assert Client().get(f"/r/{fresh.view}/").status_code == 200
        # Erased: nothing is kept from which a link could be made again.
        request_services.request_erase(request=request)
        assert not AccessToken.objects.filter(request=request).exclude(link_seed="").exists()
        assert Client().get(f"/r/{fresh.view}/").status_code == 410


class Stopped(BaseException):
    """What stops a task midway from outside: a time limit, a cold shutdown."""


def test_a_message_stopped_midway_records_what_left_and_the_sweep_sends_only_the_rest(settings):
    requests = [make_request(email=f"m{n}@example.org") for n in range(5)]
    main = threading.main_thread().ident

    def stop(signum, frame):
        raise Stopped

    previous = signal.signal(signal.SIGUSR1, stop)
    try:
        # The third email's SMTP conversation hangs; the task is stopped then.
        with smtp_sink(delay_for=frozenset({"m2@example.org"}), rcpt_delay=30) as (sink, port):
            send_through(settings, port)
            stopper = threading.Thread(
                target=lambda: sink.rcpt_started.wait(30) and signal.pthread_kill(main, signal.SIGUSR1), daemon=True
            )
            stopper.start()
            with time_machine.travel(DAY_ONE, tick=False):
                claimed = outbox.sweep(now=timezone.now())
                with pytest.raises(Stopped):
                    outbox.deliver_batch(claimed, now=DAY_ONE)
            stopper.join(5)
            sink.rcpt_delay = 0
            assert [message["To"] for message in sink.messages] == ["m0@example.org", "m1@example.org"]
            states = Counter(Reminder.objects.filter(pk__in=claimed).values_list("state", flat=True))
            assert states == {"sent": 2, "sending": 3}
            # Within the stale-claim time nothing is taken back; after it, the rest.
            assert sweep_and_deliver(DAY_ONE + timedelta(minutes=1)) == {}
            later = DAY_ONE + dates.stale_claim() + timedelta(minutes=1)
            assert list(sweep_and_deliver(later).values()) == ["sent"] * 3
            assert sweep_and_deliver(later + timedelta(minutes=1)) == {}
    finally:
        signal.signal(signal.SIGUSR1, previous)
    received = Counter(message["Message-ID"] for message in sink.messages)
    assert sorted(message["To"] for message in sink.messages) == [request.email for request in requests]
    assert set(received.values()) == {1}
    assert set(received) == {
        emails.stable_message_id(row.pk, row.request.reference)
        for row in Reminder.objects.filter(pk__in=claimed).select_related("request")
    }


def test_a_message_that_runs_late_leaves_the_rest_to_the_sweep_before_its_claim_could_go_stale(settings):
    """An email starts only while the slowest send would still end before
    another sweep could take the rows back: past that, the rest wait for the
    sweep, and each is still sent once."""
    for n in range(4):
        make_request(email=f"m{n}@example.org")
    settings.REMINDER_STALE_CLAIM_SECONDS, settings.SLOWEST_SEND_SECONDS = 3.0, 2.0
    with smtp_sink(delay_for=frozenset({"m1@example.org"}), rcpt_delay=1.5) as (sink, port):
        send_through(settings, port)
        outcomes = sweep_and_deliver(DAY_ONE)
        assert list(outcomes.values()) == ["sent", "sent"]
        assert Counter(Reminder.objects.values_list("state", flat=True).filter(kind="not_sent_1")) == {
            "sent": 2,
            "sending": 2,
        }
        sink.rcpt_delay = 0
        assert list(sweep_and_deliver(DAY_ONE + timedelta(seconds=4)).values()) == ["sent", "sent"]
    assert sorted(message["To"] for message in sink.messages) == [f"m{n}@example.org" for n in range(4)]
