"""Input rules shared by the guided form and the request page."""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import urlsplit, urlunsplit

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# Characters that reorder text: a name containing them can display as
# something else than what was typed. U+061C is the Arabic letter mark.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")
# Characters that show nothing: zero-width space, non-joiner and joiner, the
# byte-order mark, and the tag characters (U+E0000-U+E007F), which can carry a
# hidden text that a reader of the letter never sees but a machine reads.
INVISIBLE = frozenset("\u200b\u200c\u200d\ufeff") | frozenset(map(chr, range(0xE0000, 0xE0080)))
# The zero-width non-joiner and joiner are part of how some scripts are spelt
# (Persian names, Indic conjuncts) and of emoji sequences: allowed between
# two letters, marks or symbols, never at an edge or beside a space.
JOINERS = frozenset("\u200c\u200d")
_JOINABLE_CATEGORIES = ("L", "M", "So", "Sk")
# Unicode's own line and paragraph separators break a line as "\n" does.
LINE_SEPARATORS = frozenset("\u2028\u2029")
MAX_URL_LENGTH = 500
# "https:", "javascript:" ...; a host name alone ("linkedin.com/in/x") has none.
# Matched as a prefix (the address follows it), so no "$" to be fooled by "\n".
_SCHEME = re.compile(r"[a-z][a-z0-9+\-]*:", re.IGNORECASE)
# linkedin.com or one of its subdomains, written with nothing but letters,
# digits and inner hyphens: no backslash (browsers read it as "/", so
# "evil.example\.linkedin.com" opens evil.example), no "%2F", no markup.
_LINKEDIN_HOST = re.compile(r"(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)*linkedin\.com")
# Encoded "/" and "\" make a path that reads differently once decoded.
_ENCODED_SEPARATOR = re.compile(r"%(?:2f|5c)", re.IGNORECASE)


def validate_plain_text(value: str) -> None:
    """Refuse control characters (line breaks, NUL, escape...), bidi
    overrides and characters that show nothing."""
    for index, char in enumerate(value):
        if char in JOINERS and _joins_two(value, index):
            continue
        if char in BIDI_CONTROLS:
            raise ValidationError(_("Please remove the invisible text-direction characters."), code="bidi")
        if char in INVISIBLE:
            raise ValidationError(
                _("Please remove the invisible characters (such as zero-width spaces) from this text."),
                code="invisible",
            )
        if char in LINE_SEPARATORS or unicodedata.category(char) == "Cc":
            raise ValidationError(_("Please remove line breaks and other control characters."), code="control")


def _joins_two(value: str, index: int) -> bool:
    def joinable(position: int) -> bool:
        return 0 <= position < len(value) and unicodedata.category(value[position]).startswith(_JOINABLE_CATEGORIES)

    return joinable(index - 1) and joinable(index + 1)


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
        host = (parts.hostname or "").lower().removesuffix(".")
        port = parts.port
    except ValueError:
        raise ValidationError(_("This is not a web address."), code="invalid") from None
    # http:// is upgraded: every LinkedIn page is served over https.
    if parts.scheme.lower() not in ("https", "http"):
        raise ValidationError(
            _("Enter a LinkedIn address starting with https://, for example https://www.linkedin.com/in/your-name"),
            code="scheme",
        )
    if "@" in parts.netloc or "\\" in value or _ENCODED_SEPARATOR.search(value) or port not in (None, 443):
        raise ValidationError(_("Enter a plain LinkedIn address."), code="invalid")
    if not _LINKEDIN_HOST.fullmatch(host):
        raise ValidationError(
            _("Only addresses on linkedin.com are accepted (this one is on %(host)s).") % {"host": host or "?"},
            code="host",
        )
    path = parts.path or "/"
    return urlunsplit(("https", host, path, "", ""))
