"""Shared fixtures. REQUIRE_SERVICES=1 (CI) turns any missing service,
browser or system package into a failure at start, never a skip.

A test that needs a Debian package of system-packages.txt says so with
`@pytest.mark.needs_package("fonts-noto-cjk")` (`needs_pdf` for the PDF
libraries): without the package it is skipped, with a message naming the
package and the apt command that installs it; the other tests run."""

from __future__ import annotations

import os
import re

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.management import call_command
from django.utils import translation

from requests_app.system import (
    PDF_LIBRARIES,
    apt_install_command,
    missing_packages,
    missing_system_libraries,
    package_problem,
)

REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"


def require(available: bool, what: str, install_hint: str) -> None:
    """The services gate for one test: when `what` is not available the test
    is skipped, or fails with REQUIRE_SERVICES=1 (CI), where nothing may be
    skipped."""
    if available:
        return
    message = f"{what} is not installed ({install_hint})"
    if REQUIRE_SERVICES:
        pytest.fail(f"{message}, and REQUIRE_SERVICES=1 requires it")
    pytest.skip(message)


def require_packages(*packages: str) -> None:
    """The same gate for packages of system-packages.txt: the message names
    each missing one, why it looks missing and the apt command."""
    problems = [problem for problem in map(package_problem, packages) if problem]
    if not problems:
        return
    message = "; ".join(problems)
    if REQUIRE_SERVICES:
        pytest.fail(f"{message}, and REQUIRE_SERVICES=1 requires it")
    pytest.skip(message)


# The libraries every PDF (receipt, complaint pack) needs.
needs_pdf = pytest.mark.needs_package(*PDF_LIBRARIES)


def pytest_runtest_setup(item):
    for marker in item.iter_markers("needs_package"):
        require_packages(*marker.args)


def _service_problems() -> list[str]:
    problems = []
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        problems.append("DATABASE_URL does not point at PostgreSQL")
    if not settings.REDIS_URL or not settings.CELERY_BROKER_URL.startswith("redis"):
        problems.append("REDIS_URL is not set to a Redis server")
    else:
        import redis

        try:
            redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2).ping()
        except redis.RedisError as error:
            problems.append(f"Redis is unreachable: {error}")
    problems.extend(package_problem(package) for package in missing_packages("runtime", "test"))
    problems.extend(
        f"missing system library: {name}" for name in missing_system_libraries() if name not in PDF_LIBRARIES
    )
    return problems


def pytest_sessionstart(session):
    if REQUIRE_SERVICES:
        problems = _service_problems()
        if problems:
            pytest.exit("REQUIRE_SERVICES=1 but: " + "; ".join(problems), returncode=3)


def pytest_report_header(config):
    db = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    broker = settings.CELERY_BROKER_URL.split("://", 1)[0]
    header = [f"linkedout: database={db} broker={broker} require_services={REQUIRE_SERVICES}"]
    missing = missing_packages("runtime", "test")
    if missing:
        header.append(
            f"missing system packages: {', '.join(missing)} (the tests that need them are skipped); "
            f"install them with: {apt_install_command(missing)}"
        )
    return header


@pytest.fixture(scope="session", autouse=True)
def _static_files():
    # Pages are rendered as in production: hashed static names need a manifest.
    call_command("collectstatic", "--noinput", verbosity=0)


@pytest.fixture(autouse=True)
def _fresh_cache():
    # Rate-limit counters live in the cache; each test starts with none.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _no_receipt_worker(settings):
    # No Celery worker runs beside the suite (and on_commit callbacks do not
    # fire inside a test's transaction): a download would wait for a render
    # nobody was asked for. Tests of that wait set the setting themselves.
    settings.RECEIPT_WORKER_WAIT_SECONDS = 0


@pytest.fixture(autouse=True)
def _default_language():
    # A page in another language leaves that language active in the thread;
    # the next test starts in the site's default, as a new request would.
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


TOKEN_URL = re.compile(r"/r/([A-Za-z0-9_-]+)/")


def token_from_url(url: str) -> str:
    match = TOKEN_URL.search(url)
    assert match, url
    return match.group(1)
