"""The request page at the forks after the first request, in a real browser,
on a phone and at desktop width: the next step is at the top, its text can be
copied, its form records the step, and the page stays accessible."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from requests_app.models import DeletionRequest
from requests_app.tokens import token_issue
from tests.factories import DeletionRequestFactory

from .checks import assert_accessible, assert_fits_width

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("viewport", ["desktop", "mobile"])
def test_an_overdue_member_sends_the_follow_up_then_a_texan_appeals(make_page, screenshot, viewport):
    page = make_page(viewport)
    sent = date.today() - timedelta(days=36)  # the month is over, the follow-up's 14 days are not
    overdue = DeletionRequestFactory(status="submitted", submitted_on=sent, object_to_processing=True)
    page.goto(f"/r/{token_issue(request=overdue)}/")
    next_step = page.get_by_test_id("next-step")
    expect(next_step).to_have_attribute("data-stage", "overdue")
    expect(next_step).to_contain_text("Send it the follow-up letter below")
    assert "Follow-up:" in page.locator("#text-follow-up").input_value()
    assert_fits_width(page, f"{viewport}-overdue")
    assert_accessible(page, f"{viewport}-overdue")
    screenshot(page, f"next-step-{viewport}-01-overdue")
    page.get_by_label("When did you send the follow-up?").fill(date.today().isoformat())
    page.get_by_role("button", name="Save: I sent the follow-up").click()
    expect(page.get_by_test_id("next-step")).to_have_attribute("data-stage", "follow_up_sent")
    overdue.refresh_from_db()
    assert overdue.follow_up_sent_on == date.today()

    texan = DeletionRequestFactory(
        country="US", subdivision="TX", regime_code="us_tx", status="answered", submitted_on=sent,
        answered_on=date.today() - timedelta(days=2), answer_outcome="refused", object_to_processing=False,
    )  # fmt: skip
    page.goto(f"/r/{token_issue(request=texan)}/")
    expect(page.get_by_test_id("next-step")).to_have_attribute("data-stage", "refused")
    assert "I appeal this decision under" in page.locator("#text-appeal").input_value()
    assert_fits_width(page, f"{viewport}-refused")
    assert_accessible(page, f"{viewport}-refused")
    screenshot(page, f"next-step-{viewport}-02-refused-texas")
    page.get_by_label("When did you send the appeal?").fill(date.today().isoformat())
    page.get_by_role("button", name="Save: I sent the appeal").click()
    expect(page.get_by_test_id("next-step")).to_have_attribute("data-stage", "appealed")
    assert DeletionRequest.objects.get(pk=texan.pk).appeal_sent_on == date.today()
