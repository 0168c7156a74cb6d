"""Private links: a random token in the URL, only its hash in the database.

A leaked database therefore gives no working links. Each token carries a
purpose: the one that opens the member's page manages the request, the one in
the confirmation email confirms the address and nothing else, once, within
CONFIRMATION_VALID_FOR.

The read-only and unsubscribe links of reminder emails are the exception to
"random": one pair per request is shared by its emails (email_links), each
an HMAC under SECRET_KEY of a random seed kept on its row, so a later email
can carry it again. A leaked database still opens nothing without the key.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Q
from django.utils import timezone
from django.utils.crypto import salted_hmac

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
# Emails to one request sent within this time of each other carry the same
# read-only link (see email_links). It lives EMAIL_LINK_VALID_FOR plus this,
# so every email's link still opens the page EMAIL_LINK_VALID_FOR after that
# email was sent, and at most this much longer.
EMAIL_LINK_SHARED_FOR = timedelta(days=1)


def token_issue(
    *, request: DeletionRequest, purpose: str = TokenPurpose.MANAGE, valid_for: timedelta | None = None
) -> str:
    raw = secrets.token_urlsafe(TOKEN_BYTES)
    if purpose == TokenPurpose.CONFIRM_EMAIL:
        valid_for = CONFIRMATION_VALID_FOR
    expires_at = timezone.now() + valid_for if valid_for else None
    AccessToken.objects.create(request=request, token_hash=hash_token(raw), purpose=purpose, expires_at=expires_at)
    return raw


@dataclass(frozen=True)
class EmailLinks:
    view: str  # read-only, expires
    unsubscribe: str  # stops the reminders and does nothing else; never expires


# Purposes of the links that emails share, and how long a new one lives.
_SHARED_LIFETIMES = {
    TokenPurpose.VIEW: EMAIL_LINK_VALID_FOR + EMAIL_LINK_SHARED_FOR,
    TokenPurpose.UNSUBSCRIBE: None,
}


def _seeded_token(seed: str) -> str:
    # Keyed by SECRET_KEY (the signing key): the database alone, seed and
    # all, opens nothing. As long and as random as token_issue's tokens.
    digest = salted_hmac("linkedout.email-link", seed, algorithm="sha256").digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def email_links(requests: Iterable[DeletionRequest]) -> dict[int, EmailLinks]:
    """The read-only and the unsubscribe link for an email to each of these
    requests, by request id. A request's live shared tokens are reused (the
    read-only one while it is younger than EMAIL_LINK_SHARED_FOR), so emails
    do not each add two rows; the missing ones are minted in one INSERT, for
    a batch of emails at once. They must be committed before the emails
    leave: a link in an inbox always opens something.
    Ending a request's links (tokens_end_all) ends these too: the next email
    mints new ones."""
    request_ids = {request.pk for request in requests}
    now = timezone.now()
    links: dict[tuple[int, str], str] = {}
    live = (
        AccessToken.objects.filter(request_id__in=request_ids, purpose__in=list(_SHARED_LIFETIMES))
        .filter(ended_at__isnull=True)
        .exclude(link_seed="")
        .filter(
            Q(purpose=TokenPurpose.UNSUBSCRIBE, expires_at__isnull=True)
            | Q(purpose=TokenPurpose.VIEW, expires_at__gte=now + EMAIL_LINK_VALID_FOR)
        )
        .values_list("request_id", "purpose", "link_seed", "token_hash")
    )
    for request_id, purpose, seed, stored_hash in live:
        raw = _seeded_token(seed)
        # After SECRET_KEY changed, the seed makes another token: mint anew
        # (the old one keeps opening what it opened until it expires).
        if hash_token(raw) == stored_hash:
            links[(request_id, purpose)] = raw
    minted = []
    for request_id in sorted(request_ids):
        for purpose, lifetime in _SHARED_LIFETIMES.items():
            if (request_id, purpose) in links:
                continue
            seed = secrets.token_hex(16)
            links[(request_id, purpose)] = raw = _seeded_token(seed)
            minted.append(
                AccessToken(
                    request_id=request_id,
                    token_hash=hash_token(raw),
                    purpose=purpose,
                    expires_at=now + lifetime if lifetime else None,
                    link_seed=seed,
                )
            )
    AccessToken.objects.bulk_create(minted)
    return {
        request_id: EmailLinks(
            view=links[(request_id, TokenPurpose.VIEW)], unsubscribe=links[(request_id, TokenPurpose.UNSUBSCRIBE)]
        )
        for request_id in request_ids
    }


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
