"""The whole journey with the keyboard alone (Tab, Shift+Tab, Space, Enter,
arrow keys and typing; no clicks), on a computer and on a 360 px phone. Every
element that receives focus must show a visible focus ring and be on screen."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from requests_app.models import DeletionRequest

from .checks import assert_fits_width

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

MAX_TABS = 120

FOCUS_STATE = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const style = getComputedStyle(el);
  const rect = el.getBoundingClientRect();
  return {
    html: el.outerHTML.slice(0, 120),
    outlineStyle: style.outlineStyle,
    outlineWidth: parseFloat(style.outlineWidth),
    onScreen: rect.width > 0 && rect.height > 0 && rect.bottom > 0 && rect.top < window.innerHeight
      && rect.right > 0 && rect.left < window.innerWidth,
  };
}"""


class Keyboard:
    """Moves focus with Tab / Shift+Tab only, and checks that every stop is
    visibly focused (a real outline, not Bootstrap's faint shadow) and on screen."""

    def __init__(self, page):
        self.page = page
        self.stops = 0

    def press(self, key: str) -> None:
        self.page.keyboard.press(key)
        if key in ("Tab", "Shift+Tab"):
            self.assert_focus_visible()

    def assert_focus_visible(self) -> None:
        state = self.page.evaluate(FOCUS_STATE)
        if state is None:  # focus left the document's controls (past the last one)
            return
        self.stops += 1
        assert state["outlineStyle"] != "none" and state["outlineWidth"] >= 2, f"focus not visible: {state}"
        for _ in range(40):  # Bootstrap scrolls smoothly: give the scroll a moment to arrive.
            if state["onScreen"]:
                break
            self.page.wait_for_timeout(50)
            state = self.page.evaluate(FOCUS_STATE)
        assert state["onScreen"], f"focused element is off screen: {state}"

    def tab_to(self, target, *, backwards: bool = False) -> None:
        for _ in range(MAX_TABS):
            if target.evaluate("(el) => el === document.activeElement"):
                return
            self.press("Shift+Tab" if backwards else "Tab")
        raise AssertionError(f"Tab never reached {target}")

    def focused(self, target) -> bool:
        return target.evaluate("(el) => el === document.activeElement")


@pytest.mark.parametrize("viewport", ["desktop", "mobile"])
def test_whole_journey_with_the_keyboard_alone(make_page, screenshot, viewport):
    page = make_page(viewport)
    keys = Keyboard(page)

    # Landing page: the skip link comes first and shows itself when focused.
    page.goto("/")
    keys.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()
    screenshot(page, f"keyboard-{viewport}-01-skip-link")
    keys.press("Enter")
    expect(page.locator("main")).to_be_focused()
    start = page.get_by_role("link", name="Start").first
    keys.tab_to(start)
    keys.press("Enter")

    # Step 1: Next with nothing filled in; the error summary takes focus and
    # its first link leads to the field.
    expect(page.get_by_role("progressbar", name="Step 1 of 5")).to_be_visible()
    keys.tab_to(page.get_by_role("button", name="Next"))
    keys.press("Enter")
    summary = page.locator("#error-summary")
    expect(summary).to_be_focused()
    screenshot(page, f"keyboard-{viewport}-02-error-summary")
    keys.press("Tab")
    expect(summary.get_by_role("link").first).to_be_focused()
    keys.press("Enter")
    expect(page.get_by_label("First name")).to_be_focused()
    page.keyboard.type("Jürgen Groß")
    keys.tab_to(page.get_by_label("Email address of your LinkedIn account"))
    page.keyboard.type("juergen@example.org")
    country = page.get_by_label("Where do you live?")
    keys.tab_to(country)
    page.keyboard.type("Germany")  # a closed <select> picks the option typed
    expect(country).to_have_value("DE")
    land = page.get_by_label("State, province or Land")
    keys.tab_to(land)
    page.keyboard.type("Berlin")
    expect(land).to_have_value("BE")
    # Shift+Tab goes back through the fields.
    keys.tab_to(page.get_by_label("First name"), backwards=True)
    keys.press("Enter")  # Enter in a field means Next

    # Step 2: Space unticks and ticks a checkbox (all start ticked).
    expect(page.get_by_role("progressbar", name="Step 2 of 5")).to_be_visible()
    posts = page.get_by_label("My posts and comments")
    keys.tab_to(posts)
    expect(posts).to_be_checked()
    keys.press("Space")
    expect(posts).not_to_be_checked()
    keys.press("Space")
    expect(posts).to_be_checked()
    keys.tab_to(page.get_by_role("button", name="Next"))
    keys.press("Enter")

    # Step 3: Space picks a radio button, arrow keys move within the group.
    expect(page.get_by_role("progressbar", name="Step 3 of 5")).to_be_visible()
    yes = page.get_by_label("Yes, I switched it off")
    not_yet = page.get_by_label("Not yet: remind me")
    keys.tab_to(yes)
    keys.press("Space")
    expect(yes).to_be_checked()
    keys.press("ArrowDown")
    expect(not_yet).to_be_checked()
    keys.press("ArrowUp")
    expect(yes).to_be_checked()
    keys.tab_to(page.get_by_role("button", name="Next"))
    keys.press("Space")

    # Step 4: the default is kept; the radio group is one Tab stop.
    expect(page.get_by_role("progressbar", name="Step 4 of 5")).to_be_visible()
    remind = page.get_by_label("Yes, remind me")
    keys.tab_to(remind)
    keys.press("ArrowDown")
    expect(page.get_by_label("No, thank you")).to_be_checked()
    keys.press("ArrowUp")
    expect(remind).to_be_checked()
    keys.press("Tab")
    expect(page.get_by_role("button", name="Next")).to_be_focused()
    keys.press("Enter")

    # Step 5: create.
    expect(page.get_by_role("progressbar", name="Step 5 of 5")).to_be_visible()
    keys.tab_to(page.get_by_role("button", name="Create my request"))
    keys.press("Enter")
    page.wait_for_url(re.compile(r"/r/[A-Za-z0-9_-]+/$"))
    expect(page.get_by_test_id("status")).to_have_text("Not sent to LinkedIn yet")

    # The request page: copy a text, then record that it was sent (the date
    # field starts at today).
    copy = page.get_by_role("button", name="Copy").first
    keys.tab_to(copy)
    keys.press("Enter")
    expect(page.get_by_role("button", name=re.compile("^(Copied|Selected)"))).to_be_visible()
    keys.tab_to(page.get_by_role("button", name="Save: I have sent it"))
    screenshot(page, f"keyboard-{viewport}-03-save-focused")
    keys.press("Enter")
    expect(page.get_by_test_id("status")).to_have_text("Sent to LinkedIn, waiting for an answer")
    assert_fits_width(page, f"keyboard-{viewport}-submitted")

    request = DeletionRequest.objects.get()
    assert request.status == "submitted"
    assert request.full_name == "Jürgen Groß"
    assert "posts" in request.data_categories
    assert request.reminders_enabled
    assert keys.stops > 20  # focus really moved, and was checked at every stop
