"""The pages people expect of a site: questions and answers, about and
imprint, privacy policy, accessibility statement, and the footer that links
them and the source code. The operator's identity comes from OPERATOR_FILE;
the privacy policy's periods from the settings and constants the code acts on."""

from __future__ import annotations

import html
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

from requests_app import dates, facts, site_operator
from requests_app.checks import operator_identity_check

pytestmark = pytest.mark.django_db

EXAMPLE = Path(settings.BASE_DIR) / "requests_app" / "data" / "operator.example.json"
PAGES = ["/faq/", "/about/", "/privacy/", "/accessibility/"]
LANGUAGES = [code for code, _name in settings.LANGUAGES]
NOT_FILLED_IN = "has not filled in who they are"


def text_of(response) -> str:
    """The page as a reader sees it: tags dropped, entities decoded, spaces collapsed."""
    without_tags = re.sub(r"<[^>]+>", " ", response.content.decode())
    return re.sub(r"\s+", " ", html.unescape(without_tags))


def write_operator(tmp_path: Path, **entries) -> str:
    path = tmp_path / "operator.json"
    path.write_text(json.dumps(entries), encoding="utf-8")
    return str(path)


@pytest.fixture
def configured(settings):
    settings.OPERATOR_FILE = str(EXAMPLE)
    return json.loads(EXAMPLE.read_text(encoding="utf-8"))


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("path", PAGES)
def test_every_page_opens_in_every_language(client, path, language):
    response = client.get(path, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    page = response.content.decode()
    assert f'<html lang="{language}">' in page
    with translation.override(language):
        # The footer in the visitor's language: the page went through the i18n machinery.
        assert translation.gettext("Laws and authorities") in page


def test_info_pages_are_public_and_may_be_cached(client):
    for path in PAGES:
        assert "no-store" not in client.get(path).get("Cache-Control", ""), path


def test_footer_links_every_info_page_and_the_source_code(client, settings):
    settings.SOURCE_CODE_URL = "https://code.example/linkedout"
    for path in ["/", "/laws/", "/link/", *PAGES]:
        footer = client.get(path).content.decode().split("<footer", 1)[1]
        for target in PAGES:
            assert f'href="{target}"' in footer, (path, target)
        assert 'href="https://code.example/linkedout"' in footer, path


def test_imprint_says_plainly_when_the_operator_has_not_filled_it_in(client):
    page = text_of(client.get("/about/"))
    assert NOT_FILLED_IN in page
    assert "Imprint" in page
    assert NOT_FILLED_IN in text_of(client.get("/privacy/"))
    assert NOT_FILLED_IN in text_of(client.get("/accessibility/"))


def test_imprint_shows_every_field_the_operator_configured(client, configured):
    page = text_of(client.get("/about/"))
    assert NOT_FILLED_IN not in page
    for value in (
        configured["name"],
        *configured["address_lines"],
        configured["email"],
        configured["phone"],
        configured["responsible_person"],
        configured["register"],
        configured["hosting_provider"]["name"],
    ):
        assert value in page, value
    assert 'href="mailto:kontakt@linkedout.example"' in client.get("/about/").content.decode()
    # No VAT number configured: no empty "VAT identification number" line.
    assert "VAT identification number" not in page


def test_imprint_shows_an_optional_vat_number_once_configured(client, settings, tmp_path):
    settings.OPERATOR_FILE = write_operator(
        tmp_path, name="Anna Nowak", address_lines=["Hauptstr. 5", "80331 München"], email="a@n.example",
        vat_id="DE123456789",
    )  # fmt: skip
    page = text_of(client.get("/about/"))
    assert "VAT identification number DE123456789" in page
    assert "Register entry" not in page


def test_privacy_policy_states_the_retention_periods_the_purge_uses(client, settings, monkeypatch):
    page = text_of(client.get("/privacy/"))
    assert f"deletes your personal data {settings.RETENTION_DAYS_AFTER_CLOSE} days later" in page
    assert f"personal data {settings.RETENTION_DAYS_INACTIVE} days after the last activity" in page

    settings.RETENTION_DAYS_AFTER_CLOSE = 45
    settings.RETENTION_DAYS_INACTIVE = 200
    settings.SESSION_COOKIE_AGE = 2 * 60 * 60
    monkeypatch.setattr(dates, "PURGE_WARNING_DAYS", 3)
    page = text_of(client.get("/privacy/"))
    assert "deletes your personal data 45 days later" in page
    assert "personal data 200 days after the last activity" in page
    assert "you get an email 3 days before that" in page
    assert "is kept, encrypted, for 2 hours, then deleted" in page
    assert "sessionid), set when you start the form, kept for 2 hours" in page
    assert "deletes it by itself 45 days after LinkedIn did what you asked, or 200 days" in text_of(client.get("/faq/"))


def test_privacy_policy_names_cookies_links_and_logs_as_the_code_sets_them(client, settings):
    settings.CSRF_COOKIE_AGE = 7 * 24 * 60 * 60
    settings.SESSION_COOKIE_NAME = "linkedout_session"
    page = text_of(client.get("/privacy/"))
    assert "A session cookie (linkedout_session), set when you start the form" in page
    assert "(csrftoken), kept for 7 days" in page
    assert "(django_language), only if you choose a language with the switcher, kept until you close" in page
    assert "works once, for 7 days; the links in reminder emails stop working after 60 days" in page
    assert "The operator has not said how long its server keeps logs." in page
    assert "The operator has not named its hosting provider." in page


def test_privacy_policy_names_the_configured_operator_processors_and_authority(client, configured):
    page = text_of(client.get("/privacy/"))
    assert NOT_FILLED_IN not in page
    assert configured["name"] in page and configured["email"] in page
    assert f"The site is hosted by {configured['hosting_provider']['name']}." in page
    assert f"The mail server is run for the operator by {configured['email_provider']['name']}." in page
    assert f"The operator keeps the logs for {configured['log_retention_days']} days." in page
    # The operator is in Berlin: the Berlin commissioner, from authorities.json.
    assert "The authority competent for this site's operator is:" in page
    assert "Berlin" in page.split("The authority competent for this site's operator is:", 1)[1]


def test_faq_answers_from_the_linkedin_facts_with_their_date(client):
    page = text_of(client.get("/faq/"))
    closure = facts.value("account_closure")
    assert f"within {closure['deletion_days']} days" in page
    assert facts.value("deletion_form")["name"] in page
    assert "does not affect training that has already taken place" in page
    assert "Facts about LinkedIn on this page last checked on" in page
    raw = client.get("/faq/").content.decode()
    assert f'href="{closure["url"]}"' in raw
    assert f'href="{facts.value("ai_setting")["url"]}"' in raw


def test_accessibility_statement_gives_status_date_contact_and_enforcement(client, configured):
    page = text_of(client.get("/accessibility/"))
    assert "partially conformant with the Web Content Accessibility Guidelines (WCAG) 2.2 at level AA" in page
    assert "This statement was made on Dec. 1, 2026." in page
    assert configured["accessibility"]["feedback_email"] in page
    # The default enforcement body, marked as not verified.
    assert "Marktüberwachungsstelle der Länder" in page
    assert "not verified" in page


def test_accessibility_feedback_falls_back_to_the_operator_email_and_enforcement_is_configurable(
    client, settings, tmp_path
):
    settings.OPERATOR_FILE = write_operator(
        tmp_path, name="X", address_lines=["Y"], email="hello@op.example", accessibility={"enforcement": None}
    )
    page = text_of(client.get("/accessibility/"))
    assert "write to hello@op.example" in page
    assert "The operator of this site has not named an enforcement body." in page


def test_a_production_instance_without_an_operator_gets_a_warning(settings, tmp_path):
    settings.DEBUG = False
    warnings = operator_identity_check()
    assert [warning.id for warning in warnings] == ["linkedout.W001"]
    assert "OPERATOR_FILE" in warnings[0].hint
    settings.OPERATOR_FILE = str(EXAMPLE)
    assert operator_identity_check() == []
    settings.DEBUG = True
    settings.OPERATOR_FILE = ""
    assert operator_identity_check() == []


@pytest.mark.parametrize(
    ("entries", "message"),
    [
        ({"contact_url": "javascript:alert(1)"}, "'contact_url' must start with https://"),
        ({"email": "not an address"}, "'email' must be an email address"),
        ({"address_lines": "Musterstraße 1"}, "'address_lines' must be a list of lines"),
        ({"log_retention_days": "two weeks"}, "'log_retention_days' must be null or a whole number"),
        ({"hosting_provider": {"address_lines": ["x"]}}, "hosting_provider: 'name' is missing"),
        ({"accessibility": {"statement_date": "1st of May"}}, "'statement_date' must be a date as YYYY-MM-DD"),
    ],
)
def test_a_wrong_operator_file_is_refused_with_the_field_named(tmp_path, entries, message):
    with pytest.raises(site_operator.OperatorFileError, match=re.escape(message)) as error:
        site_operator.load(write_operator(tmp_path, **entries))
    assert "OPERATOR_FILE operator.json" in str(error.value)


def test_a_missing_or_broken_operator_file_says_which(tmp_path):
    with pytest.raises(site_operator.OperatorFileError, match="cannot be read"):
        site_operator.load(str(tmp_path / "nowhere.json"))
    broken = tmp_path / "broken.json"
    broken.write_text("{ name: ", encoding="utf-8")
    with pytest.raises(site_operator.OperatorFileError, match=r"broken.json: not valid JSON \(line 1"):
        site_operator.load(str(broken))


def test_a_broken_operator_file_stops_the_app_at_start_with_the_field_named(tmp_path):
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DATABASE", "REDIS", "CELERY"))},
        "DEBUG": "1",
        "VAR_DIR": str(tmp_path),
        "OPERATOR_FILE": write_operator(tmp_path, name="X", contact_url="http://plain.example"),
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], env=env, cwd=settings.BASE_DIR, capture_output=True, text=True,
        timeout=120,
    )  # fmt: skip
    assert result.returncode != 0
    assert "OPERATOR_FILE operator.json: 'contact_url' must start with https://" in result.stderr
