"""What every email looks like to the member, in every language: one button
for its one action, the unsubscribe link where reminders have it, styles
inlined (css-inline ran), a plain-text part without HTML, subjects that say
what to do. The browser side (widths, dark mode, axe) is tests/e2e/test_emails.py."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from tests.email_samples import LANGUAGES, Sample, samples

pytestmark = pytest.mark.django_db

KINDS = {
    "confirm_address",
    "private_link",
    "not_sent",
    "ai_setting",
    "deadline_soon",
    "deadline_passed",
    "escalate",
    "escalate_no_authority",
    "appeal_overdue",
    "access_overdue",
    "done_check",
    "purge_warning",
}
URL = re.compile(r"https?://\S+")
EMAIL_TEMPLATES = Path(__file__).resolve().parents[1] / "templates" / "emails"


class _Anchors(HTMLParser):
    """Every <a> of a page with its attributes and text; the <style> text."""

    def __init__(self) -> None:
        super().__init__()
        self.anchors: list[dict] = []
        self.styles: list[str] = []
        self.body_style = ""
        self._in: str | None = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "a":
            self.anchors.append({**attributes, "text": ""})
            self._in = "a"
        elif tag == "style":
            self.styles.append("")
            self._in = "style"
        elif tag == "body":
            self.body_style = attributes.get("style") or ""

    def handle_endtag(self, tag):
        if tag in ("a", "style"):
            self._in = None

    def handle_data(self, data):
        if self._in == "a":
            self.anchors[-1]["text"] += data
        elif self._in == "style":
            self.styles[-1] += data


def parsed(sample: Sample) -> _Anchors:
    parser = _Anchors()
    parser.feed(sample.html)
    return parser


def buttons(sample: Sample) -> list[dict]:
    return [a for a in parsed(sample).anchors if "button-link" in (a.get("class") or "").split()]


@pytest.fixture(params=LANGUAGES)
def language_samples(request) -> list[Sample]:
    built = samples(request.param)
    assert {sample.name for sample in built} == KINDS
    return built


def test_every_kind_of_email_is_among_the_samples():
    kinds = {path.name.removesuffix("-subject.txt") for path in EMAIL_TEMPLATES.glob("*-subject.txt")}
    assert kinds == {name for name in KINDS if name != "escalate_no_authority"}


def test_every_email_has_exactly_one_button_and_it_opens_the_action(language_samples):
    for sample in language_samples:
        [button] = buttons(sample)
        assert button["href"] == sample.action_url, sample.name
        assert button["text"].strip(), sample.name
        # The plain-text part offers the same link, alone on its line.
        assert sample.action_url in sample.message.body.splitlines(), sample.name


def test_reminders_carry_their_one_click_unsubscribe_link_and_the_others_none(language_samples):
    for sample in language_samples:
        hrefs = [a.get("href") for a in parsed(sample).anchors]
        if sample.unsubscribe_url is None:
            assert not any("/unsubscribe/" in (href or "") for href in hrefs), sample.name
            assert "List-Unsubscribe" not in sample.message.extra_headers, sample.name
            continue
        assert sample.unsubscribe_url in hrefs, sample.name
        assert sample.unsubscribe_url in sample.message.body.splitlines(), sample.name
        assert sample.message.extra_headers["List-Unsubscribe"] == f"<{sample.unsubscribe_url}>"


def test_no_template_syntax_or_unfilled_placeholder_is_left(language_samples):
    for sample in language_samples:
        for part in (sample.message.subject, sample.message.body, sample.html):
            for leftover in ("{{", "}}", "{%", "%}", "%(", "{#"):
                assert leftover not in part, (sample.name, leftover)


def test_the_stylesheet_is_inlined_and_only_media_rules_stay_in_the_head(language_samples):
    for sample in language_samples:
        page = parsed(sample)
        [button] = buttons(sample)
        assert "background-color" in button["style"] and "color: #ffffff" in button["style"], sample.name
        assert "background-color" in page.body_style, sample.name
        assert 'class="card"' in sample.html and "max-width: 600px" in sample.html, sample.name
        # What css-inline keeps: the rules a style attribute cannot hold.
        [style] = page.styles
        assert "@media (prefers-color-scheme: dark)" in style and "@media (max-width: 480px)" in style
        outside_media = re.sub(r"@media[^{]*\{(?:[^{}]*\{[^{}]*\})*\s*\}", "", style)
        assert outside_media.strip() == "", (sample.name, outside_media)


def test_the_html_part_declares_both_colour_schemes_and_its_language(language_samples):
    for sample in language_samples:
        html = sample.html
        assert '<meta name="color-scheme" content="light dark">' in html, sample.name
        assert re.search(r'<html lang="[a-z]{2}"[ >]', html), sample.name
        assert f"<title>{sample.message.subject}</title>" in html.replace("&#x27;", "'").replace("&#39;", "'")
        assert "Linked<span" in html  # the wordmark, as text


def test_the_plain_text_part_reads_as_text(language_samples):
    for sample in language_samples:
        body = sample.message.body
        assert not re.search(r"</?[a-z][a-z0-9]*[ >/]", body), sample.name
        assert not re.search(r"&(amp|lt|gt|quot|#\d+|#x[0-9a-f]+);", body), sample.name
        assert "\n\n\n" not in body and body == body.strip() + "\n", sample.name
        # Every link stands alone on its line, so a client makes it clickable whole.
        for line in body.splitlines():
            for url in URL.findall(line):
                assert line == url, (sample.name, line)


def test_subjects_say_what_the_member_must_do():
    subjects = {sample.name: sample.message.subject for sample in samples("en")}
    assert subjects == {
        "confirm_address": "Confirm your address to get your private link",
        "private_link": subjects["private_link"],  # names the reference: checked below
        "not_sent": "Send your request to LinkedIn",
        "ai_setting": "Switch off LinkedIn's AI-training setting",
        "deadline_soon": "LinkedIn's deadline is in 3 days: 2 March 2026",  # a German member: day first
        "deadline_passed": "LinkedIn missed its deadline: send the follow-up letter",
        "escalate": "LinkedIn still has not answered: file your complaint",
        "escalate_no_authority": "LinkedIn still has not answered: your options",
        "appeal_overdue": "LinkedIn did not answer your appeal: file your complaint",
        "access_overdue": "LinkedIn did not answer your access request: remind it",
        "done_check": "Check that LinkedIn's AI-training setting is still off",
        "purge_warning": subjects["purge_warning"],
    }
    assert re.fullmatch(r"Your LinkedOut request LO-[\w-]+: your private link", subjects["private_link"])
    assert re.fullmatch(r"Keep your receipt: we delete your data on \d+ \w+ \d{4}", subjects["purge_warning"])
    assert all(len(subject) <= 70 for subject in subjects.values()), subjects


def test_what_the_member_typed_stays_text_after_inlining():
    # css-inline parses and writes the HTML again: a name must come out escaped.
    for sample in samples("en", full_name="<b>Anna</b> & Co"):
        if sample.name == "confirm_address":
            continue  # carries no word the visitor typed
        assert "<b>Anna</b>" not in sample.html, sample.name
        assert "&lt;b&gt;Anna&lt;/b&gt; &amp; Co" in sample.html, sample.name
        assert "<b>Anna</b> & Co" in sample.message.body, sample.name
