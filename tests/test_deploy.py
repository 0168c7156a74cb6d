"""Deploy defaults that keep a production site safe: the web port is not
public, links do not follow a client's SCRIPT_NAME, private links are not
printed instead of sent, and the admin login is throttled."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.test import Client

from requests_app.services import requests as request_services
from requests_app.tokens import token_issue
from tests.factories import DeletionRequestFactory

ROOT = Path(__file__).resolve().parent.parent


def test_docker_compose_publishes_ports_on_loopback_only():
    text = (ROOT / "docker-compose.yml").read_text()
    published = re.findall(r"^\s+ports:\n((?:\s+- .*\n)+)", text, flags=re.MULTILINE)
    entries = [entry.strip().strip('"') for block in published for entry in re.findall(r"- (.*)", block)]
    assert entries, "no ports found"
    assert any(entry.endswith(":8000") for entry in entries)
    for entry in entries:
        assert entry.split("#")[0].strip().strip('"').startswith("127.0.0.1:"), entry


@pytest.mark.django_db
@pytest.mark.parametrize("environ", [{"SCRIPT_NAME": "/evil.example"}, {"HTTP_SCRIPT_NAME": "/evil.example"}])
def test_a_client_sent_script_name_changes_no_link(environ):
    request = DeletionRequestFactory()
    request_services.request_mark_submitted(request=request, submitted_on=date.today(), case_number="")
    token = token_issue(request=request)
    client = Client()
    page = client.get(f"/r/{token}/", **environ)
    assert page.status_code == 200
    html = page.content.decode()
    assert f'href="/r/{token}/letter/"' in html
    assert "evil.example" not in html
    calendar = client.get(f"/r/{token}/deadlines.ics", **environ).content.decode()
    # The calendar's (read-only) link is built on SITE_URL alone.
    assert re.search(rf"{re.escape(settings.SITE_URL)}/r/[\w-]+/", calendar.replace("\r\n ", ""))
    assert "evil.example" not in calendar


def start(**env: str) -> subprocess.CompletedProcess:
    environ = {
        **{k: v for k, v in os.environ.items() if k not in ("ALLOW_UNSENT_EMAIL", "EMAIL_URL", "DEBUG")},
        "SECRET_KEY": secrets.token_urlsafe(50),
        **env,
    }
    code = "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'config.settings'); django.setup()"
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=environ, capture_output=True, text=True)


@pytest.mark.parametrize(
    "email_url", ["consolemail://", "memorymail://", "filemail:///tmp/linkedout-mail", "outboxmail://", ""]
)
def test_production_refuses_to_start_with_an_email_backend_that_does_not_send(email_url):
    env = {"DEBUG": "0"} | ({"EMAIL_URL": email_url} if email_url else {})
    refused = start(**env)
    assert refused.returncode != 0
    assert "ImproperlyConfigured" in refused.stderr
    assert "Set EMAIL_URL to your SMTP server" in refused.stderr and "ALLOW_UNSENT_EMAIL=1" in refused.stderr


@pytest.mark.parametrize(
    "env",
    [
        {"DEBUG": "0", "EMAIL_URL": "smtp://127.0.0.1:25"},
        {"DEBUG": "0", "EMAIL_URL": "consolemail://", "ALLOW_UNSENT_EMAIL": "1"},
        {"DEBUG": "1"},
    ],
)
def test_it_starts_with_smtp_an_explicit_opt_in_or_in_development(env):
    started = start(**env)
    assert started.returncode == 0, started.stderr[-2000:]


@pytest.mark.django_db
def test_admin_login_is_throttled_with_a_clear_message():
    User.objects.create_superuser("operator", "op@example.org", "a-long-password-123")
    guesser = Client(REMOTE_ADDR="198.51.100.7")
    for attempt in range(10):
        response = guesser.post("/admin/login/", {"username": "operator", "password": f"guess-{attempt}"})
        assert response.status_code == 200, attempt
    blocked = guesser.post("/admin/login/", {"username": "operator", "password": "a-long-password-123"})
    assert blocked.status_code == 429
    assert "Too many attempts" in blocked.content.decode()
    # Reading the page is not an attempt; the operator elsewhere still gets in.
    assert guesser.get("/admin/login/").status_code == 200
    operator = Client(REMOTE_ADDR="203.0.113.9")
    response = operator.post("/admin/login/", {"username": "operator", "password": "a-long-password-123"})
    assert response.status_code == 302
