"""What /healthz reports: database, broker and the periodic sweep."""

from __future__ import annotations

import os

from django.conf import settings
from django.db import connection

from . import dates
from .db_clock import database_now
from .models import Heartbeat


def check_database() -> tuple[bool, str]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return True, "ok"
    except Exception as exc:  # any driver error means "down"
        return False, type(exc).__name__


def check_broker() -> tuple[bool, str]:
    url = settings.CELERY_BROKER_URL
    if url.startswith("filesystem://"):
        folder = settings.CELERY_BROKER_TRANSPORT_OPTIONS["data_folder_in"]
        ok = os.path.isdir(folder) and os.access(folder, os.W_OK)
        return ok, "ok" if ok else "broker folder missing or read-only"
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1).ping()
        return True, "ok"
    except redis.RedisError as exc:
        return False, type(exc).__name__


def check_beat() -> tuple[bool, str]:
    try:
        beat = Heartbeat.objects.filter(name="sweep").first()
    except Exception as exc:
        return False, type(exc).__name__
    if beat is None:
        return False, "never ran"
    try:
        # Both times from the database's clock: a skewed web clock cannot fake it.
        age = database_now() - beat.at
    except Exception as exc:
        return False, type(exc).__name__
    return age <= dates.beat_stale_after(), beat.at.isoformat()


def health_report() -> tuple[bool, dict[str, dict[str, object]]]:
    checks = {
        "database": check_database(),
        "broker": check_broker(),
        "beat": check_beat(),
    }
    report = {name: {"ok": ok, "detail": detail} for name, (ok, detail) in checks.items()}
    return all(ok for ok, _ in checks.values()), report
