"""The outbox's own rules, in-process: the private link as a row, the stable
Message-ID, the daily purge run by the sweep, settings that would send twice,
and a cache that fails soft. The same faults with real processes are in
tests/test_delivery_faults.py."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.core import mail
from django.test import override_settings
from django.utils import timezone

from config.cache import FailSoftRedisCache
from config.celery import app as celery_app
from requests_app import emails, tasks
from requests_app.models import DeletionRequest, Heartbeat, Reminder
from requests_app.services import outbox
from requests_app.services import requests as request_services
from tests.conftest import token_from_url
from tests.factories import DeletionRequestFactory
from tests.journey import complete_journey
from tests.smtp_sink import free_port

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.django_db


def test_creating_a_request_writes_its_link_email_as_an_outbox_row(client):
    response = complete_journey(client)
    assert response.status_code == 302
    token = token_from_url(response.url)
    request = DeletionRequest.objects.get()
    [row] = request.reminders.filter(kind="private_link")
    # Written with the request; a worker sends it once the transaction has
    # committed (or the sweep does, if that message was lost).
    assert row.state == "pending" and row.due_at <= timezone.now()
    assert client.get(f"/r/{token}/").status_code == 200


def test_a_resend_carries_the_same_message_id(settings):
    request = DeletionRequestFactory()
    outbox.email_now(request)
    row = request.reminders.get(kind="private_link")
    # First attempt: nobody listens on the SMTP port.
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    assert outbox.reminder_deliver(reminder_id=row.pk) == "retry"
    row.refresh_from_db()
    assert row.attempts == 1 and row.last_error.startswith("ConnectionRefusedError")
    # Second attempt, once due, to a working backend.
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert outbox.reminder_deliver(reminder_id=row.pk, now=row.due_at + timedelta(seconds=1)) == "sent"
    # The "sent" record is lost (the duplicate window): the row is sent again.
    Reminder.objects.filter(pk=row.pk).update(state="pending")
    assert outbox.reminder_deliver(reminder_id=row.pk, now=row.due_at + timedelta(seconds=2)) == "sent"
    first, again = mail.outbox
    assert first.extra_headers["Message-ID"] == again.extra_headers["Message-ID"]
    assert first.extra_headers["Message-ID"] == emails.stable_message_id(row.pk, request.reference)
    # Another row, or the same row number in another install, is another message.
    this = emails.stable_message_id(row.pk, request.reference)
    assert this != emails.stable_message_id(row.pk + 1, request.reference)
    assert this != emails.stable_message_id(row.pk, "LO-2222-2222")


def test_the_sweep_starts_the_daily_purge_once_a_day(settings, django_capture_on_commit_callbacks):
    settings.RETENTION_DAYS_AFTER_CLOSE = 90
    expired = DeletionRequestFactory(
        status="answered", answer_outcome="done", answered_on=timezone.localdate() - timedelta(days=91)
    )
    celery_app.conf.task_always_eager = True
    try:
        with django_capture_on_commit_callbacks(execute=True):
            tasks.sweep()
        expired.refresh_from_db()
        assert expired.is_erased
        assert Heartbeat.objects.filter(name="purge").count() == 1
        # Later the same day: the purge does not run again.
        also_expired = DeletionRequestFactory(
            status="answered", answer_outcome="done", answered_on=timezone.localdate() - timedelta(days=91)
        )
        with django_capture_on_commit_callbacks(execute=True):
            tasks.sweep()
    finally:
        celery_app.conf.task_always_eager = False
    also_expired.refresh_from_db()
    assert not also_expired.is_erased


def test_settings_refuse_a_stale_claim_a_slow_send_could_outlive():
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "1",
        "EMAIL_TIMEOUT": "30",
        "RECEIPT_TIME_LIMIT_SECONDS": "10",
        "REMINDER_STALE_CLAIM_SECONDS": "249",
    }
    code = "import django; django.setup()"
    refused = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True)
    assert refused.returncode != 0
    assert "REMINDER_STALE_CLAIM_SECONDS (249) must be at least" in refused.stderr
    env["REMINDER_STALE_CLAIM_SECONDS"] = "250"
    accepted = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True)
    assert accepted.returncode == 0, accepted.stderr[-2000:]


def test_an_unreachable_redis_cache_fails_soft():
    down = FailSoftRedisCache(
        f"redis://127.0.0.1:{free_port()}/0", {"OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2}}
    )
    assert down.add("k", 1) is False
    assert down.get("k", "default") == "default"
    with pytest.raises(ValueError):
        down.incr("k")


def test_pages_with_rate_limits_keep_working_while_redis_is_down(client, caplog):
    dead_redis = {
        "default": {
            "BACKEND": "config.cache.FailSoftRedisCache",
            "LOCATION": f"redis://127.0.0.1:{free_port()}/0",
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    request = DeletionRequestFactory(email="anna@example.org")
    with override_settings(CACHES=dead_redis):
        response = client.post("/link/", {"email": "anna@example.org"})
    assert response.status_code == 302
    # The limiter did ask the dead cache, and went on without it.
    assert "rate limits are not applied meanwhile" in caplog.text
    assert request.reminders.filter(kind="private_link", state="pending").exists()


def test_an_erased_request_sends_no_waiting_link(mailoutbox):
    request = DeletionRequestFactory()
    outbox.email_now(request)
    row = request.reminders.get(kind="private_link")
    request_services.request_erase(request=request)
    row.refresh_from_db()
    assert row.state == "cancelled"
    assert outbox.reminder_deliver(reminder_id=row.pk) == "skipped"
    assert mailoutbox == []
    assert DeletionRequest.objects.get(pk=request.pk).is_erased
