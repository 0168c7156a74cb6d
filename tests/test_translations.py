"""Every language is complete, and people get it: pages by the browser's
language or the switcher, form errors, emails in the request's language,
letters to LinkedIn in English unless the user chose their own language.

The catalog checks parse the .po files with the small reader below (no polib
dependency); GNU msgfmt --check runs too when it is installed, and must be
with REQUIRE_SERVICES=1."""

from __future__ import annotations

import ast
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.utils import timezone, translation

from requests_app import letters
from requests_app.emails import send_private_link_email
from requests_app.services import outbox as reminder_services
from requests_app.services import requests as request_services
from requests_app.tokens import token_issue
from tests.factories import DeletionRequestFactory
from tests.journey import post_step, you

LOCALE_DIR = Path(settings.BASE_DIR) / "locale"
TRANSLATED_LANGUAGES = [code for code, _name in settings.LANGUAGES if code != "en"]
PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|%%")


# --------------------------------------------------------------------------- a tiny .po reader


@dataclass
class Entry:
    line: int
    msgctxt: str | None = None
    msgid: str = ""
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)

    @property
    def label(self) -> str:
        context = f"[{self.msgctxt}] " if self.msgctxt is not None else ""
        return f"line {self.line}: {context}{self.msgid[:70]!r}"


_KEYWORD = re.compile(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+(".*")\s*$')


def _unquote(quoted: str) -> str:
    # A PO string is a C string literal; Python's literal syntax reads it the same way.
    return ast.literal_eval(quoted)


def parse_po(path: Path) -> list[Entry]:
    """The entries of a .po file, the header (msgid "") included; obsolete
    (#~) entries are left out."""
    entries: list[Entry] = []
    current: Entry | None = None
    flags: set[str] = set()
    target: tuple[str, int | None] | None = None  # which string continuation lines extend

    def finish():
        nonlocal current
        if current is not None:
            entries.append(current)
        current = None

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line:
            finish()
            target = None
            continue
        if line.startswith("#~"):
            continue
        if line.startswith("#,"):
            finish()
            flags = {flag.strip() for flag in line[2:].split(",") if flag.strip()}
            continue
        if line.startswith("#"):
            continue
        match = _KEYWORD.match(line)
        if match:
            keyword, index, quoted = match.groups()
            if keyword in ("msgctxt", "msgid") and current is not None and (current.msgstr or keyword == "msgctxt"):
                finish()
            if current is None:
                current = Entry(line=number, flags=flags)
                flags = set()
            value = _unquote(quoted)
            if keyword == "msgctxt":
                current.msgctxt = value
                target = ("msgctxt", None)
            elif keyword == "msgid":
                current.msgid = value
                target = ("msgid", None)
            elif keyword == "msgid_plural":
                current.msgid_plural = value
                target = ("msgid_plural", None)
            else:
                slot = int(index) if index is not None else 0
                current.msgstr[slot] = value
                target = ("msgstr", slot)
            continue
        if line.startswith('"') and current is not None and target is not None:
            value = _unquote(line)
            name, slot = target
            if name == "msgstr":
                current.msgstr[slot] += value
            else:
                setattr(current, name, getattr(current, name) + value)
            continue
        raise AssertionError(f"{path}:{number}: cannot read {raw!r}")
    finish()
    return entries


def header_fields(entries: list[Entry]) -> dict[str, str]:
    header = next((entry for entry in entries if entry.msgid == "" and entry.msgctxt is None), None)
    assert header is not None, "no header entry"
    fields = {}
    for line in header.msgstr.get(0, "").splitlines():
        if ":" in line:
            key, value = line.split(":", 1)
            fields[key.strip()] = value.strip()
    return fields


def catalog_path(language: str) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / "django.po"


def test_po_reader_reads_plurals_contexts_continuations_and_flags(tmp_path):
    po = tmp_path / "django.po"
    po.write_text(
        'msgid ""\nmsgstr ""\n"Language: de\\n"\n"Plural-Forms: nplurals=2; plural=(n != 1);\\n"\n\n'
        '#: a.py:1\n#, python-format\nmsgid "%(n)d day"\nmsgid_plural "%(n)d days"\n'
        'msgstr[0] "%(n)d Tag"\nmsgstr[1] ""\n"%(n)d Tage"\n\n'
        'msgctxt "footer"\nmsgid "of"\nmsgstr "von"\n\n'
        '#, fuzzy\nmsgid "Hello \\"you\\""\nmsgstr ""\n\n'
        '#~ msgid "gone"\n#~ msgstr "weg"\n',
        encoding="utf-8",
    )
    header, plural, context, fuzzy = parse_po(po)
    assert header_fields([header])["Language"] == "de"
    assert plural.msgid_plural == "%(n)d days" and plural.msgstr == {0: "%(n)d Tag", 1: "%(n)d Tage"}
    assert "python-format" in plural.flags
    assert (context.msgctxt, context.msgid, context.msgstr[0]) == ("footer", "of", "von")
    assert fuzzy.msgid == 'Hello "you"' and "fuzzy" in fuzzy.flags and fuzzy.msgstr == {0: ""}


# --------------------------------------------------------------------------- (a) catalogs


@pytest.mark.parametrize("language", TRANSLATED_LANGUAGES)
def test_catalog_exists_for_every_language_offered(language):
    assert catalog_path(language).is_file(), (
        f"settings.LANGUAGES offers {language!r} but {catalog_path(language)} is missing: "
        f"run `make messages` and translate it"
    )


@pytest.mark.parametrize("language", TRANSLATED_LANGUAGES)
def test_catalog_is_complete_with_no_fuzzy_or_broken_entry(language):
    path = catalog_path(language)
    if not path.is_file():
        pytest.fail(f"{path} is missing")
    entries = parse_po(path)
    header = header_fields(entries)
    problems = []
    if header.get("Language") != language:
        problems.append(f"header Language is {header.get('Language')!r}, not {language!r}")
    match = re.match(r"nplurals=(\d+);\s*plural=", header.get("Plural-Forms", ""))
    if not match:
        problems.append("header has no Plural-Forms")
    nplurals = int(match.group(1)) if match else 0
    messages = [entry for entry in entries if entry.msgid != "" or entry.msgctxt is not None]
    assert len(messages) > 50, f"{path} holds only {len(messages)} messages"
    for entry in entries:
        if "fuzzy" in entry.flags:
            problems.append(f"fuzzy: {entry.label}")
    for entry in messages:
        if entry.msgid_plural is not None:
            forms = [entry.msgstr.get(index, "") for index in range(nplurals)]
            if len(entry.msgstr) != nplurals:
                problems.append(f"{len(entry.msgstr)} plural forms instead of {nplurals}: {entry.label}")
            if not all(form.strip() for form in forms):
                problems.append(f"untranslated plural form: {entry.label}")
            allowed = set(PLACEHOLDER.findall(entry.msgid)) | set(PLACEHOLDER.findall(entry.msgid_plural))
            for form in forms:
                if not set(PLACEHOLDER.findall(form)) <= allowed:
                    problems.append(f"unknown placeholder in {form!r}: {entry.label}")
        else:
            text = entry.msgstr.get(0, "")
            if not text.strip():
                problems.append(f"untranslated: {entry.label}")
            elif sorted(PLACEHOLDER.findall(text)) != sorted(PLACEHOLDER.findall(entry.msgid)):
                problems.append(f"placeholders differ in {text!r}: {entry.label}")
    assert not problems, f"{path}:\n  " + "\n  ".join(problems)


# Without gettext the pure-Python check above still runs.
@pytest.mark.needs_package("gettext")
@pytest.mark.parametrize("language", TRANSLATED_LANGUAGES)
def test_catalog_passes_msgfmt_check(language, tmp_path):
    msgfmt = shutil.which("msgfmt")
    path = catalog_path(language)
    if not path.is_file():
        pytest.fail(f"{path} is missing")
    result = subprocess.run(
        [msgfmt, "--check", "--statistics", "-o", str(tmp_path / "django.mo"), str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "untranslated" not in output and "fuzzy" not in output, output


@pytest.mark.needs_package("gettext")
def test_catalogs_hold_every_string_of_the_current_source(tmp_path):
    """A string added to a template or to Python after the last `make messages`
    would silently stay English: extract afresh and compare."""
    base = Path(settings.BASE_DIR)
    for name in ("config", "requests_app", "templates"):
        shutil.copytree(base / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    shutil.copy(base / "manage.py", tmp_path / "manage.py")
    (tmp_path / "locale").mkdir()
    result = subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "xx", "-e", "html,txt,py", "--no-location"],
        cwd=tmp_path,
        env={**_subprocess_env(), "VAR_DIR": str(tmp_path / "var")},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    fresh = {(entry.msgctxt, entry.msgid) for entry in parse_po(tmp_path / "locale/xx/LC_MESSAGES/django.po")}
    fresh.discard((None, ""))
    assert len(fresh) > 50
    stale = {}
    for language in TRANSLATED_LANGUAGES:
        path = catalog_path(language)
        if not path.is_file():
            continue  # reported by test_catalog_exists_for_every_language_offered
        known = {(entry.msgctxt, entry.msgid) for entry in parse_po(path)}
        missing = sorted(fresh - known, key=str)
        if missing:
            stale[language] = missing
    assert not stale, "strings not in the catalogs yet (run `make messages` and translate them): " + "; ".join(
        f"{language}: {', '.join(repr(msgid[:60]) for _ctx, msgid in missing[:5])}"
        + (f" and {len(missing) - 5} more" if len(missing) > 5 else "")
        for language, missing in stale.items()
    )


def _subprocess_env() -> dict[str, str]:
    return {**os.environ, "DEBUG": "1"}


# --------------------------------------------------------------------------- (b) what people see


def tr(language: str, message: str) -> str:
    """The translation people must see, asserting that there is one."""
    with translation.override(language):
        text = translation.gettext(message)
    assert text != message, f"{message!r} is not translated into {language}"
    return text


def html_text(response) -> str:
    return response.content.decode()


@pytest.mark.django_db
def test_browser_language_german_gives_german_home_page_and_step_one(client):
    home = client.get("/", HTTP_ACCEPT_LANGUAGE="de-DE,de;q=0.9,en;q=0.5")
    page = html_text(home)
    assert '<html lang="de">' in page
    assert tr("de", "Get your data out of LinkedIn's AI training") in page
    assert "Holen Sie Ihre Daten" in page  # spelled out once, in case gettext itself were broken
    assert tr("de", "Start") in page

    step = client.get("/start/you/", HTTP_ACCEPT_LANGUAGE="de", follow=True)
    page = html_text(step)
    assert "Schritt 1 von 5" in page
    assert tr("de", "First name") in page
    assert tr("de", "Where do you live?") in page
    assert tr("de", "Next") in page
    # Nothing of the English step is left.
    assert "First name" not in page and "Step 1 of 5" not in page


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["fr", "es"])
def test_browser_language_french_and_spanish(client, language):
    page = html_text(client.get("/", HTTP_ACCEPT_LANGUAGE=language))
    assert f'<html lang="{language}">' in page
    assert tr(language, "Why switching the setting off is not enough") in page


@pytest.mark.django_db
def test_language_switcher_changes_the_language_and_keeps_it(client):
    page = html_text(client.get("/", HTTP_ACCEPT_LANGUAGE="de"))
    assert 'id="language-switcher"' in page and 'action="/i18n/setlang/"' in page

    response = client.post("/i18n/setlang/", {"language": "fr", "next": "/start/you/"}, HTTP_ACCEPT_LANGUAGE="de")
    assert response.status_code == 302
    assert response["Location"] == "/start/you/"
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "fr"

    # The choice beats the browser's language from now on.
    page = html_text(client.get("/start/you/", HTTP_ACCEPT_LANGUAGE="de", follow=True))
    assert '<html lang="fr">' in page
    assert "Étape 1 sur 5" in page
    assert tr("fr", "First name") in page
    assert '<option value="fr" lang="fr" selected>' in page

    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert "Step 1 of 5" in html_text(client.get("/start/you/", HTTP_ACCEPT_LANGUAGE="de", follow=True))


@pytest.mark.django_db
def test_form_errors_are_translated(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"
    client.get("/start/")
    response = post_step(client, "you", you(full_name="", country="US", subdivision="", language="es"))
    assert response.status_code == 200
    page = html_text(response)
    assert tr("es", "Please correct the highlighted fields below.") in page
    # Django's own message for a required field, from Django's Spanish catalog.
    with translation.override("es"):
        required = translation.gettext("This field is required.")
    assert required != "This field is required." and required in page
    # Ours, with the country name filled in (in Spanish too).
    assert "Elige tu estado o provincia" in page
    assert "Estados Unidos" in page
    assert "Please choose your state or province" not in page


@pytest.mark.django_db
def test_validator_messages_are_translated(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "de"
    client.get("/start/")
    response = post_step(client, "you", you(profile_url="https://example.com/in/anna", language="de"))
    assert response.status_code == 200
    page = html_text(response)
    assert "Nur Adressen auf linkedin.com sind erlaubt" in page
    assert "example.com" in page


@pytest.mark.django_db
def test_private_link_email_is_in_the_requests_language():
    request = DeletionRequestFactory(language="fr", full_name="Camille Durand", reminders_enabled=True)
    send_private_link_email(request=request, token=token_issue(request=request))
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    with translation.override("fr"):
        subject = translation.gettext("Your LinkedOut request %(reference)s: your private link") % {
            "reference": request.reference
        }
    assert message.subject == subject
    assert "Votre demande LinkedOut" in message.subject
    assert "Bonjour Camille Durand," in message.body
    assert tr("fr", "If you did not ask for this, you can ignore this email.") in message.body
    html = message.alternatives[0][0]
    assert re.search(r'<html lang="fr"[ >]', html)
    assert "Hello" not in message.body and "Hello" not in html


@pytest.mark.django_db
def test_letter_in_own_language_is_spanish_and_default_stays_english():
    own = DeletionRequestFactory(
        language="es", letter_language="own", country="ES", full_name="Lucía García", object_to_processing=True
    )
    with translation.override("en"):  # the reader's language, for the field labels
        built = letters.build_letters(own)
    assert built.letter.count("Estimados señores:") == 1
    assert "Atentamente,\nLucía García" in built.letter
    assert built.subject.startswith("Solicitud de supresión")
    # The texts for LinkedIn's form are in the letter language; the labels
    # saying which field each goes in are in the reader's (here English).
    details = {f.key: f.text for f in built.fields}["details"]
    assert "Please erase" not in details and "Mi cuenta:" in details
    assert [f.label for f in built.fields] == ["First name", "Last name", "Email address", "Details of your request"]
    assert "Dear Sir or Madam" not in built.letter and "Yours faithfully" not in built.letter
    # The law is named as Spanish writes it; the English letter keeps the English names.
    assert "artículo 17.1.c) del RGPD" in built.letter and "GDPR" not in built.letter

    default = DeletionRequestFactory(language="es", country="ES", full_name="Lucía García")
    assert default.letter_language == "en"
    built = letters.build_letters(default)
    assert "Dear Sir or Madam," in built.letter and "Yours faithfully," in built.letter
    assert built.subject.startswith("Request to erase my data from AI training")
    assert "Article 17(1)(c) GDPR" in built.letter
    assert "Estimados" not in built.letter and "Solicito" not in built.letter


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "salutation", "closing"),
    [
        ("de", "Sehr geehrte Damen und Herren,", "Mit freundlichen Grüßen"),
        ("fr", "Madame, Monsieur,", "Je vous prie d'agréer, Madame, Monsieur, l'expression de mes salutations"),
        ("es", "Estimados señores:", "Atentamente,"),
    ],
)
def test_letters_use_the_formal_register(language, salutation, closing):
    request = DeletionRequestFactory(language=language, letter_language="own", country="FR")
    letter = letters.build_letters(request).letter
    assert salutation in letter and closing in letter


@pytest.mark.django_db
def test_complaint_is_in_the_users_language_even_when_letters_are_english():
    request = DeletionRequestFactory(language="de", letter_language="en", country="DE", submitted_on=date(2026, 1, 5))
    complaints = letters.complaint_letters(request)
    assert complaints
    for complaint in complaints:
        assert "Beschwerde gegen" in complaint.text
        assert "Complaint against" not in complaint.text


@pytest.mark.django_db
@pytest.mark.parametrize("letter_language", ["en", "own"])
def test_reminder_email_speaks_german_and_carries_the_letter_in_the_letter_language(letter_language):
    created = datetime(2026, 1, 30, 12, 0, tzinfo=UTC)
    with time_machine.travel(created, tick=False):
        request = DeletionRequestFactory(
            created_at=created, language="de", letter_language=letter_language, ai_setting_off_on=date(2026, 1, 29)
        )
        request_services.request_confirm_email(request=request)
    request.refresh_from_db()
    request_services.request_mark_submitted(request=request, submitted_on=date(2026, 1, 31))
    mail.outbox.clear()
    with time_machine.travel(datetime(2026, 3, 3, 8, 1, tzinfo=UTC), tick=False):
        for reminder_id in reminder_services.sweep(now=timezone.now()):
            reminder_services.reminder_deliver(reminder_id=reminder_id)

    message = next(
        m for m in mail.outbox if m.subject == tr("de", "LinkedIn missed its deadline: send the follow-up letter")
    )
    assert f"Hallo {request.full_name}," in message.body
    assert tr("de", "Stop these reminders:") in message.body
    assert "LinkedIn hatte bis zum 2. März 2026 Zeit zu antworten" in message.body
    if letter_language == "own":
        assert "Sehr geehrte Damen und Herren," in message.body and "Dear Sir or Madam" not in message.body
    else:
        assert "Dear Sir or Madam," in message.body and "Sehr geehrte" not in message.body
