"""Keep private-link tokens and email addresses out of every log line."""

from __future__ import annotations

import logging
import re
import traceback

TOKEN_IN_PATH = re.compile(r"/r/[^/\s\"']+")
# Wide on purpose: anything that looks like local@domain.tld goes, an address
# in a quoted SMTP reply ("<anna@example.org>: User unknown") included.
EMAIL_ADDRESS = re.compile(r"[^\s@<>\"'(),;:\[\]]+@[^\s@<>\"'(),;:\[\]]+\.[^\s@<>\"'(),;:\[\].]{2,}")


def redact(text: str) -> str:
    return EMAIL_ADDRESS.sub("<email>", TOKEN_IN_PATH.sub("/r/<token>", text))


class RedactTokens(logging.Filter):
    """Rewrites /r/<token>/ and email addresses in messages, arguments and
    tracebacks. Django logs the path of every 5xx, and a private link's path
    is its secret; an SMTP error or a console email carries the address. On
    the handlers (settings.LOGGING), so it sees every record, whichever
    logger made it; the Celery worker and beat use the same handlers
    (config/celery.py)."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            # The arguments can be anything (Celery passes a message's
            # headers as a dict): redact the message they make, not each one.
            message = record.getMessage()
        except (TypeError, ValueError):
            message = str(record.msg)
        record.msg, record.args = redact(message), ()
        if record.exc_info and not record.exc_text:
            # Formatters print exc_text when it is set, instead of formatting
            # the exception again: its message may quote an address.
            record.exc_text = "".join(traceback.format_exception(*record.exc_info)).rstrip("\n")
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        # The WSGI request object rides along on django.request records;
        # formatters that print it would show the path.
        if hasattr(record, "request"):
            record.request = None
        return True
