"""The visitor's address, for rate limits (django-ratelimit's
RATELIMIT_IP_META_KEY)."""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    """REMOTE_ADDR, or behind TRUSTED_PROXY_COUNT proxies the address the
    outermost of them saw. Each proxy appends the address it was connected
    from to X-Forwarded-For, so that one is the Nth entry from the right;
    everything to its left was sent by the client and may be forged. Without
    it (a request that bypassed the proxies) REMOTE_ADDR stands: one shared
    limit for such requests, never one a client can choose."""
    remote = request.META.get("REMOTE_ADDR", "")
    count = settings.TRUSTED_PROXY_COUNT
    if count <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part for part in forwarded if part]
    if len(forwarded) < count:
        return remote
    candidate = forwarded[-count]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote
