"""Delivery under faults (issue 14), with real processes: PostgreSQL
connections terminated mid-delivery, Redis down while a request is created,
SMTP down for the private-link email, beat restarted within a day. Nothing
here is mocked: emails are counted as a member would count them, one per
outbox row, by Message-ID."""

from __future__ import annotations

import http.cookiejar
import re
import signal
import socket
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from datetime import date, timedelta

import psycopg
import pytest
from django.db import connection
from django.db.models.functions import Now
from django.utils import timezone

from requests_app import emails
from requests_app.db_clock import database_now
from requests_app.models import DeletionRequest, Heartbeat, Reminder
from requests_app.services import outbox, upkeep
from tests.conftest import require
from tests.factories import DeletionRequestFactory
from tests.journey import step_data, what, you
from tests.processes import celery_processes, database_url_for_subprocess
from tests.smtp_sink import free_port, smtp_sink
from tests.test_delivery import FAST, due_request, smtp_env, wait_for_state

pytestmark = pytest.mark.django_db(transaction=True)


def require_postgresql() -> None:
    require(
        connection.vendor == "postgresql",
        "a PostgreSQL test database",
        "set DATABASE_URL=postgres://...",
    )


def message_ids(messages) -> Counter:
    return Counter(message["Message-ID"] for message in messages)


def wait_until(condition, timeout: float, step: float = 0.2) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(step)
    return condition()


# --- PostgreSQL connections terminated mid-delivery ---------------------------

WORKER_APPLICATION = "linkedout-fault-worker"


def postgres_connection() -> psycopg.Connection:
    """A connection of the test's own to the test database, beside Django's."""
    db = connection.settings_dict
    return psycopg.connect(
        dbname=db["NAME"],
        user=db["USER"],
        password=db["PASSWORD"] or None,
        host=db["HOST"] or "127.0.0.1",
        port=db["PORT"] or 5432,
        autocommit=True,
    )


class ConnectionKiller(threading.Thread):
    """Terminates every PostgreSQL connection of the worker (named by its
    application_name), as a restart or failover would: during every second
    SMTP conversation (the sink holds RCPT open), so that the worker finds
    its connection gone only when it records the send; and besides every
    `period` seconds, wherever the worker is (claiming, rendering)."""

    def __init__(self, sink, *, period: float) -> None:
        super().__init__(daemon=True)
        self.killer = postgres_connection()
        self.sink = sink
        self.period = period
        self.kills_mid_send = 0
        self.stopped = threading.Event()

    def run(self) -> None:
        conversations = 0
        with self.killer:
            while not self.stopped.is_set():
                mid_send = self.sink.rcpt_started.wait(self.period)
                self.sink.rcpt_started.clear()
                if mid_send:
                    conversations += 1
                    if conversations % 2:
                        continue
                killed = self.killer.execute(
                    "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity"
                    " WHERE datname = current_database() AND pid <> pg_backend_pid() AND application_name = %s",
                    [WORKER_APPLICATION],
                ).fetchone()[0]
                if mid_send:
                    self.kills_mid_send += killed

    def stop(self) -> None:
        self.stopped.set()
        self.join(timeout=10)


def test_connections_terminated_mid_delivery_send_every_email_exactly_once(tmp_path):
    """The worker's database connections are terminated again and again while
    it claims, renders and talks to SMTP (40 reminders, 10 private links with
    their receipts): each row still ends sent and each email arrives once.
    Recording 'sent' is repeated over a new connection, not the email."""
    require_postgresql()
    reminders = [due_request(email=f"due{n}@example.org").reminders.get(kind="not_sent_1") for n in range(40)]
    links = []
    for n in range(10):
        # Confirmed addresses: their email carries the private link and the receipt.
        request = DeletionRequestFactory(email=f"link{n}@example.org", email_confirmed_at=timezone.now())
        outbox.email_now(request)
        links.append(request.reminders.get(kind="private_link"))
    rows = Reminder.objects.filter(pk__in=[row.pk for row in [*reminders, *links]])
    url = f"{database_url_for_subprocess()}?application_name={WORKER_APPLICATION}"
    with (
        smtp_sink(rcpt_delay=0.1) as (sink, port),
        # Messages of two reminders: many a message's "sent" is recorded while
        # its connection is being terminated, as when each row went alone.
        celery_processes(tmp_path, **smtp_env(port), DATABASE_URL=url, REMINDER_SEND_CHUNK="2") as processes,
    ):

        def all_sent() -> bool:
            return not rows.exclude(state="sent").exists()

        killer = ConnectionKiller(sink, period=1.0)
        killer.start()
        processes.start("worker")
        processes.start("beat")
        try:
            # Faults until every row is sent (40 s at most)...
            wait_until(all_sent, timeout=40, step=0.5)
        finally:
            killer.stop()
        # ... then time for the rows the sweep takes back after the stale-claim time.
        assert wait_until(all_sent, timeout=40), (Counter(rows.values_list("state", flat=True)), processes.logs())
        time.sleep(3)  # a few more sweeps: nothing is sent again
    assert killer.kills_mid_send >= 10, killer.kills_mid_send
    received = message_ids(sink.messages)
    doubled = {message_id: count for message_id, count in received.items() if count > 1}
    assert doubled == {}, processes.logs()
    assert set(received) == {emails.stable_message_id(row.pk, row.request.reference) for row in rows}
    assert sorted(message["To"] for message in sink.messages) == sorted(row.request.email for row in rows)


def test_a_row_whose_update_fails_does_not_hold_back_the_rest_of_its_batch(mailoutbox):
    """One row of a message meets a real database error (its row lock is not
    granted in time): the next row is still sent at once, and the failed one
    stays pending for the sweep, then is sent once."""
    require_postgresql()
    blocked, free = (due_request(email=f"{name}@example.org").reminders.get(kind="not_sent_1") for name in "ab")
    with postgres_connection() as other, other.transaction():
        other.execute(f"SELECT 1 FROM {Reminder._meta.db_table} WHERE id = %s FOR UPDATE", [blocked.pk])
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '300ms'")
        outbox.deliver_batch([blocked.pk, free.pk])
    blocked.refresh_from_db()
    free.refresh_from_db()
    assert (blocked.state, blocked.attempts, free.state) == ("pending", 0, "sent")
    assert [message.to for message in mailoutbox] == [["b@example.org"]]
    outbox.deliver_batch([blocked.pk, free.pk])
    assert [message.to for message in mailoutbox] == [["b@example.org"], ["a@example.org"]]


# --- Redis down while a request is created -------------------------------------


class Browser:
    """A visitor's browser over real HTTP: cookies, the CSRF token, redirects."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies))

    def open(self, path: str, data: dict | None = None) -> tuple[int, str, str]:
        """Status, final URL and body, after redirects."""
        body = None
        if data is not None:
            token = next(cookie.value for cookie in self.cookies if cookie.name == "csrftoken")
            body = urllib.parse.urlencode({**data, "csrfmiddlewaretoken": token}, doseq=True).encode()
        try:
            with self.opener.open(self.base + path, body, timeout=60) as response:
                return response.status, response.url, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.url, error.read().decode(errors="replace")


def wait_for_port(port: int, timeout: float) -> bool:
    def listening() -> bool:
        with socket.socket() as sock:
            return sock.connect_ex(("127.0.0.1", port)) == 0

    return wait_until(listening, timeout)


def test_request_created_while_redis_is_down_shows_its_page_and_the_email_follows(tmp_path):
    """The web process runs with Redis (cache and broker) at a port nobody
    listens on: the form still creates the request and shows its private page
    at once; when a worker and beat run with a working broker, the sweep
    sends the link email, once."""
    dead = f"redis://127.0.0.1:{free_port()}/0"
    web_port = free_port()
    web_env = {
        "REDIS_URL": dead,
        "CELERY_BROKER_URL": dead,
        # Plain HTTP on loopback: the browser must send the cookies back.
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
    }
    (tmp_path / "web").mkdir()
    with celery_processes(tmp_path / "web", **web_env) as web:
        web.start_web(web_port)
        assert wait_for_port(web_port, timeout=60), web.logs()
        browser = Browser(f"http://127.0.0.1:{web_port}")
        assert browser.open("/start/")[0] == 200, web.logs()
        for step, fields in [
            ("you", you(email="redis-down@example.org")),
            ("what", what()),
            ("ai-setting", {"status": "off", "switched_off_on": date.today().isoformat()}),
            ("reminders", {"reminders_enabled": "yes"}),
        ]:
            status, page_url, page = browser.open(f"/start/{step}/", step_data(step, fields))
            assert status == 200 and step not in page_url, (step, page_url, web.logs())
        key = re.search(r'name="review-creation_key" value="([^"]+)"', page).group(1)
        started = time.monotonic()
        status, page_url, page = browser.open("/start/review/", step_data("review", {"creation_key": key}))
        took = time.monotonic() - started
        log = web.log_path("web").read_text()
    request = DeletionRequest.objects.get()
    assert status == 200 and "/r/" in page_url, (status, page[:2000], log)
    assert request.reference in page and "We emailed you a link to confirm your address" in page
    assert took < 10, took
    # Redis really was down for the web: its cache failed soft and the
    # enqueue after commit failed without failing the page.
    assert "rate limits are not applied meanwhile" in log and "in on_commit()" in log, log
    row = request.reminders.get(kind="private_link")
    assert (row.state, row.attempts) == ("pending", 0)
    with smtp_sink() as (sink, port), celery_processes(tmp_path, **smtp_env(port)) as processes:
        processes.start("worker")
        processes.start("beat")
        messages = sink.wait_for(1, timeout=60)
        time.sleep(3)
    assert len(messages) == len(sink.messages) == 1, processes.logs()
    assert messages[0]["To"] == "redis-down@example.org"
    assert messages[0]["Message-ID"] == emails.stable_message_id(row.pk, row.request.reference)
    row.refresh_from_db()
    assert row.state == "sent"


# --- SMTP down for the private-link email -------------------------------------------


def test_private_link_email_waits_for_smtp_and_arrives_once(tmp_path):
    """The SMTP server is down when the request is made: the link email goes
    to retry (visible on its row); once the server is up it arrives once."""
    request = DeletionRequestFactory(email="smtp-down@example.org")
    outbox.email_now(request)
    row = request.reminders.get(kind="private_link")
    port = free_port()
    with celery_processes(tmp_path, **{**smtp_env(port), "REMINDER_MAX_ATTEMPTS": "10"}) as processes:
        processes.start("worker")
        processes.start("beat")

        def failed_once() -> bool:
            row.refresh_from_db()
            return row.attempts >= 1

        assert wait_until(failed_once, timeout=60, step=0.05), processes.logs()
        assert row.state == "pending" and row.last_error == "ConnectionRefusedError", row.last_error
        with smtp_sink(port=port) as (sink, _port):
            messages = sink.wait_for(1, timeout=60)
            assert wait_for_state(row, "sent", timeout=10), processes.logs()
            time.sleep(3)
    assert len(messages) == len(sink.messages) == 1, processes.logs()
    assert messages[0]["To"] == "smtp-down@example.org"
    assert messages[0]["Message-ID"] == emails.stable_message_id(row.pk, row.request.reference)


# --- The daily purge, whatever beat does -------------------------------------------


def expired_request() -> DeletionRequest:
    """A request idle for longer than RETENTION_DAYS_INACTIVE: today's purge
    erases it."""
    request = DeletionRequestFactory()
    DeletionRequest.objects.filter(pk=request.pk).update(updated_at=timezone.now() - timedelta(days=400))
    return request


def sweep_ran_since(since) -> bool:
    return Heartbeat.objects.filter(name="sweep", at__gte=since).exists()


def test_beat_restarted_twice_within_a_day_purges_once_that_day(tmp_path):
    """Beat started three times in a row: the first sweep runs the day's purge
    (the database says it has not run today); the restarts do not run it
    again, so a request that expires later that day waits for tomorrow."""
    expired = expired_request()
    kept = DeletionRequestFactory()
    with celery_processes(tmp_path, **FAST) as processes:
        processes.start("worker")
        for run in range(3):
            since = database_now().replace(microsecond=0)
            beat = processes.start("beat")
            assert wait_until(lambda since=since: sweep_ran_since(since), timeout=60), processes.logs()
            if run == 0:
                # The sweep records its heartbeat, then runs the day's jobs.
                assert wait_until(lambda: DeletionRequest.objects.get(pk=expired.pk).is_erased, timeout=30)
                purged_at = Heartbeat.objects.get(name="purge").at
                late = expired_request()
            processes.kill(beat, signal.SIGTERM)
    late.refresh_from_db()
    kept.refresh_from_db()
    assert not late.is_erased and not kept.is_erased
    assert list(Heartbeat.objects.filter(name="purge").values_list("at", flat=True)) == [purged_at]
    assert not upkeep.daily_job_due("purge")


@pytest.mark.django_db
def test_a_daily_job_is_due_once_a_day():
    assert upkeep.daily_job_due("job")
    # Claimed and running: no other sweep starts it.
    assert not upkeep.daily_job_due("job")
    upkeep.daily_job_done("job")
    assert not upkeep.daily_job_due("job")
    # Done yesterday: due again today, once.
    Heartbeat.objects.filter(name__in=["job", "job:started"]).update(at=Now() - timedelta(days=1))
    assert upkeep.daily_job_due("job")
    assert not upkeep.daily_job_due("job")


@pytest.mark.django_db
def test_a_daily_job_whose_runner_died_is_taken_again_after_the_retry_time():
    assert upkeep.daily_job_due("job")  # claimed, then its worker died: never done
    claimed_at = database_now()
    Heartbeat.objects.filter(name="job:started").update(
        at=claimed_at - upkeep.DAILY_JOB_RETRY_AFTER + timedelta(minutes=5)
    )
    assert not upkeep.daily_job_due("job")
    Heartbeat.objects.filter(name="job:started").update(
        at=claimed_at - upkeep.DAILY_JOB_RETRY_AFTER - timedelta(minutes=1)
    )
    assert upkeep.daily_job_due("job")
    assert not upkeep.daily_job_due("job")
