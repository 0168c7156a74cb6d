"""Every page, at desktop width and on a 360 px phone, light and dark: axe-core finds no serious
or critical WCAG 2.2 AA problem, nothing scrolls sideways, and a screenshot is
saved under test-artifacts/screenshots/ for a person to look at."""

from __future__ import annotations

import re
from datetime import date

import pytest
from playwright.sync_api import expect

from requests_app.models import DeletionRequest, ReceiptFingerprint
from requests_app.services.links import unsubscribe_token
from requests_app.tokens import token_issue

from .checks import allow_status, assert_accessible, assert_fits_width

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SUMMARY = "#error-summary"


@pytest.fixture(params=["desktop", "mobile", "desktop-dark", "mobile-dark"])
def viewport(request):
    return request.param


def test_every_page_is_accessible_and_fits_a_phone(make_page, screenshot, viewport):
    size, _dash, scheme = viewport.partition("-")
    page = make_page(size, color_scheme=scheme or "light")
    seen = []

    def check(name: str) -> None:
        page.wait_for_load_state("load")
        full_name = f"{viewport}-{len(seen) + 1:02d}-{name}"
        seen.append(full_name)
        assert_fits_width(page, full_name)
        assert_accessible(page, full_name)
        screenshot(page, full_name)

    def expect_error_summary_focused() -> None:
        summary = page.locator(SUMMARY)
        expect(summary).to_be_focused()
        expect(summary).to_have_attribute("role", "alert")
        # Each error in the summary links to its field.
        for link in summary.get_by_role("link").all():
            target = link.get_attribute("href").removeprefix("#")
            assert page.locator(f"[id='{target}']").count() == 1, target

    def expect_field_error_linked(field) -> None:
        expect(field).to_have_attribute("aria-invalid", "true")
        described_by = field.get_attribute("aria-describedby").split()
        error_id = next(i for i in described_by if i.endswith("_error"))
        expect(page.locator(f"[id='{error_id}']")).to_be_visible()

    page.goto("/")
    check("home")
    page.get_by_role("link", name="Start").first.click()

    # Step 1, empty, then with its errors.
    expect(page.get_by_role("progressbar", name="Step 1 of 5")).to_be_visible()
    check("step-you")
    page.get_by_role("button", name="Next").click()
    expect_error_summary_focused()
    expect_field_error_linked(page.get_by_label("First name"))
    expect_field_error_linked(page.get_by_label("Where do you live?"))
    check("step-you-errors")
    page.locator(SUMMARY).get_by_role("link").first.click()
    expect(page.get_by_label("First name")).to_be_focused()
    page.get_by_label("First name").fill("Jürgen")
    page.get_by_label("Last name").fill("Groß")
    page.get_by_label("Email address of your LinkedIn account").fill("juergen@example.org")
    page.get_by_label("Where do you live?").select_option("DE")
    page.get_by_label("State, province or Land").select_option("BE")
    page.get_by_role("button", name="Next").click()

    # Step 2, then a group error (no category) and a field error (bad address).
    expect(page.get_by_role("progressbar", name="Step 2 of 5")).to_be_visible()
    check("step-what")
    for box in page.get_by_role("group", name="Which of your data?").get_by_role("checkbox").all():
        box.uncheck()
    page.get_by_label("Specific posts or pages (optional)").fill("not a linkedin address")
    page.get_by_role("button", name="Next").click()
    expect_error_summary_focused()
    expect_field_error_linked(page.get_by_label("Specific posts or pages (optional)"))
    group = page.get_by_role("group", name="Which of your data?")
    expect(group).to_have_accessible_description(re.compile("Choose at least one kind of data"))
    check("step-what-errors")
    group.get_by_role("checkbox").first.check()
    page.get_by_label("Specific posts or pages (optional)").fill("")
    page.get_by_role("button", name="Next").click()

    # Step 3 with its error (no answer chosen), step 4, step 5.
    expect(page.get_by_role("progressbar", name="Step 3 of 5")).to_be_visible()
    check("step-ai-setting")
    page.get_by_role("button", name="Next").click()
    expect_error_summary_focused()
    check("step-ai-setting-errors")
    page.get_by_label("Yes, I switched it off").check()
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_role("progressbar", name="Step 4 of 5")).to_be_visible()
    check("step-reminders")
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_role("progressbar", name="Step 5 of 5")).to_be_visible()
    check("step-review")
    page.get_by_role("button", name="Create my request").click()

    # The private request page: created, a failed change, submitted.
    page.wait_for_url(re.compile(r"/r/[A-Za-z0-9_-]+/$"))
    token = page.url.rstrip("/").rsplit("/", 1)[-1]
    request = DeletionRequest.objects.get()
    expect(page.get_by_test_id("status")).to_have_text("Not sent to LinkedIn yet")
    check("request-created")
    page.get_by_label("When did you send it to LinkedIn?").fill("")
    page.get_by_role("button", name="Save: I have sent it").click()
    allow_status(page, 400)
    expect_error_summary_focused()
    expect_field_error_linked(page.get_by_label("When did you send it to LinkedIn?"))
    check("request-created-errors")
    page.get_by_label("When did you send it to LinkedIn?").fill(date.today().isoformat())
    page.get_by_role("button", name="Save: I have sent it").click()
    expect(page.get_by_test_id("status")).to_have_text("Sent to LinkedIn, waiting for an answer")
    check("request-submitted")

    # Pages reached from links in emails.
    page.goto(f"/r/{token}/extended/")
    check("confirm-extension")
    page.goto(f"/r/{token}/answered/")
    check("confirm-answer")
    page.goto(f"/r/{token_issue(request=request, purpose='confirm_email')}/confirm-email/")
    check("confirm-email")
    page.goto(f"/unsubscribe/{unsubscribe_token(request)}/")
    check("unsubscribe")
    page.get_by_role("button", name="Stop the reminders").click()
    expect(page.get_by_role("heading", name="Reminders stopped")).to_be_visible()
    check("unsubscribed")

    # The public receipt check: empty, a typo, no match, a match.
    fingerprint = "ab12" * 16
    ReceiptFingerprint.objects.create(reference=request.reference, fingerprint=fingerprint)
    page.goto(f"/verify/{request.reference}/")
    check("verify")
    page.get_by_label("Fingerprint printed on the receipt").fill("not a fingerprint")
    page.get_by_role("button", name="Check the fingerprint").click()
    allow_status(page, 400)
    expect_field_error_linked(page.get_by_label("Fingerprint printed on the receipt"))
    check("verify-errors")
    page.get_by_label("Fingerprint printed on the receipt").fill("0" * 64)
    page.get_by_role("button", name="Check the fingerprint").click()
    allow_status(page, 404)
    check("verify-no-match")
    page.get_by_label("Fingerprint printed on the receipt").fill(fingerprint)
    page.get_by_role("button", name="Check the fingerprint").click()
    expect(page.get_by_test_id("verify-result")).to_contain_text("matches")
    check("verify-match")

    # Lost link: the form, its error, success, then too many attempts.
    page.goto("/link/")
    check("email-link")
    page.get_by_role("button", name="Email me my link").click()
    expect_error_summary_focused()
    check("email-link-errors")
    for _ in range(3):
        page.get_by_label("Your email address").fill("nobody@example.org")
        page.get_by_role("button", name="Email me my link").click()
        expect(page.get_by_role("status")).to_contain_text("If we hold a request for this address")
    check("email-link-sent")
    page.get_by_label("Your email address").fill("nobody@example.org")
    page.get_by_role("button", name="Email me my link").click()
    allow_status(page, 429)
    expect(page.get_by_role("heading", name="Too many attempts")).to_be_visible()
    check("429")

    # Erase: confirm page, its error, the erased page.
    page.goto(f"/r/{token}/erase/")
    check("erase")
    page.get_by_role("button", name="Erase everything").click()
    expect_error_summary_focused()
    check("erase-errors")
    page.get_by_label(re.compile("Yes, erase everything")).check()
    page.get_by_role("button", name="Erase everything").click()
    allow_status(page, 410)
    expect(page.get_by_role("heading", name="This request was erased")).to_be_visible()
    check("erased")

    # Error pages.
    page.goto("/no-such-page/")
    allow_status(page, 404)
    check("404")
    page.goto("/start/")
    page.locator("input[name='start_wizard-current_step']").evaluate("(input) => input.remove()")
    page.get_by_role("button", name="Next").click()
    allow_status(page, 400)
    expect(page.get_by_role("heading", name="Something was wrong with that form")).to_be_visible()
    check("400")
    page.goto("/link/")
    page.context.clear_cookies()
    page.get_by_label("Your email address").fill("nobody@example.org")
    page.get_by_role("button", name="Email me my link").click()
    allow_status(page, 403)
    expect(page.get_by_role("heading", name="Please try again")).to_be_visible()
    check("403-csrf")


@pytest.mark.parametrize("operator", ["unconfigured", "configured"])
def test_info_pages_are_accessible_and_fit_a_phone(make_page, screenshot, viewport, operator, settings):
    # With and without the operator's details: the "not filled in" notice is part of the page.
    if operator == "configured":
        settings.OPERATOR_FILE = str(settings.BASE_DIR / "requests_app" / "data" / "operator.example.json")
    size, _dash, scheme = viewport.partition("-")
    page = make_page(size, color_scheme=scheme or "light")
    page.goto("/")
    for name in ("Questions and answers", "About and imprint", "Privacy policy", "Accessibility"):
        page.get_by_role("contentinfo").get_by_role("link", name=name, exact=True).click()
        page.wait_for_load_state("load")
        full_name = f"{viewport}-info-{operator}-{name.split()[0].lower()}"
        assert_fits_width(page, full_name)
        assert_accessible(page, full_name)
        screenshot(page, full_name)
