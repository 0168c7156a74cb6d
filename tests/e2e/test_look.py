"""The look, in a real browser: every public page and a request page in every
language, light and dark, on a 360x780 phone and at desktop width. axe-core
finds no serious or critical problem (contrast included) in any of them,
nothing scrolls sideways, the home page shows its Start button on the first
screen of a phone, and the dark scheme is really dark. Screenshots are kept
under test-artifacts/screenshots/ (look-<language>-<scheme>-<viewport>-<page>)."""

from __future__ import annotations

import pytest
from django.conf import settings

from requests_app.tokens import token_issue
from tests.factories import DeletionRequestFactory

from .checks import assert_accessible, assert_fits_width
from .conftest import VIEWPORTS

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

LANGUAGES = [code for code, _name in settings.LANGUAGES]
PHONE = {"viewport": {"width": 360, "height": 780}, "is_mobile": True, "has_touch": True}


def _luminance(css_colour: str) -> float:
    channels = [int(part) / 255 for part in css_colour.split("(")[1].split(")")[0].split(",")[:3]]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("language", LANGUAGES)
def test_every_page_in_every_language_and_scheme(browser, live_server, screenshot, language, scheme):
    request = DeletionRequestFactory(language=language, letter_language="own")
    token = token_issue(request=request)
    pages = {
        "home": "/",
        "step-you": "/start/",
        "laws": "/laws/",
        "email-link": "/link/",
        "request": f"/r/{token}/",
        "verify": f"/verify/{request.reference}/",
    }
    for viewport, options in (("mobile", PHONE), ("desktop", VIEWPORTS["desktop"])):
        context = browser.new_context(base_url=live_server.url, color_scheme=scheme, locale=language, **options)
        context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}])
        page = context.new_page()
        try:
            for name, path in pages.items():
                page.goto(path)
                page.wait_for_load_state("load")
                full_name = f"look-{language}-{scheme}-{viewport}-{name}"
                assert page.evaluate("document.documentElement.lang") == language, full_name
                background = page.evaluate("getComputedStyle(document.body).backgroundColor")
                assert (_luminance(background) < 0.05) == (scheme == "dark"), (full_name, background)
                assert_fits_width(page, full_name)
                assert_accessible(page, full_name)
                screenshot(page, full_name)
                if name == "home" and viewport == "mobile":
                    # What LinkedOut does and the way in, without scrolling.
                    start = page.get_by_test_id("start").bounding_box()
                    assert start["y"] + start["height"] <= 780, (language, start)
                    heading = page.get_by_role("heading", level=1).bounding_box()
                    assert heading["y"] >= 0 and heading["y"] < start["y"]
        finally:
            context.close()
