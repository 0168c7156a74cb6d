"""Browser tests: Playwright for Python driving Debian's chromium, headless.
Never `playwright install`: the browser comes from apt (see .ci/run)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from requests_app.system import chromium_path
from tests.conftest import require_packages

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser():
    require_packages("chromium")
    executable = chromium_path()
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in the test thread; Django would
    # otherwise refuse ORM calls made from the test body. Only while browsing.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
            yield browser
            browser.close()
    finally:
        del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]


@pytest.fixture(autouse=True)
def _plain_static_names(settings):
    # pytest-django's live server serves static files from the finders, which
    # know the plain names only, not the hashed names of the manifest storage.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


VIEWPORTS = {
    "desktop": {"viewport": {"width": 1280, "height": 900}},
    # A small phone: 360 CSS pixels is the narrowest width the pages must fit.
    "mobile": {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True},
}


def _watched_page(browser, live_server, viewport: str = "desktop", **options):
    context = browser.new_context(base_url=live_server.url, **VIEWPORTS[viewport], **options)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    page = context.new_page()
    page.csp_violations = []
    page.failed_responses = []
    page.on("response", lambda r: page.failed_responses.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    page.on(
        "console",
        lambda message: page.csp_violations.append(message.text) if "Content Security Policy" in message.text else None,
    )
    return page


def _close_and_check(*pages) -> None:
    for page in pages:
        page.context.close()
    for page in pages:
        assert page.csp_violations == [], page.csp_violations
        assert page.failed_responses == [], page.failed_responses


@pytest.fixture
def page(browser, live_server):
    page = _watched_page(browser, live_server)
    yield page
    _close_and_check(page)


@pytest.fixture
def make_page(browser, live_server):
    """Pages at a named viewport ("desktop" or "mobile"), with the same CSP and
    failed-response checks as `page`. A test that expects an error status
    removes it from `page.failed_responses` itself."""
    pages = []

    def make(viewport: str = "desktop", **options):
        pages.append(_watched_page(browser, live_server, viewport, **options))
        return pages[-1]

    yield make
    _close_and_check(*pages)


@pytest.fixture
def screenshot():
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    def take(page, name: str) -> None:
        page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)

    return take
