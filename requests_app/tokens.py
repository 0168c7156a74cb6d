"""Private links: a random token in the URL, only its hash in the database.

A leaked database therefore gives no working links. Each token carries a
purpose: the one that opens the member's page manages the request, the one in
the confirmation email confirms the address and nothing else.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable

from .choices import TokenPurpose
from .models import AccessToken, DeletionRequest

# 32 bytes = 256 bits of randomness, far beyond guessing.
TOKEN_BYTES = 32
# Longer than any token we mint: anything longer is refused before hashing.
MAX_TOKEN_LENGTH = 100


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def token_issue(*, request: DeletionRequest, purpose: str = TokenPurpose.MANAGE) -> str:
    raw = secrets.token_urlsafe(TOKEN_BYTES)
    AccessToken.objects.create(request=request, token_hash=hash_token(raw), purpose=purpose)
    return raw


def token_lookup(raw: str, *, purposes: Iterable[str] = (TokenPurpose.MANAGE,)) -> AccessToken | None:
    """The token row (with its request) if `raw` is a token of one of
    `purposes`, else None. The lookup is by hash: comparing digests through an
    index leaks nothing about the token itself."""
    if not raw or len(raw) > MAX_TOKEN_LENGTH:
        return None
    return (
        AccessToken.objects.select_related("request")
        .filter(token_hash=hash_token(raw), purpose__in=list(purposes))
        .first()
    )
