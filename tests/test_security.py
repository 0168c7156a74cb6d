"""Security and privacy: deploy checks, headers, encryption at rest, logs,
CSRF, admin masking, erase leaving nothing behind, hostile input."""

from __future__ import annotations

import logging
import os
import re
import secrets
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import time_machine
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client

from requests_app.models import DeletionRequest, StoredReceipt
from requests_app.services import links
from requests_app.services import requests as request_services
from requests_app.tokens import token_issue
from tests.conftest import needs_pdf, token_from_url
from tests.journey import complete_journey, post_step, step_data, what, you

ROOT = Path(__file__).resolve().parent.parent
NAME, EMAIL = "Zofia Wiśniewska", "zofia.private@example.org"
URL, CASE = "https://www.linkedin.com/posts/zofia-secret-post", "CASE-771234"


def test_production_settings_pass_check_deploy_without_warnings(tmp_path):
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DATABASE", "REDIS", "CELERY", "DJANGO_ALLOW"))},
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "SECURE_SSL_REDIRECT": "1",
        "SECURE_HSTS_SECONDS": "31536000",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": "1",
        "SECURE_HSTS_PRELOAD": "1",
        "BEHIND_HTTPS_PROXY": "1",
        # An operator who filled in the imprint (otherwise linkedout.W001).
        "OPERATOR_FILE": str(ROOT / "requests_app" / "data" / "operator.example.json"),
        "VAR_DIR": str(tmp_path),
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/start/you/", "/link/", "/healthz"])
def test_every_page_sends_strict_security_headers(client, path):
    response = client.get(path)
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "'unsafe-inline'" not in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"


def create(client: Client) -> tuple[str, DeletionRequest]:
    response = complete_journey(
        client,
        you_fields=you(full_name=NAME, email=EMAIL, profile_url="https://www.linkedin.com/in/zofia-w"),
        what_fields=what(specific_urls=URL),
    )
    token = token_from_url(response["Location"])
    request = DeletionRequest.objects.get()
    request_services.request_mark_submitted(request=request, submitted_on=date.today(), case_number=CASE)
    return token, request


def all_text_in_database() -> str:
    """Every text-like value of every table, as stored."""
    chunks = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f'SELECT * FROM "{table}"')  # table names come from introspection
            for row in cursor.fetchall():
                chunks.extend(str(value) for value in row if value is not None)
    return "\n".join(chunks)


@pytest.mark.django_db
def test_personal_data_is_encrypted_at_rest(client):
    create(client)
    stored = all_text_in_database()
    for secret in (NAME, EMAIL, URL, CASE, "zofia-w"):
        assert secret not in stored
    # ... and reads back in clear through the model.
    request = DeletionRequest.objects.get()
    assert (request.full_name, request.email, request.specific_urls, request.linkedin_case_number) == (
        NAME,
        EMAIL,
        [URL],
        CASE,
    )


@needs_pdf
@pytest.mark.django_db
def test_erase_leaves_no_personal_data_in_any_table(client):
    token, request = create(client)
    client.get(f"/r/{token}/receipt.pdf")
    client.post(f"/r/{token}/erase/", {"confirm": "on"})
    stored = all_text_in_database()
    request.refresh_from_db()
    for value in (request.full_name, request.email, request.profile_url, request.linkedin_case_number):
        assert value == ""
    assert request.specific_urls == []
    with connection.cursor() as cursor:
        cursor.execute("SELECT full_name, email, profile_url, linkedin_case_number FROM requests_app_deletionrequest")
        assert cursor.fetchall() == [(None, None, None, None)]
    assert EMAIL not in stored and links.email_digest(EMAIL) not in stored
    # The stored PDF went with it.
    assert not StoredReceipt.objects.exists()


@pytest.mark.django_db
def test_logs_of_a_whole_journey_hold_no_personal_data(client, caplog):
    caplog.set_level(logging.DEBUG)
    token, request = create(client)
    client.get(f"/r/{token}/")
    client.get(f"/r/{token}-wrong/")
    client.post(f"/r/{token}/answered/", {"answer-outcome": "done", "answer-answered_on": date.today().isoformat()})
    client.post("/link/", {"email": EMAIL})
    client.post(f"/r/{token}/erase/", {"confirm": "on"})
    text = "\n".join(record.getMessage() for record in caplog.records)
    for secret in (NAME, EMAIL, token, CASE, URL):
        assert secret not in text


def test_token_in_a_logged_path_is_redacted(caplog):
    from requests_app.log_filters import RedactTokens

    record = logging.LogRecord(
        "django.request", logging.ERROR, __file__, 1, "Internal Server Error: %s", ("/r/s3cr3t-token/letter.txt",), None
    )
    RedactTokens().filter(record)
    assert "s3cr3t" not in record.getMessage()


@pytest.mark.django_db
def test_csrf_is_enforced_on_state_changing_forms():
    request = DeletionRequest.objects.create(
        reference="LO-TEST-0001", country="DE", regime_code="gdpr", full_name="A", email="a@example.org"
    )
    token = token_issue(request=request)
    client = Client(enforce_csrf_checks=True)
    assert client.post("/start/you/", step_data("you", you())).status_code == 403
    assert client.post("/link/", {"email": "a@example.org"}).status_code == 403
    for path in ("submitted/", "extended/", "answered/", "ai-setting/", "erase/", "reminders/", "confirm-email/"):
        assert client.post(f"/r/{token}/{path}", {}).status_code == 403, path
    request.refresh_from_db()
    assert request.status == "created" and not request.is_erased


@pytest.mark.django_db
def test_admin_needs_login_and_masks_personal_data(client):
    token, request = create(client)
    assert client.get("/admin/requests_app/deletionrequest/").status_code == 302
    admin = User.objects.create_superuser("operator", "op@example.org", "a-long-password-123")
    client.force_login(admin)
    listing = client.get("/admin/requests_app/deletionrequest/").content.decode()
    detail = client.get(f"/admin/requests_app/deletionrequest/{request.pk}/change/").content.decode()
    assert request.reference in listing
    for page in (listing, detail):
        assert NAME not in page and EMAIL not in page and CASE not in page


@pytest.mark.django_db
def test_wrong_token_404_looks_like_any_other_404(client):
    create(client)
    client = Client()
    wrong = client.get("/r/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA/")
    other = client.get("/no-such-page/")
    assert wrong.status_code == other.status_code == 404

    def normalise(response) -> str:
        # Only the CSRF token and the language switcher's "next" path differ.
        html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())
        return re.sub(r'name="next" type="hidden" value="[^"]+"', "", html)

    assert normalise(wrong) == normalise(other)


@pytest.mark.django_db
@pytest.mark.parametrize("field", list(you()))
def test_100kb_input_in_any_field_gets_a_message_not_a_500(client, field):
    client.get("/start/")
    response = post_step(client, "you", you(**{field: "x" * 100_000}))
    assert response.status_code == 200
    assert DeletionRequest.objects.count() == 0


@pytest.mark.django_db
def test_invalid_utf8_body_is_handled(client):
    client.get("/start/")
    body = b"start_wizard-current_step=you&you-full_name=%FF%FE%80&you-email=a%40b.c"
    response = client.post("/start/you/", body, content_type="application/x-www-form-urlencoded")
    assert response.status_code in (200, 400)


@pytest.mark.django_db
def test_creating_requests_is_rate_limited_per_ip(monkeypatch):
    from requests_app import wizard

    monkeypatch.setattr(wizard, "CREATE_RATE", "2/h")
    for _ in range(2):
        assert complete_journey(Client()).status_code == 302
    third = Client()
    third.get("/start/")
    for step, fields in (
        ("you", you()),
        ("what", what()),
        ("ai-setting", {"status": "not_yet"}),
        ("reminders", {"reminders_enabled": "no"}),
    ):
        post_step(third, step, fields)
    key = third.get("/start/review/").context["form"].initial["creation_key"]
    response = post_step(third, "review", {"creation_key": key})
    assert response.status_code == 429
    assert DeletionRequest.objects.count() == 2


@pytest.mark.django_db
def test_daily_task_drops_half_finished_forms_older_than_a_day(client):
    from django.contrib.sessions.models import Session

    from requests_app.tasks import purge_expired

    client.get("/start/")
    post_step(client, "you", you(full_name=NAME))
    assert Session.objects.count() == 1
    purge_expired()
    assert Session.objects.count() == 1
    with time_machine.travel(datetime.now(tz=UTC) + timedelta(days=2)):
        purge_expired()
    assert Session.objects.count() == 0


@pytest.mark.django_db
def test_key_rotation_keeps_data_readable_and_findable_by_email(settings):
    from django.core.management import call_command

    from tests.factories import DeletionRequestFactory

    request = DeletionRequestFactory(full_name=NAME, email=EMAIL)
    old_key = settings.SECRET_KEY
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = "a-brand-new-secret-key-for-rotation-0123456789", [old_key]
    settings.EMAIL_LOOKUP_KEY = settings.SECRET_KEY
    # Field keys are cached per field; drop them so the new key is used.
    for field in DeletionRequest._meta.fields:
        field.__dict__.pop("keys", None)
        field.__dict__.pop("f", None)
    try:
        call_command("reencrypt", verbosity=0)
        settings.SECRET_KEY_FALLBACKS = []
        for field in DeletionRequest._meta.fields:
            field.__dict__.pop("keys", None)
            field.__dict__.pop("f", None)
        reloaded = DeletionRequest.objects.get(pk=request.pk)
        assert (reloaded.full_name, reloaded.email) == (NAME, EMAIL)
        assert DeletionRequest.objects.filter(email_digest=links.email_digest(EMAIL)).exists()
    finally:
        for field in DeletionRequest._meta.fields:
            field.__dict__.pop("keys", None)
            field.__dict__.pop("f", None)
