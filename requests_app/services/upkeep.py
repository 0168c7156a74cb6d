"""Housekeeping the periodic tasks do besides reminders."""

from __future__ import annotations

from importlib import import_module

from django.conf import settings
from django.utils import timezone

from ..models import Heartbeat


def sessions_clear_expired() -> None:
    """Half-finished guided forms live in the session; drop the expired ones."""
    # The configured engine, whichever it is (database or signed cookies).
    import_module(settings.SESSION_ENGINE).SessionStore.clear_expired()


def heartbeat_record(*, name: str) -> None:
    Heartbeat.objects.update_or_create(name=name, defaults={"at": timezone.now()})
