"""A calm `make run`: links follow PORT, emails land in the development
outbox (a DEBUG-only page) instead of the log, a reminder can be made due now
to watch it arrive, the launcher prints the address last and stops cleanly on
Ctrl-C, and a missing system package names its apt command."""

from __future__ import annotations

import os
import pty
import re
import secrets
import select
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.utils import timezone

from requests_app import system
from requests_app.dev_outbox import outbox_list, outbox_message
from requests_app.models import Reminder
from requests_app.services import outbox
from requests_app.services import requests as request_services
from tests.conftest import needs_pdf, require, require_packages
from tests.factories import DeletionRequestFactory
from tests.smtp_sink import free_port

ROOT = Path(__file__).resolve().parent.parent
OUTBOX_BACKEND = "requests_app.dev_outbox.OutboxEmailBackend"


def settings_in_a_fresh_process(*names: str, **env: str) -> subprocess.CompletedProcess:
    environ = {
        **{k: v for k, v in os.environ.items() if k not in ("PORT", "SITE_URL", "EMAIL_URL", "DEBUG")},
        "DEBUG": "1",
        **env,
    }
    code = "from django.conf import settings; print(" + ", ".join(f"settings.{name}" for name in names) + ")"
    return subprocess.run(
        [sys.executable, "manage.py", "shell", "-v0", "-c", code], cwd=ROOT, env=environ, capture_output=True, text=True
    )


# --------------------------------------------------------------------------- settings


def test_links_follow_the_port_unless_site_url_is_set():
    assert settings_in_a_fresh_process("SITE_URL", PORT="8500").stdout.split() == ["http://127.0.0.1:8500"]
    assert settings_in_a_fresh_process("SITE_URL").stdout.split() == ["http://127.0.0.1:8000"]
    # Production names its address; the port it listens on changes no link.
    named = settings_in_a_fresh_process("SITE_URL", PORT="8500", SITE_URL="https://linkedout.example/")
    assert named.stdout.split() == ["https://linkedout.example"]


def test_a_bad_port_is_refused_in_one_sentence():
    refused = settings_in_a_fresh_process("SITE_URL", PORT="85OO")
    assert refused.returncode != 0
    assert refused.stderr.strip() == "LinkedOut cannot start: PORT must be a port number from 1 to 65535, not '85OO'."


def test_development_keeps_emails_in_the_outbox_by_default():
    assert settings_in_a_fresh_process("EMAIL_BACKEND").stdout.split() == [OUTBOX_BACKEND]


# --------------------------------------------------------------------------- the outbox


@pytest.fixture
def dev_outbox(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    settings.EMAIL_BACKEND = OUTBOX_BACKEND
    return tmp_path / "outbox"


def send_private_link() -> str:
    request = DeletionRequestFactory(email="anna@example.org", email_confirmed_at=timezone.now())
    outbox.email_now(request)
    row = request.reminders.get(kind="private_link")
    assert outbox.reminder_deliver(reminder_id=row.pk) == "sent"
    return request.reference


@needs_pdf
@pytest.mark.django_db
def test_the_outbox_backend_keeps_the_email_with_its_html_and_receipt(dev_outbox, settings, caplog):
    settings.DEBUG = True
    with caplog.at_level("INFO", logger="requests_app.dev_outbox"):
        reference = send_private_link()

    [listed] = outbox_list()
    assert listed.to == "anna@example.org"
    assert reference in listed.subject and listed.date is not None
    email = outbox_message(listed.id)
    assert f"{settings.SITE_URL}/r/" in email.text
    assert f'href="{settings.SITE_URL}/r/' in email.html
    [receipt] = email.attachments
    assert receipt.filename == f"{reference}-receipt.pdf" and receipt.content_type == "application/pdf"
    assert receipt.content.startswith(b"%PDF")
    assert [path.suffix for path in dev_outbox.iterdir()] == [".eml"]
    # One line in the log, pointing at the page, instead of the whole message
    # (the address redacted, as in every log line).
    [line] = [record.getMessage() for record in caplog.records]
    assert line == f"email to <email>: {listed.subject} — see {settings.SITE_URL}/dev/outbox/"


@pytest.mark.django_db
def test_the_outbox_page_lists_each_email_and_shows_its_parts_in_debug(dev_outbox, settings, client):
    settings.DEBUG = True
    request = DeletionRequestFactory(email="anna@example.org")
    outbox.email_now(request)  # unconfirmed: the confirmation email, no attachment
    assert outbox.reminder_deliver(reminder_id=request.reminders.get().pk) == "sent"
    [listed] = outbox_list()

    page = client.get("/dev/outbox/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "anna@example.org" in html and f'href="/dev/outbox/{listed.id}/"' in html
    # The site's own policy, as strict as on every page.
    assert "script-src 'self'" in page["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in page["Content-Security-Policy"]
    assert "no-store" in page["Cache-Control"]

    message = client.get(f"/dev/outbox/{listed.id}/").content.decode()
    assert f'src="/dev/outbox/{listed.id}/html"' in message and "sandbox=" in message
    assert "/r/" in message  # the text part, with the confirmation link

    part = client.get(f"/dev/outbox/{listed.id}/html")
    assert part.status_code == 200
    policy = part["Content-Security-Policy"]
    assert "default-src 'none'" in policy and "sandbox" in policy and "frame-ancestors 'self'" in policy
    assert "script-src" not in policy and "'self'" not in policy.replace("frame-ancestors 'self'", "")
    assert part["X-Frame-Options"] == "SAMEORIGIN"
    body = part.content.decode()
    assert body.lower().startswith("<!doctype html>") and '<base target="_top">' in body and "/r/" in body


@needs_pdf
@pytest.mark.django_db
def test_an_attachment_downloads_from_the_outbox(dev_outbox, settings, client):
    settings.DEBUG = True
    reference = send_private_link()
    [listed] = outbox_list()
    page = client.get(f"/dev/outbox/{listed.id}/").content.decode()
    assert f'href="/dev/outbox/{listed.id}/attachments/1"' in page
    download = client.get(f"/dev/outbox/{listed.id}/attachments/1")
    assert download.status_code == 200
    assert download["Content-Disposition"] == f'attachment; filename="{reference}-receipt.pdf"'
    assert download.content.startswith(b"%PDF")
    assert client.get(f"/dev/outbox/{listed.id}/attachments/2").status_code == 404


@pytest.mark.django_db
def test_the_outbox_pages_are_404_without_debug(dev_outbox, settings, client):
    settings.DEBUG = True
    outbox.email_now(DeletionRequestFactory())
    assert outbox.reminder_deliver(reminder_id=Reminder.objects.get().pk) == "sent"
    [listed] = outbox_list()
    settings.DEBUG = False
    for path in ("/dev/outbox/", f"/dev/outbox/{listed.id}/", f"/dev/outbox/{listed.id}/html"):
        assert client.get(path).status_code == 404, path
    settings.DEBUG = True
    assert client.get("/dev/outbox/20260101T000000000000-00000000/").status_code == 404
    assert client.get("/dev/outbox/..%2F..%2Fdb.sqlite3/").status_code == 404


# --------------------------------------------------------------------------- a reminder due now


@pytest.mark.django_db
def test_a_reminder_made_due_now_is_sent_by_the_next_sweep(capsys):
    request = DeletionRequestFactory()
    request_services.request_confirm_email(request=request)
    next_row = request.reminders.exclude(kind="private_link").filter(state="pending").first()
    assert next_row.due_at > timezone.now()

    call_command("reminders_due_now", request.reference.lower())

    assert "is due now" in capsys.readouterr().out
    mail.outbox.clear()
    for reminder_id in outbox.sweep():
        outbox.reminder_deliver(reminder_id=reminder_id)
    sent = request.reminders.filter(state="sent").exclude(kind="private_link")
    assert [row.kind for row in sent] == [next_row.kind]
    assert [message.to for message in mail.outbox if "private link" not in message.subject] == [[request.email]]


@pytest.mark.django_db
def test_reminders_due_now_says_why_nothing_can_be_made_due():
    with pytest.raises(CommandError, match="No request has the reference LO-NONE-NONE."):
        call_command("reminders_due_now", "LO-NONE-NONE")
    unconfirmed = DeletionRequestFactory()
    with pytest.raises(CommandError, match="no pending reminder. Reminders start once the address is confirmed"):
        call_command("reminders_due_now", unconfirmed.reference)


# --------------------------------------------------------------------------- the launcher


ANSI_COLOUR = re.compile(r"\x1b\[[0-9;]*m")


class Terminal:
    """A program run in a pseudo-terminal of its own, as in a shell window:
    Ctrl-C there is the terminal sending SIGINT to the whole foreground job
    (make, its shell if any, the launcher)."""

    def __init__(self, args: list[str], env: dict[str, str]) -> None:
        self.pid, self.fd = pty.fork()
        if self.pid == 0:  # the child: nothing but exec
            os.chdir(ROOT)
            os.execvpe(args[0], args, env)
        self.output = ""

    def read_until(self, text: str, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while text not in self.output and time.monotonic() < deadline:
            if select.select([self.fd], [], [], 0.2)[0]:
                try:
                    chunk = os.read(self.fd, 65536)
                except OSError:  # the program ended
                    return text in self.output
                if not chunk:
                    break
                self.output += ANSI_COLOUR.sub("", chunk.decode("utf-8", "replace")).replace("\r\n", "\n")
        return text in self.output

    def press_ctrl_c(self) -> None:
        os.write(self.fd, b"\x03")

    def wait(self, timeout: float) -> int:
        self.read_until("\0never", timeout)  # until the program ends or the time is up
        finished, status = os.waitpid(self.pid, os.WNOHANG)
        if not finished:
            os.kill(self.pid, signal.SIGKILL)
            _, status = os.waitpid(self.pid, 0)
        os.close(self.fd)
        return status


def test_make_run_says_where_it_answers_last_and_stops_cleanly_on_ctrl_c(tmp_path):
    """`DEBUG=0 make run`, in a terminal: it must serve its static files too."""
    require(shutil.which("make") is not None, "make", "apt-get install make")
    port = free_port()
    env = {
        **{k: v for k, v in os.environ.items() if k not in ("SITE_URL", "EMAIL_URL")},
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOW_UNSENT_EMAIL": "1",
        "PORT": str(port),
        "VAR_DIR": str(tmp_path),
        # Beat sweeps when it starts; no periodic sweep logs while we look.
        "SWEEP_INTERVAL_SECONDS": "3600",
    }
    # The suite runs after `make install`: not again here.
    terminal = Terminal(["make", "--no-print-directory", "-o", ".venv/.installed-stamp", "run"], env)
    address = f"http://127.0.0.1:{port}/"
    try:
        assert terminal.read_until(f"LinkedOut is ready at {address}", timeout=180), terminal.output
        with urllib.request.urlopen(address, timeout=10) as home:
            html = home.read().decode()
        stylesheet = re.search(r'href="(/static/css/app\.[0-9a-f]+\.css)"', html)
        assert stylesheet, "static files are not collected (no hashed name)"
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{stylesheet.group(1)}", timeout=10) as css:
            assert css.status == 200
        terminal.read_until("\0never", timeout=1.5)
        ready_and_after = terminal.output[terminal.output.index("LinkedOut is ready at") :]
        terminal.press_ctrl_c()
    finally:
        status = terminal.wait(timeout=60)
    output = terminal.output
    # Nothing was printed between the ready line and the Ctrl-C.
    assert ready_and_after.splitlines()[1:] == [
        f"  Emails land in {tmp_path / 'outbox'} (the /dev/outbox/ page needs DEBUG=1)",
        "  Ctrl-C stops web, worker, sweeper, beat",
        "",
    ], output
    assert output.rstrip().endswith("system  | stopped"), output
    assert "make: ***" not in output and "ERROR" not in output and "Traceback" not in output, output
    # make ends as a program does on Ctrl-C (the shell prints nothing for that).
    assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGINT, output


# --------------------------------------------------------------------------- system packages


def test_every_system_package_has_a_check():
    assert set(system.apt_packages("runtime", "test")) == set(system.PACKAGE_CHECKS)


def test_a_missing_package_is_named_with_its_apt_command(monkeypatch):
    # A font no machine has: fc-list is asked for real.
    monkeypatch.setitem(system.PACKAGE_CHECKS, "fonts-noto-klingon", system.Fonts(("Noto Sans Klingon",)))
    problem = system.package_problem("fonts-noto-klingon")
    assert problem.startswith("fonts-noto-klingon is missing (")
    assert problem.endswith("install it with: sudo apt-get install fonts-noto-klingon")
    # On a plain machine (not REQUIRE_SERVICES=1, as CI runs it): skipped, not failed.
    monkeypatch.setattr("tests.conftest.REQUIRE_SERVICES", False)
    with pytest.raises(pytest.skip.Exception, match="sudo apt-get install fonts-noto-klingon"):
        require_packages("fonts-noto-core", "fonts-noto-klingon")


def test_with_require_services_a_missing_package_fails_instead(monkeypatch):
    monkeypatch.setitem(system.PACKAGE_CHECKS, "klingon-tools", system.Program(("tlhIngan-check",)))
    monkeypatch.setattr("tests.conftest.REQUIRE_SERVICES", True)
    with pytest.raises(pytest.fail.Exception, match=r"klingon-tools is missing \(tlhIngan-check is not on PATH\)"):
        require_packages("klingon-tools")
