"""Reminders delivered by real worker and beat processes, over the real
broker (filesystem by default, Redis on CI), to a real SMTP server on
loopback. Nothing here is mocked."""

from __future__ import annotations

import shutil
import signal
import subprocess
import time
from datetime import timedelta

import pytest
import redis
from django.utils import timezone

from requests_app.models import DeletionRequest, Reminder
from requests_app.services import requests as request_services
from tests.conftest import require
from tests.factories import DeletionRequestFactory
from tests.processes import celery_processes
from tests.smtp_sink import free_port, smtp_sink

pytestmark = pytest.mark.django_db(transaction=True)

FAST = {
    # Sweep every second instead of every minute, and take back a dead
    # worker's claim after 8 s instead of 10 minutes.
    "SWEEP_INTERVAL_SECONDS": "1",
    "REMINDER_STALE_CLAIM_SECONDS": "8",
    # The stale-claim time must outlast 8 x EMAIL_TIMEOUT + the render limit.
    "EMAIL_TIMEOUT": "0.5",
    "RECEIPT_TIME_LIMIT_SECONDS": "2",
    "REMINDER_RETRY_SECONDS": "0.5",
    "REMINDER_MAX_ATTEMPTS": "3",
}


def due_request(*, due_in: timedelta = timedelta(0), email: str = "member@example.org") -> DeletionRequest:
    """A confirmed request whose 'not sent yet' nudge is due after `due_in`;
    every other reminder lies days ahead."""
    request = DeletionRequestFactory(
        email=email,
        created_at=timezone.now() - timedelta(days=1, hours=1),
        ai_setting_off_on=timezone.localdate(),
    )
    request_services.request_confirm_email(request=request)
    # The private link the confirmation sends is not what these tests watch.
    request.reminders.filter(kind="private_link").delete()
    request.reminders.filter(kind="not_sent_1").update(due_at=timezone.now() + due_in)
    assert request.reminders.filter(due_at__lte=timezone.now() + due_in + timedelta(seconds=1)).count() == 1
    return request


def smtp_env(port: int) -> dict[str, str]:
    return {**FAST, "EMAIL_URL": f"smtp://127.0.0.1:{port}"}


def wait_for_state(reminder: Reminder, state: str, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        reminder.refresh_from_db()
        if reminder.state == state:
            return True
        time.sleep(0.2)
    return False


def test_due_reminder_is_delivered_exactly_once_within_90_seconds(tmp_path):
    request = due_request()
    with smtp_sink() as (sink, port), celery_processes(tmp_path, **smtp_env(port)) as processes:
        started = time.monotonic()
        processes.start("worker")
        processes.start("beat")
        messages = sink.wait_for(1, timeout=90)
        assert len(messages) == 1, processes.logs()
        assert time.monotonic() - started < 90
        time.sleep(4)  # several more sweeps
        assert len(sink.messages) == 1
    assert messages[0]["To"] == request.email
    assert messages[0]["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert request.reminders.get(kind="not_sent_1").state == "sent"


def test_two_beats_and_two_workers_never_double_a_reminder(tmp_path):
    requests = [due_request(email=f"m{n}@example.org") for n in range(5)]
    with smtp_sink() as (sink, port), celery_processes(tmp_path, **smtp_env(port)) as processes:
        for name in ("a", "b"):
            processes.start("worker", name)
            processes.start("beat", name)
        sink.wait_for(5, timeout=90)
        time.sleep(5)
    recipients = sorted(message["To"] for message in sink.messages)
    assert recipients == sorted(request.email for request in requests)


def test_worker_killed_mid_send_delivers_after_restart(tmp_path):
    """SIGKILL while the SMTP conversation is open (before the server accepted
    the message): after the claim times out, a new worker delivers it once.
    The duplicate window is the moment between the server's "250 accepted"
    and the row being marked sent: a kill exactly there sends it twice."""
    request = due_request()
    reminder = request.reminders.get(kind="not_sent_1")
    with smtp_sink(rcpt_delay=30) as (sink, port), celery_processes(tmp_path, **smtp_env(port)) as processes:
        worker = processes.start("worker", "first")
        processes.start("beat")
        assert sink.rcpt_started.wait(90), processes.logs()
        processes.kill(worker, signal.SIGKILL)
        reminder.refresh_from_db()
        assert reminder.state == "sending" and sink.messages == []
        sink.rcpt_delay = 0
        processes.start("worker", "second")
        messages = sink.wait_for(1, timeout=90)
        time.sleep(3)
    assert len(messages) == len(sink.messages) == 1, processes.logs()
    reminder.refresh_from_db()
    assert reminder.state == "sent"


def test_refused_recipient_is_marked_failed_by_the_worker(tmp_path):
    request = due_request()
    reminder = request.reminders.get(kind="not_sent_1")
    with smtp_sink(refuse=True) as (sink, port), celery_processes(tmp_path, **smtp_env(port)) as processes:
        processes.start("worker")
        processes.start("beat")
        assert wait_for_state(reminder, "failed", timeout=90), processes.logs()
    assert reminder.attempts == 3 and reminder.last_error == "SMTPRecipientsRefused 550"
    assert sink.messages == []


@pytest.fixture
def private_redis(tmp_path):
    """A Redis server of this test's own, so it can be flushed and restarted."""
    binary = shutil.which("redis-server")
    require(binary is not None, "redis-server", "apt-get install redis-server")
    port = free_port()

    def start() -> subprocess.Popen:
        process = subprocess.Popen(
            [
                binary,
                "--port",
                str(port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(tmp_path),
            ],
            stdout=subprocess.DEVNULL,
        )
        client = redis.Redis(port=port)
        for _ in range(50):
            try:
                client.ping()
                return process
            except redis.ConnectionError:
                time.sleep(0.1)
        raise RuntimeError("private redis did not start")

    state = {"process": start()}

    def restart() -> None:
        redis.Redis(port=port).flushall()
        state["process"].terminate()
        state["process"].wait(timeout=10)
        state["process"] = start()

    yield f"redis://127.0.0.1:{port}/0", restart
    state["process"].terminate()
    state["process"].wait(timeout=10)


def test_redis_flushed_and_restarted_before_due_time_still_delivers_once(tmp_path, private_redis):
    url, flush_and_restart = private_redis
    request = due_request(due_in=timedelta(seconds=10))
    with (
        smtp_sink() as (sink, port),
        celery_processes(tmp_path, **smtp_env(port), REDIS_URL=url, CELERY_BROKER_URL=url) as processes,
    ):
        processes.start("worker")
        processes.start("beat")
        time.sleep(3)  # both connected, the sweep running; nothing due yet
        flush_and_restart()
        messages = sink.wait_for(1, timeout=90)
        time.sleep(3)
    assert len(messages) == len(sink.messages) == 1, processes.logs()
    assert messages[0]["To"] == request.email
