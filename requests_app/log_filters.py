"""Keep private-link tokens out of every log line."""

from __future__ import annotations

import logging
import re

TOKEN_IN_PATH = re.compile(r"/r/[^/\s\"']+")


def redact(text: str) -> str:
    return TOKEN_IN_PATH.sub("/r/<token>", text)


class RedactTokens(logging.Filter):
    """Rewrites /r/<token>/ in messages and arguments. Django logs the path
    of every 5xx, and a private link's path is its secret."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(redact(arg) if isinstance(arg, str) else arg for arg in record.args)
        # The WSGI request object rides along on django.request records;
        # formatters that print it would show the path.
        if hasattr(record, "request"):
            record.request = None
        return True
