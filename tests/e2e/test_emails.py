"""Every email's HTML part as a browser shows it, on a 360 px phone and at
desktop width, in light and dark colour scheme: its button is visible and
fits, nothing scrolls sideways, axe-core finds no serious or critical
problem, and a screenshot is saved under test-artifacts/screenshots/ for a
person to look at. (Mail clients are not browsers; this holds the layout to
what a browser engine, like most webmail and Apple Mail, does with it.)"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.email_samples import samples

from .checks import assert_accessible, assert_fits_width
from .conftest import VIEWPORTS

pytestmark = [pytest.mark.e2e, pytest.mark.django_db]

# Every kind in English at both widths and schemes; German and Polish, whose
# long words are the first to push a narrow layout sideways, on the phone.
CASES = [
    ("en", "mobile", "light"),
    ("en", "mobile", "dark"),
    ("en", "desktop", "light"),
    ("en", "desktop", "dark"),
    ("de", "mobile", "light"),
    ("pl", "mobile", "dark"),
]
DARK_CARD = "rgb(21, 38, 43)"  # .card in email.css's dark-mode rules
LIGHT_CARD = "rgb(255, 255, 255)"


@pytest.mark.parametrize(("language", "viewport", "scheme"), CASES, ids=["-".join(case) for case in CASES])
def test_every_email_reads_well_at_each_width_and_colour_scheme(browser, screenshot, language, viewport, scheme):
    context = browser.new_context(**VIEWPORTS[viewport], color_scheme=scheme)
    page = context.new_page()
    try:
        for sample in samples(language):
            name = f"email-{language}-{viewport}-{scheme}-{sample.name}"
            page.set_content(sample.html, wait_until="load")
            button = page.locator("a.button-link")
            expect(button).to_have_count(1)
            expect(button).to_be_visible()
            expect(button).to_have_attribute("href", sample.action_url)
            box = button.bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= page.viewport_size["width"], name
            card = page.locator("td.card").evaluate("cell => getComputedStyle(cell).backgroundColor")
            assert card == (DARK_CARD if scheme == "dark" else LIGHT_CARD), name
            assert_fits_width(page, name)
            assert_accessible(page, name)
            screenshot(page, name)
    finally:
        context.close()
