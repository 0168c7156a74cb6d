"""Private links: a random token in the URL, only its hash in the database.

A leaked database therefore gives no working links. Each token carries a
purpose: the one that opens the member's page manages the request, the one in
the confirmation email confirms the address and nothing else, once, within
CONFIRMATION_VALID_FOR.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from datetime import timedelta

from django.db.models import Q
from django.utils import timezone

from .choices import TokenPurpose
from .models import AccessToken, DeletionRequest

# 32 bytes = 256 bits of randomness, far beyond guessing.
TOKEN_BYTES = 32
# Longer than any token we mint: anything longer is refused before hashing.
MAX_TOKEN_LENGTH = 100


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


# How long the link in a confirmation email works (it works once).
CONFIRMATION_VALID_FOR = timedelta(days=7)
# How long the links in a reminder email open the request: an old email in
# an inbox (or a forwarded one) stops working; the member's own link does not.
EMAIL_LINK_VALID_FOR = timedelta(days=60)


def token_issue(
    *, request: DeletionRequest, purpose: str = TokenPurpose.MANAGE, valid_for: timedelta | None = None
) -> str:
    raw = secrets.token_urlsafe(TOKEN_BYTES)
    if purpose == TokenPurpose.CONFIRM_EMAIL:
        valid_for = CONFIRMATION_VALID_FOR
    expires_at = timezone.now() + valid_for if valid_for else None
    AccessToken.objects.create(request=request, token_hash=hash_token(raw), purpose=purpose, expires_at=expires_at)
    return raw


def tokens_end_all(request: DeletionRequest) -> int:
    """Every link of the request stops opening it ("send me a new link, end
    the old ones"). The number of links ended."""
    return request.tokens.filter(ended_at__isnull=True).update(ended_at=timezone.now())


def token_end(token: AccessToken) -> None:
    """A single-use token was used: it opens nothing from now on."""
    AccessToken.objects.filter(pk=token.pk, ended_at__isnull=True).update(ended_at=timezone.now())


def token_lookup(raw: str, *, purposes: Iterable[str] = (TokenPurpose.MANAGE,)) -> AccessToken | None:
    """The token row (with its request) if `raw` is a token of one of
    `purposes`, else None. The lookup is by hash: comparing digests through an
    index leaks nothing about the token itself."""
    if not raw or len(raw) > MAX_TOKEN_LENGTH:
        return None
    now = timezone.now()
    return (
        AccessToken.objects.select_related("request")
        .filter(token_hash=hash_token(raw), purpose__in=list(purposes), ended_at__isnull=True)
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
        .first()
    )
