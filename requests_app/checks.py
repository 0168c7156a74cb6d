"""System checks of this instance's configuration (`manage.py check`)."""

from __future__ import annotations

from django.conf import settings
from django.core import checks

from . import site_operator


@checks.register()
def operator_identity_check(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """In production the imprint must name who runs the site (§ 5 DDG); the
    page says it was not filled in, and this says so to the operator."""
    if settings.DEBUG or site_operator.current().is_configured:
        return []
    return [
        checks.Warning(
            "This instance's operator is not configured: the imprint, privacy policy and accessibility statement "
            "say that it was not filled in.",
            hint="Set OPERATOR_FILE to a JSON file with at least name, address_lines and email "
            "(see requests_app/data/operator.example.json).",
            id="linkedout.W001",
        )
    ]
