"""The whole journey on a 360 px phone in German (chosen with the language
switcher), French and Spanish (the browser's language): every step in that
language, axe-core clean, no sideways scrolling, no CSP violation (checked by
the make_page fixture), and the letter to LinkedIn in the user's language when
they ask for it. Elements are found by id, role and translated names: nothing
here relies on the English text."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from django.utils import translation
from playwright.sync_api import expect

from requests_app import explain, jurisdictions
from requests_app.models import DeletionRequest

from .checks import assert_accessible, assert_fits_width

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# language, browser locale (None: an English browser that uses the switcher),
# country, the letter's salutation in that language.
JOURNEYS = [
    ("de", None, "DE", "Sehr geehrte Damen und Herren,"),
    ("fr", "fr-FR", "FR", "Madame, Monsieur,"),
    ("es", "es-ES", "ES", "Estimados señores:"),
]


def tr(language: str, message: str, **values) -> str:
    with translation.override(language):
        text = translation.gettext(message)
    assert text != message, f"{message!r} is not translated into {language}"
    return text % values if values else text


@pytest.mark.parametrize(("language", "locale", "country", "salutation"), JOURNEYS, ids=[j[0] for j in JOURNEYS])
def test_whole_journey_in_the_users_language_on_a_phone(make_page, screenshot, language, locale, country, salutation):
    options = {"locale": locale} if locale else {"locale": "en-GB"}
    page = make_page("mobile", **options)
    seen: list[str] = []

    def check(name: str) -> None:
        page.wait_for_load_state("load")
        assert page.evaluate("document.documentElement.lang") == language, page.url
        full_name = f"lang-{language}-mobile-{len(seen) + 1:02d}-{name}"
        seen.append(full_name)
        assert_fits_width(page, full_name)
        assert_accessible(page, full_name)
        screenshot(page, full_name)

    def step(number: int, title: str) -> None:
        expect(page.locator("#progress-label")).to_have_text(tr(language, "Step %(n)s of %(total)s", n=number, total=5))
        expect(page.get_by_role("heading", level=1)).to_have_text(tr(language, title))

    page.goto("/")
    if locale is None:
        # An English browser: the page starts in English, the switcher changes it.
        assert page.evaluate("document.documentElement.lang") == "en"
        page.locator("#language-switcher").select_option(language)
        page.locator("form:has(#language-switcher)").get_by_role("button").click()
        page.wait_for_url(re.compile(r"/$"))
        expect(page.locator("#language-switcher")).to_have_value(language)
    expect(page.get_by_role("heading", level=1)).to_have_text(
        tr(language, "Get your data out of LinkedIn's AI training")
    )
    check("home")
    page.get_by_role("link", name=tr(language, "Start"), exact=True).first.click()

    step(1, "About you")
    expect(page.locator("#id_you-language")).to_have_value(language)  # the user's language, preselected
    page.locator("#id_you-first_name").fill("Zoë")
    page.locator("#id_you-last_name").fill("Ångström-Núñez")
    page.locator("#id_you-email").fill(f"zoe.{language}@example.org")
    page.locator("#id_you-country").select_option(country)
    land = "BE" if country == "DE" else ""  # in Germany the Land decides the authority
    if land:
        page.locator("#id_you-subdivision").select_option(land)
    page.get_by_role("radio", name=tr(language, "My language")).check()  # the letter in my language too
    check("step-you")
    page.get_by_role("button", name=tr(language, "Next")).click()

    step(2, "What to delete")
    with translation.override(language):
        explanation = explain.regime_explanation(jurisdictions.regime_for(country, land), country, land)
    expect(page.get_by_text(explanation)).to_be_visible()
    expect(page.get_by_role("group", name=tr(language, "Which of your data?"))).to_be_visible()
    check("step-what")
    page.get_by_role("button", name=tr(language, "Next")).click()

    step(3, "The AI-training setting")
    # Not yet: the request page then asks for that date too.
    page.get_by_role("radio", name=tr(language, "Not yet: remind me")).check()
    check("step-ai-setting")
    page.get_by_role("button", name=tr(language, "Next")).click()

    step(4, "Reminders")
    page.get_by_role("radio", name=tr(language, "Yes, remind me")).check()
    check("step-reminders")
    page.get_by_role("button", name=tr(language, "Next")).click()

    step(5, "Review and create")
    expect(page.locator(".alert-info")).to_have_text(explanation)
    check("step-review")
    page.get_by_role("button", name=tr(language, "Create my request")).click()

    page.wait_for_url(re.compile(r"/r/[A-Za-z0-9_-]+/$"))
    request = DeletionRequest.objects.get()
    assert (request.language, request.letter_language) == (language, "own")
    ready = (
        "Your request %(reference)s is ready. Bookmark this page: its address is your private link. "
        "We emailed you a link to confirm your address; the private link and the receipt follow it."
    )
    expect(page.locator(".messages")).to_have_text(tr(language, ready, reference=request.reference))
    expect(page.get_by_test_id("status")).to_have_text(tr(language, "Not sent to LinkedIn yet"))
    expect(page.get_by_test_id("deletion-form-link")).to_have_attribute(
        "href", "https://www.linkedin.com/help/linkedin/ask/TS-DDF"
    )
    letter = page.locator("#text-letter").input_value()
    assert salutation in letter and "Dear Sir or Madam" not in letter
    check("request-created")
    copy = page.locator("button[data-copy-target='text-ddf-details']")
    expect(copy).to_contain_text(tr(language, "Copy"))
    copy.click()
    copied, selected = tr(language, "Copied"), tr(language, "Selected: press Ctrl+C to copy")
    expect(copy).to_have_text(re.compile(f"^({re.escape(copied)}|{re.escape(selected)})$"))

    # Every date the page asks for, recorded in this language. The date
    # fields start filled with today (ISO, whatever the language); the member
    # switched the setting off and sent LinkedIn's form before using LinkedOut.
    today = date.today()
    expect(page.locator("#id_ai-switched_off_on")).to_have_value(today.isoformat())
    expect(page.locator("#id_submitted-submitted_on")).to_have_value(today.isoformat())
    switched_off, sent = today - timedelta(days=12), today - timedelta(days=10)
    page.locator("#id_ai-switched_off_on").fill(switched_off.isoformat())
    page.get_by_role("button", name=tr(language, "I did it: I switched it off")).click()
    expect(page.get_by_test_id("step-ai_setting")).to_contain_text(tr(language, "done"))
    page.locator("#id_submitted-submitted_on").fill(sent.isoformat())
    page.get_by_role("button", name=tr(language, "Save: I have sent it")).click()
    expect(page.get_by_test_id("status")).to_have_text(tr(language, "Sent to LinkedIn, waiting for an answer"))
    request.refresh_from_db()
    assert (request.ai_setting_off_on, request.submitted_on) == (switched_off, sent)
    with translation.override(language):
        days_left = explain.request_clock(request).words
    expect(page.get_by_test_id("deadline")).to_contain_text(days_left)
    expect(page.get_by_test_id("milestones")).to_contain_text(tr(language, "Today"))
    check("request-submitted")
    page.locator("#id_extension-announced_on").fill((sent + timedelta(days=5)).isoformat())
    page.get_by_role("button", name=tr(language, "Save the extension")).click()
    expect(page.get_by_test_id("milestones")).to_contain_text(tr(language, "Extended deadline"))
    request.refresh_from_db()
    assert request.extended_on == sent + timedelta(days=5)

    page.get_by_role("link", name=tr(language, "Erase everything LinkedOut holds about me")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        tr(language, "Erase everything LinkedOut holds about you?")
    )
    check("erase")

    request.refresh_from_db()
    assert request.status == "submitted" and request.full_name == "Zoë Ångström-Núñez"
