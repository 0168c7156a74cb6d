"""The database's clock: the one clock every web, worker and beat process
agrees on, whatever their own clocks say."""

from __future__ import annotations

from datetime import UTC, datetime

from django.db import connection


def database_now() -> datetime:
    # STATEMENT_TIMESTAMP: PostgreSQL's CURRENT_TIMESTAMP is the start of the
    # transaction (Django's Now() avoids it too).
    query = "SELECT STATEMENT_TIMESTAMP()" if connection.vendor == "postgresql" else "SELECT CURRENT_TIMESTAMP"
    with connection.cursor() as cursor:
        cursor.execute(query)
        value = cursor.fetchone()[0]
    if isinstance(value, str):  # SQLite: "YYYY-MM-DD HH:MM:SS", in UTC
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)
