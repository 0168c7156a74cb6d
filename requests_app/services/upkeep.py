"""Housekeeping: the sweep's heartbeat, daily jobs driven by the database,
and dropping expired form sessions."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from importlib import import_module

from django.conf import settings
from django.db.models.functions import Now

from ..db_clock import database_now
from ..models import Heartbeat

# A daily job claimed but not finished this long ago (its worker died) is
# started again.
DAILY_JOB_RETRY_AFTER = timedelta(hours=1)
_NEVER = datetime(2000, 1, 1, tzinfo=UTC)


def heartbeat_record(*, name: str) -> None:
    Heartbeat.objects.update_or_create(name=name, defaults={"at": Now()})


def daily_job_due(name: str) -> date | None:
    """The day (UTC, by the database's clock) to run the job `name` for, once,
    when it has not finished that day and no other process is running it; the
    runner then calls daily_job_done(). None otherwise. A row per job, not
    beat's countdown, decides, so restarting beat (or running two) changes
    nothing."""
    now = database_now()
    today = now.astimezone(UTC).date()
    finished = Heartbeat.objects.filter(name=name).values_list("at", flat=True).first()
    if finished is not None and finished >= datetime.combine(today, time(0), tzinfo=UTC):
        return None
    claim = f"{name}:started"
    Heartbeat.objects.get_or_create(name=claim, defaults={"at": _NEVER})
    claimed = Heartbeat.objects.filter(name=claim, at__lt=now - DAILY_JOB_RETRY_AFTER).update(at=now) == 1
    return today if claimed else None


def daily_job_done(name: str) -> None:
    heartbeat_record(name=name)


def sessions_clear_expired() -> None:
    """Half-finished guided forms live in the session; drop the expired ones."""
    # The configured engine, whichever it is (database or signed cookies).
    import_module(settings.SESSION_ENGINE).SessionStore.clear_expired()
