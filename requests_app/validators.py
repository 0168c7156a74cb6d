"""Input rules shared by the guided form and the request page."""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import urlsplit, urlunsplit

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# Characters that reorder or hide text: a name containing them can display as
# something else than what was typed.
BIDI_CONTROLS = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f")
LINKEDIN_HOSTS = ("linkedin.com",)
MAX_URL_LENGTH = 500
# "https:", "javascript:" ...; a host name alone ("linkedin.com/in/x") has none.
_SCHEME = re.compile(r"^[a-z][a-z0-9+\-]*:", re.IGNORECASE)


def validate_plain_text(value: str) -> None:
    """Refuse control characters (line breaks, NUL, escape...) and bidi overrides."""
    for char in value:
        if char in BIDI_CONTROLS:
            raise ValidationError(_("Please remove the invisible text-direction characters."), code="bidi")
        if unicodedata.category(char) == "Cc":
            raise ValidationError(_("Please remove line breaks and other control characters."), code="control")


def validate_multiline_text(value: str) -> None:
    """Like validate_plain_text, but line breaks are allowed (an address, a paragraph)."""
    validate_plain_text(value.replace("\r", "").replace("\n", " "))


def normalise_linkedin_url(value: str) -> str:
    """Return the URL in canonical form (https, lowercase host, no query or
    fragment) or raise ValidationError with a message a person understands."""
    value = value.strip()
    if len(value) > MAX_URL_LENGTH:
        raise ValidationError(
            _("This address is too long (at most %(max)d characters).") % {"max": MAX_URL_LENGTH},
            code="too_long",
        )
    validate_plain_text(value)
    if not _SCHEME.match(value):
        # LinkedIn's Contact info shows a profile as "linkedin.com/in/name".
        value = "https://" + value
    try:
        parts = urlsplit(value)
        host = (parts.hostname or "").lower().rstrip(".")
        port = parts.port
    except ValueError:
        raise ValidationError(_("This is not a web address."), code="invalid") from None
    # http:// is upgraded: every LinkedIn page is served over https.
    if parts.scheme.lower() not in ("https", "http"):
        raise ValidationError(
            _("Enter a LinkedIn address starting with https://, for example https://www.linkedin.com/in/your-name"),
            code="scheme",
        )
    if parts.username or parts.password or port not in (None, 443):
        raise ValidationError(_("Enter a plain LinkedIn address."), code="invalid")
    if not any(host == allowed or host.endswith("." + allowed) for allowed in LINKEDIN_HOSTS):
        raise ValidationError(
            _("Only addresses on linkedin.com are accepted (this one is on %(host)s).") % {"host": host or "?"},
            code="host",
        )
    path = parts.path or "/"
    return urlunsplit(("https", host, path, "", ""))
