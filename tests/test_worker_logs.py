"""What real Celery worker and beat processes write to their logs: through
the project's handlers and their redaction filter, so no email address or
private-link token gets there."""

from __future__ import annotations

import logging
import re
import smtplib
import sys
import time

import pytest
from django.db import transaction

from config.celery import app
from requests_app.log_filters import RedactTokens
from requests_app.models import Reminder
from requests_app.services.outbox import email_now
from tests.factories import DeletionRequestFactory
from tests.processes import celery_processes
from tests.smtp_sink import smtp_sink
from tests.test_delivery import smtp_env, wait_for_state

ADDRESS = "oksana.private@example.org"


def private_link_row(email: str = ADDRESS) -> Reminder:
    """A request whose private-link email is queued, as the form leaves it."""
    with transaction.atomic():
        request = DeletionRequestFactory(email=email)
        email_now(request)
    return request.reminders.get(kind="private_link")


def wait_for_text(path, text: str, timeout: float) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        log = path.read_text(errors="replace") if path.exists() else ""
        if text in log:
            return log
        time.sleep(0.2)
    return path.read_text(errors="replace")


def assert_nothing_secret_in(log: str) -> None:
    assert "oksana.private" not in log, log[-3000:]
    # Every private-link path in the log is redacted.
    assert set(re.findall(r"/r/([^/\s\"'<]+)", log)) <= {"<token>"}, log[-3000:]


@pytest.mark.django_db(transaction=True)
def test_a_worker_logs_through_the_project_handlers_which_redact_addresses(tmp_path):
    # Celery's own log line for a message it cannot run prints the message's
    # body: here an address, as an old or forged message could carry.
    with celery_processes(tmp_path) as processes:
        processes.start("worker")
        app.send_task("requests_app.tasks.no_such_task", args=[ADDRESS, "/r/s3cr3t-token/"])
        log = wait_for_text(processes.log_path("worker"), "unregistered task", timeout=60)
    assert "unregistered task" in log, log[-3000:]
    # The project's format (not Celery's "[date: LEVEL/Process]"), and redacted.
    assert re.search(r"\d ERROR celery\.worker\.consumer\.consumer Received unregistered task", log), log[-3000:]
    assert "<email>" in log and "/r/<token>/" in log
    assert_nothing_secret_in(log)


@pytest.mark.django_db(transaction=True)
def test_an_address_django_refuses_to_send_to_is_not_logged(tmp_path):
    # Stored before today's checks, Django's mail code refuses it, quoting it.
    row = private_link_row(email=f"{ADDRESS}, second@example.org")
    with smtp_sink() as (sink, port), celery_processes(tmp_path, **smtp_env(port)) as processes:
        processes.start("worker")
        assert wait_for_state(row, "failed", timeout=90), processes.logs()
        time.sleep(1)
    log = processes.log_path("worker").read_text(errors="replace")
    assert f"reminder {row.pk} of {row.request.reference} failed with an unexpected error ValueError" in log, log
    assert row.last_error == "ValueError"
    assert_nothing_secret_in(log)


@pytest.mark.django_db(transaction=True)
def test_a_refused_private_link_email_logs_no_address(tmp_path):
    row = private_link_row()
    # The sink refuses the recipient quoting its address, as Postfix does.
    with (
        smtp_sink(refuse=True) as (sink, port),
        celery_processes(tmp_path, **smtp_env(port), LOG_LEVEL="DEBUG") as processes,
    ):
        processes.start("worker")
        processes.start("beat")
        assert wait_for_state(row, "failed", timeout=90), processes.logs()
    assert row.last_error == "SMTPRecipientsRefused 550"
    for role in ("worker", "beat"):
        assert_nothing_secret_in(processes.log_path(role).read_text(errors="replace"))


def test_an_exception_quoting_an_address_is_redacted_in_the_traceback():
    try:
        raise smtplib.SMTPRecipientsRefused({ADDRESS: (550, f"<{ADDRESS}>: User unknown".encode())})
    except smtplib.SMTPRecipientsRefused:
        record = logging.LogRecord(
            "requests_app.services.outbox", logging.ERROR, __file__, 1, "reminder %s failed: %s", (7, ADDRESS), None
        )
        record.exc_info = sys.exc_info()
    RedactTokens().filter(record)
    text = logging.Formatter().format(record)
    assert "reminder 7 failed: <email>" in text and "SMTPRecipientsRefused" in text
    assert ADDRESS not in text
