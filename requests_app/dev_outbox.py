"""The development outbox: an email backend that keeps each message as an
.eml file under VAR_DIR/outbox/ instead of sending it, and reads them back for
the DEBUG-only page /dev/outbox/.

`make run` uses it (EMAIL_URL=outboxmail://), so a private-link email is one
log line instead of a screenful of base64 PDF. It holds emails, private links
included, in clear: development only. With DEBUG off the settings refuse it,
as they refuse the console, unless ALLOW_UNSENT_EMAIL=1.
"""

from __future__ import annotations

import logging
import re
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import parsedate_to_datetime
from pathlib import Path

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend

logger = logging.getLogger(__name__)

# Older messages are deleted beyond this many: the folder stays small.
KEEP = 200
# A message's id is its file name without ".eml": a UTC time and a random
# part. Nothing else names a file, so a URL cannot reach outside the folder.
MESSAGE_ID = re.compile(r"^[0-9]{8}T[0-9]{12}-[0-9a-f]{8}$")
MESSAGE_ID_PATTERN = MESSAGE_ID.pattern.strip("^$")


def outbox_dir() -> Path:
    return Path(settings.VAR_DIR) / "outbox"


def where_to_look() -> str:
    """What the log line points at: the page when DEBUG serves it, else the folder."""
    if settings.DEBUG:
        return f"{settings.SITE_URL}/dev/outbox/"
    return f"{outbox_dir()} (the /dev/outbox/ page needs DEBUG=1)"


class OutboxEmailBackend(BaseEmailBackend):
    """Stores every message as an .eml file and logs one line for it."""

    def send_messages(self, email_messages) -> int:
        folder = outbox_dir()
        folder.mkdir(parents=True, exist_ok=True)
        for message in email_messages:
            message_id = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f") + "-" + secrets.token_hex(4)
            # Written aside, then renamed: the page never lists half a message.
            partial = folder / f".{message_id}.partial"
            partial.write_bytes(message.message().as_bytes())
            partial.replace(folder / f"{message_id}.eml")
            # The log filter redacts the address; the subject names the reference.
            logger.info("email to %s: %s — see %s", ", ".join(message.to), message.subject, where_to_look())
        _forget_old(folder)
        return len(email_messages)


def _forget_old(folder: Path) -> None:
    for old in sorted(folder.glob("*.eml"))[:-KEEP]:
        old.unlink(missing_ok=True)


@dataclass
class Attachment:
    filename: str
    content_type: str
    content: bytes


@dataclass
class StoredEmail:
    id: str
    to: str
    subject: str
    date: datetime | None
    text: str = ""
    html: str | None = None
    attachments: list[Attachment] = field(default_factory=list)


def outbox_list() -> list[StoredEmail]:
    """Every kept message, newest first (headers only)."""
    folder = outbox_dir()
    if not folder.is_dir():
        return []
    paths = sorted(folder.glob("*.eml"), reverse=True)
    return [_read(path, headers_only=True) for path in paths if MESSAGE_ID.match(path.stem)]


def outbox_message(message_id: str) -> StoredEmail | None:
    """One message with its parts, or None if there is no such message."""
    if not MESSAGE_ID.match(message_id):
        return None
    path = outbox_dir() / f"{message_id}.eml"
    if not path.is_file():
        return None
    return _read(path, headers_only=False)


def _read(path: Path, *, headers_only: bool) -> StoredEmail:
    with path.open("rb") as stream:
        parsed: EmailMessage = BytesParser(policy=policy.default).parse(stream, headersonly=headers_only)
    try:
        date = parsedate_to_datetime(parsed["Date"]) if parsed["Date"] else None
    except (TypeError, ValueError):
        date = None
    stored = StoredEmail(id=path.stem, to=str(parsed["To"] or ""), subject=str(parsed["Subject"] or ""), date=date)
    if headers_only:
        return stored
    text_part = parsed.get_body(preferencelist=("plain",))
    html_part = parsed.get_body(preferencelist=("html",))
    stored.text = text_part.get_content() if text_part is not None else ""
    stored.html = html_part.get_content() if html_part is not None else None
    stored.attachments = [
        Attachment(
            filename=part.get_filename() or f"attachment-{number}",
            content_type=part.get_content_type(),
            content=part.get_payload(decode=True) or b"",
        )
        for number, part in enumerate(parsed.iter_attachments(), start=1)
    ]
    return stored
