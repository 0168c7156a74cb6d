"""What every page's footer shows besides its links."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def site_links(request: HttpRequest) -> dict[str, str]:
    return {"SOURCE_CODE_URL": settings.SOURCE_CODE_URL}
