"""Private links: a random token in the URL, only its hash in the database.

A leaked database therefore gives no working links, and a link can be revoked
by marking its row.
"""

from __future__ import annotations

import hashlib
import secrets

from .models import AccessToken, DeletionRequest

# 32 bytes = 256 bits of randomness, far beyond guessing.
TOKEN_BYTES = 32


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def token_issue(*, request: DeletionRequest) -> str:
    raw = secrets.token_urlsafe(TOKEN_BYTES)
    AccessToken.objects.create(request=request, token_hash=hash_token(raw))
    return raw


def token_resolve(raw: str) -> DeletionRequest | None:
    """The request a token opens, or None. The lookup is by hash: comparing
    digests through an index leaks nothing about the token itself."""
    if not raw or len(raw) > 100:
        return None
    row = (
        AccessToken.objects.select_related("request")
        .filter(token_hash=hash_token(raw), revoked_at__isnull=True)
        .first()
    )
    return row.request if row else None
