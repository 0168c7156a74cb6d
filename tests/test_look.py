"""What every page carries (the mark, the icon, both colour schemes), pages
whose markup holds together, and the letter shown before the request exists."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders

from requests_app import letters
from requests_app.models import DeletionRequest

from .conftest import token_from_url
from .journey import complete_journey, post_step, what, you

pytestmark = pytest.mark.django_db

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class _Balance(HTMLParser):
    """Every element closed in the order it was opened (what a stray </div> breaks)."""

    def __init__(self):
        super().__init__()
        self.open: list[tuple[str, int]] = []
        self.problems: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag not in VOID:
            self.open.append((tag, self.getpos()[0]))

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        if not self.open or self.open[-1][0] != tag:
            innermost = self.open[-1] if self.open else "nothing"
            self.problems.append(f"</{tag}> at line {self.getpos()[0]} closes {innermost}")
            # Recover: pop to the matching tag if there is one.
            while self.open and self.open[-1][0] != tag:
                self.open.pop()
        if self.open:
            self.open.pop()


def assert_balanced(markup: str) -> None:
    parser = _Balance()
    parser.feed(markup)
    parser.close()
    assert parser.problems == [], parser.problems[:5]
    assert [tag for tag, _line in parser.open] == [], parser.open


def test_every_page_carries_the_mark_the_icon_and_both_colour_schemes(client):
    page = client.get("/").content.decode()
    assert 'rel="icon"' in page and "favicon" in page
    assert re.search(r'<img src="[^"]*logo[^"]*\.svg" alt=""', page)
    assert '<meta name="color-scheme" content="light dark">' in page
    for name in ("favicon.svg", "img/logo.svg"):
        path = finders.find(name)
        assert path and Path(path).read_text().lstrip().startswith("<svg")
    css = Path(finders.find("css/app.css")).read_text()
    assert "@media (prefers-color-scheme: dark)" in css and "@media print" in css


def test_the_home_page_puts_start_in_its_first_section(client):
    page = client.get("/").content.decode()
    hero = page[page.index('<section class="hero"') : page.index("</section>")]
    assert 'data-testid="start"' in hero
    assert_balanced(page)


def test_the_request_page_holds_together_in_every_state(client):
    # The AI setting still on is the most common state: it has its own form.
    response = complete_journey(client, ai={"status": "not_yet"})
    token = token_from_url(response.url)
    assert_balanced(client.get(f"/r/{token}/").content.decode())
    client.post(f"/r/{token}/submitted/", {"submitted_on": "2026-11-20"})
    assert_balanced(client.get(f"/r/{token}/").content.decode())


def test_every_form_step_holds_together(client):
    client.get("/start/")
    assert_balanced(client.get("/start/you/").content.decode())
    post_step(client, "you", you())
    assert_balanced(client.get("/start/what/").content.decode())


def _preview_texts(page: str) -> list[str]:
    return [html.unescape(t) for t in re.findall(r'<div class="letter-preview[^"]*"[^>]*>(.*?)</div>', page, re.S)]


def test_the_review_step_shows_the_exact_letter_the_request_will_have(client):
    client.get("/start/")
    post_step(client, "you", you(full_name="Zoë O'Brien-Łukasz", letter_language="own", language="de"))
    post_step(client, "what", what(specific_urls="https://www.linkedin.com/posts/zoe_activity-1"))
    post_step(client, "ai-setting", {"status": "not_yet"})
    post_step(client, "reminders", {"reminders_enabled": "no"})
    review = client.get("/start/review/")
    page = review.content.decode()
    assert 'data-testid="letter-preview"' in page
    preview = _preview_texts(page)
    key = review.context["form"].initial["creation_key"]
    post_step(client, "review", {"creation_key": key})
    made = letters.build_letters(DeletionRequest.objects.get())
    # The form's text, then the letter: word for word, reference included.
    assert preview == [field.text for field in made.deletion_form.fields] + [made.letter]
    assert DeletionRequest.objects.get().reference in preview[-1]
    assert "Zoë O'Brien-Łukasz" in preview[-1]


def test_the_letter_alone_downloads_as_a_pdf_in_the_letters_language(client):
    from .test_receipts import pdf_text

    response = complete_journey(client, you_fields=you(language="fr", letter_language="own", country="FR"))
    token = token_from_url(response.url)
    request = DeletionRequest.objects.get()
    page = client.get(f"/r/{token}/").content.decode()
    assert f'href="/r/{token}/letter.pdf"' in page
    pdf = client.get(f"/r/{token}/letter.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert f'filename="{request.reference}-letter.pdf"' in pdf["Content-Disposition"]
    # The running footer of each page ("LinkedOut · LO-…", "Page 1 sur 2") aside.
    footer = re.compile(r"^(LinkedOut · LO-[0-9A-Z-]+|Page \d+ sur \d+)$", re.MULTILINE)
    body = footer.sub("", pdf_text(pdf.content))
    assert footer.search(pdf_text(pdf.content))
    text = " ".join(body.split())
    letter = letters.build_letters(request).letter
    # The whole letter, word for word (where lines break aside), and nothing of the receipt.
    assert re.sub(r"\s+", "", letter) in re.sub(r"\s+", "", body)
    assert "Madame, Monsieur," in text and "Anna Müller" in text
    assert "Receipt for request" not in text and "Reçu" not in text


def test_an_erased_requests_letter_is_gone(client):
    response = complete_journey(client)
    token = token_from_url(response.url)
    client.post(f"/r/{token}/erase/", {"confirm": "on"})
    assert client.get(f"/r/{token}/letter.pdf").status_code in (404, 410)


def test_the_home_page_states_both_retention_periods_from_the_settings(client, settings):
    settings.RETENTION_DAYS_AFTER_CLOSE = 77
    settings.RETENTION_DAYS_INACTIVE = 333
    page = client.get("/").content.decode()
    assert "77 days after LinkedIn has settled your request" in page
    assert "333 days after the last step or open deadline" in page
    assert 'href="/privacy/"' in page
