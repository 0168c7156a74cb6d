"""The platform: settings, health check, and real Celery worker + beat processes."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from requests_app.models import Heartbeat
from tests.processes import celery_processes

ROOT = Path(__file__).resolve().parent.parent


def test_refuses_to_start_without_secret_key_when_debug_is_off():
    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DEBUG")}
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env={**env, "DJANGO_SETTINGS_MODULE": "config.settings", "DEBUG": "0"},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_starts_in_debug_without_secret_key():
    env = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"}
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); print('up')"],
        env={**env, "DJANGO_SETTINGS_MODULE": "config.settings", "DEBUG": "1"},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "up" in result.stdout


@pytest.mark.django_db
def test_healthz_is_ok_when_beat_ran_recently(client):
    Heartbeat.objects.create(name="sweep", at=timezone.now())
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["ok"] is True
    assert body["database"]["ok"] and body["broker"]["ok"] and body["beat"]["ok"]


@pytest.mark.django_db
def test_healthz_is_503_when_beat_never_ran_or_is_stale(client):
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["beat"] == {"ok": False, "detail": "never ran"}
    Heartbeat.objects.create(name="sweep", at=timezone.now() - timedelta(minutes=10))
    assert client.get("/healthz").status_code == 503


@pytest.mark.django_db
def test_healthz_is_503_when_the_broker_is_unreachable(client, settings):
    Heartbeat.objects.create(name="sweep", at=timezone.now())
    # Port 9 on loopback: nothing listens there.
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:9/0"
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["broker"]["ok"] is False
    # The pages themselves keep working.
    assert client.get("/").status_code == 200


def test_forged_host_header_is_refused(client):
    response = client.get("/", HTTP_HOST="evil.example")
    assert response.status_code == 400


@pytest.mark.django_db(transaction=True)
def test_beat_and_worker_processes_run_the_sweep(tmp_path):
    """A real beat schedules the sweep and a real worker runs it, over the
    configured broker (filesystem by default, Redis on CI)."""
    with celery_processes(tmp_path) as processes:
        worker, beat = processes.start("worker"), processes.start("beat")
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not Heartbeat.objects.filter(name="sweep").exists():
            assert worker.poll() is None and beat.poll() is None, processes.logs()
            time.sleep(0.5)
        beat_row = Heartbeat.objects.filter(name="sweep").first()
        assert beat_row is not None, "the sweep did not run within 60 s\n" + processes.logs()
        assert timezone.now() - beat_row.at < timedelta(minutes=1)


def test_broker_is_the_filesystem_by_default_and_redis_when_configured():
    if settings.REDIS_URL:
        assert settings.CELERY_BROKER_URL == settings.REDIS_URL
        return
    assert settings.CELERY_BROKER_URL == "filesystem://"
    for key in ("data_folder_in", "data_folder_out", "processed_folder"):
        folder = Path(settings.CELERY_BROKER_TRANSPORT_OPTIONS[key])
        assert folder.is_absolute() and folder.is_dir()
    assert settings.CELERY_BROKER_TRANSPORT_OPTIONS["polling_interval"] <= 0.2
