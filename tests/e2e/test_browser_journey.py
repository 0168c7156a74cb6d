"""A new user's whole journey in a real browser: from the landing page to a
created request, then marked as sent to LinkedIn."""

from __future__ import annotations

import re
from datetime import date

import pytest
from playwright.sync_api import expect

from requests_app.models import DeletionRequest

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def fill_step_one(page, *, name: str, email: str, country: str, subdivision: str | None = None) -> None:
    first, last = name.rsplit(" ", 1)
    page.get_by_label("First name").fill(first)
    page.get_by_label("Last name").fill(last)
    page.get_by_label("Email address of your LinkedIn account").fill(email)
    page.get_by_label("Where do you live?").select_option(country)
    if subdivision:
        page.get_by_label("State, province or Land").select_option(label=subdivision)


def test_german_user_creates_and_submits_a_request(page, screenshot):
    page.goto("/")
    screenshot(page, "01-home")
    page.get_by_role("link", name="Start").first.click()

    expect(page.get_by_text("Step 1 of 5")).to_be_visible()
    fill_step_one(page, name="Jürgen Groß", email="juergen@example.org", country="DE", subdivision="Bayern")
    screenshot(page, "02-step-you")
    page.get_by_role("button", name="Next").click()

    expect(page.get_by_text("Step 2 of 5")).to_be_visible()
    expect(page.get_by_text("so the GDPR applies")).to_be_visible()
    screenshot(page, "03-step-what")
    page.get_by_role("button", name="Next").click()

    expect(page.get_by_text("Step 3 of 5")).to_be_visible()
    page.get_by_label("Yes, I switched it off").check()
    screenshot(page, "04-step-ai-setting")
    page.get_by_role("button", name="Next").click()

    page.get_by_role("button", name="Next").click()  # reminders: keep the default
    expect(page.get_by_text("Step 5 of 5")).to_be_visible()
    expect(page.get_by_text("LinkedIn Ireland Unlimited Company must answer within one month")).to_be_visible()
    screenshot(page, "05-step-review")
    page.get_by_role("button", name="Create my request").click()

    page.wait_for_url(re.compile(r"/r/[A-Za-z0-9_-]+/$"))
    expect(page.get_by_text("Not sent to LinkedIn yet")).to_be_visible()
    expect(page.get_by_test_id("deletion-form-link")).to_have_attribute(
        "href", "https://www.linkedin.com/help/linkedin/ask/TS-DDF"
    )
    expect(page.get_by_test_id("objection-form-link")).to_have_attribute(
        "href", "https://www.linkedin.com/help/linkedin/ask/TS-DPRO"
    )
    assert "Article 17(1)(c) GDPR" in page.locator("#text-ddf-details").input_value()
    page.locator("button[data-copy-target='text-ddf-details']").click()
    expect(page.locator("button[data-copy-target='text-ddf-details']")).to_contain_text("Copied")
    assert "Article 21(1) GDPR" in page.evaluate("navigator.clipboard.readText()")
    # A Bavarian member complains to her Land's authority for companies, beside the lead authority.
    authorities = page.get_by_test_id("authorities")
    expect(authorities).to_contain_text("Bayerisches Landesamt für Datenschutzaufsicht")
    expect(authorities).to_contain_text("91504 Ansbach")
    expect(authorities).to_contain_text("Data Protection Commission")
    screenshot(page, "06-request-created")

    page.get_by_label("When did you send it to LinkedIn?").fill(date.today().isoformat())
    page.get_by_role("button", name="Save: I have sent it").click()
    expect(page.get_by_text("Sent to LinkedIn, waiting for an answer")).to_be_visible()
    expect(page.get_by_test_id("deadline")).to_be_visible()
    screenshot(page, "07-request-submitted")

    request = DeletionRequest.objects.get()
    assert request.status == "submitted" and request.full_name == "Jürgen Groß"


def test_back_button_keeps_input_and_works_without_javascript(browser, live_server, screenshot):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    page.goto("/start/")
    fill_step_one(page, name="María José", email="maria@example.org", country="US", subdivision="California")
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_text("CCPA").first).to_be_visible()
    page.get_by_role("button", name="Back").click()
    expect(page.get_by_label("First name")).to_have_value("María")
    expect(page.get_by_label("Last name")).to_have_value("José")
    expect(page.get_by_label("State, province or Land")).to_have_value("CA")
    screenshot(page, "08-no-js-back")
    context.close()
