"""The whole journey through the Django test client: form, request page, erase."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import time_machine

from requests_app.models import AccessToken, DeletionRequest, RequestEvent
from tests.conftest import token_from_url
from tests.journey import complete_journey, post_step, step_data, what, you

pytestmark = pytest.mark.django_db


def create(client, **kwargs) -> tuple[str, DeletionRequest]:
    response = complete_journey(client, **kwargs)
    assert response.status_code == 302
    token = token_from_url(response["Location"])
    return token, DeletionRequest.objects.get()


def test_landing_page_explains_and_links_to_start(client):
    page = client.get("/").content.decode()
    assert "stops future training only" in page
    assert 'href="/start/"' in page
    # Nothing from a CDN: every stylesheet and script is ours.
    assert "https://" not in "".join(line for line in page.splitlines() if "<link" in line or "<script" in line)


def test_progress_indicator_says_which_step(client):
    page = client.get("/start/you/").content.decode()
    assert "Step 1 of 5" in page
    post_step(client, "you", you())
    assert "Step 2 of 5" in client.get("/start/what/").content.decode()


def test_german_user_gets_gdpr_letter_to_linkedin_ireland(client):
    token, request = create(client)
    assert request.regime_code == "gdpr"
    page = client.get(f"/r/{token}/").content.decode()
    assert "LinkedIn Ireland Unlimited Company" in page
    assert "Article 17(1)(c) GDPR" in page and "Article 21(1) GDPR" in page
    assert "Wilton Plaza" in page
    assert "Anna Müller" in page
    assert request.events.filter(kind=RequestEvent.Kind.CREATED).exists()


def test_californian_gets_ccpa_and_no_gdpr(client):
    token, request = create(client, you_fields=you(country="US", subdivision="CA"))
    page = client.get(f"/r/{token}/").content.decode()
    assert request.regime_code == "ccpa"
    assert "1798.105" in page and "LinkedIn Corporation" in page
    assert "GDPR" not in page


def test_us_resident_must_choose_a_state(client):
    client.get("/start/")
    response = post_step(client, "you", you(country="US", subdivision=""))
    assert response.status_code == 200
    assert "choose your state or province" in response.content.decode()


def test_user_in_country_without_law_is_told_so(client):
    token, request = create(client, you_fields=you(country="JP"))
    page = client.get(f"/r/{token}/").content.decode()
    assert request.regime_code == "none"
    assert "privacy policy" in page.lower()


def test_marking_submitted_shows_deadline_counted_from_that_day(client):
    with time_machine.travel(date(2026, 1, 30)):
        token, request = create(client, you_fields=you(country="CA", subdivision="ON"))
    with time_machine.travel(date(2026, 2, 10)):
        response = client.post(
            f"/r/{token}/submitted/", {"submitted-submitted_on": "2026-01-31", "submitted-case_number": "CASE-1"}
        )
        assert response.status_code == 302
        page = client.get(f"/r/{token}/").content.decode()
    request.refresh_from_db()
    assert request.status == "submitted" and request.submitted_on == date(2026, 1, 31)
    # PIPEDA: 30 calendar days from receipt.
    assert "March 2, 2026" in page
    assert "20 days left" in page


def test_extension_moves_the_deadline(client):
    with time_machine.travel(date(2026, 1, 30)):
        token, request = create(client)
    with time_machine.travel(date(2026, 2, 10)):
        client.post(f"/r/{token}/submitted/", {"submitted-submitted_on": "2026-01-31"})
        client.post(f"/r/{token}/extended/", {"extension-announced_on": "2026-02-09"})
        page = client.get(f"/r/{token}/").content.decode()
    # GDPR: 1 month -> 2 March 2026; extended: 3 months -> 30 April 2026.
    assert "April 30, 2026" in page
    assert "Extended from March 2, 2026" in page


def test_answer_closes_the_request_and_is_in_timeline(client):
    token, request = create(client)
    client.post(f"/r/{token}/submitted/", {"submitted-submitted_on": date.today().isoformat()})
    client.post(f"/r/{token}/answered/", {"answer-outcome": "done", "answer-answered_on": date.today().isoformat()})
    request.refresh_from_db()
    assert request.status == "answered" and request.answer_outcome == "done"
    page = client.get(f"/r/{token}/").content.decode()
    assert "LinkedIn deleted the data" in page


def test_asked_for_id_keeps_the_request_open(client):
    token, request = create(client)
    client.post(f"/r/{token}/submitted/", {"submitted-submitted_on": date.today().isoformat()})
    client.post(
        f"/r/{token}/answered/", {"answer-outcome": "asked_for_id", "answer-answered_on": date.today().isoformat()}
    )
    request.refresh_from_db()
    assert request.status == "submitted"


def test_future_submission_date_is_refused_and_changes_nothing(client):
    token, request = create(client)
    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    response = client.post(f"/r/{token}/submitted/", {"submitted-submitted_on": tomorrow})
    assert response.status_code == 400
    assert "This date is in the future." in response.content.decode()
    request.refresh_from_db()
    assert request.status == "created"
    assert not request.events.filter(kind="submitted").exists()


def test_extension_before_submission_is_refused(client):
    token, request = create(client)
    response = client.post(f"/r/{token}/extended/", {"extension-announced_on": date.today().isoformat()})
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.extended_on is None
    assert "does not fit" in client.get(f"/r/{token}/").content.decode()


def test_get_never_changes_state(client):
    token, request = create(client)
    for path in ("submitted/", "ai-setting/", "reminders/"):
        assert client.get(f"/r/{token}/{path}").status_code == 405
    # Links in emails lead to confirmation pages: GET shows, only POST changes.
    for path in ("extended/", "answered/", "erase/"):
        assert client.get(f"/r/{token}/{path}").status_code == 200
    # The page's own link cannot confirm the address: only the emailed confirmation link can.
    assert client.get(f"/r/{token}/confirm-email/").status_code == 404
    request.refresh_from_db()
    assert request.status == "created" and request.full_name == "Anna Müller"
    assert request.email_confirmed_at is None and request.extended_on is None
    assert list(request.events.values_list("kind", flat=True)) == ["created", "ai_setting_off"]


def test_unknown_token_gets_a_plain_404_page(client):
    response = client.get("/r/not-a-real-token/")
    assert response.status_code == 404
    assert "Lost your private link" in response.content.decode() or "Email me my link" in response.content.decode()


def test_only_the_token_hash_is_stored(client):
    token, request = create(client)
    stored = AccessToken.objects.get(request=request)
    assert stored.token_hash != token and token not in stored.token_hash
    assert len(token) >= 22  # at least 128 bits in base64


def test_erase_needs_confirmation_and_removes_personal_data(client):
    token, request = create(client, what_fields=what(specific_urls="https://www.linkedin.com/posts/anna-1"))
    client.post(
        f"/r/{token}/submitted/",
        {"submitted-submitted_on": date.today().isoformat(), "submitted-case_number": "CASE-42"},
    )
    response = client.post(f"/r/{token}/erase/", {})
    assert response.status_code == 200 and "Tick the box" in response.content.decode()
    assert DeletionRequest.objects.get().full_name == "Anna Müller"

    response = client.post(f"/r/{token}/erase/", {"confirm": "on"})
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == "erased"
    for value in (
        request.full_name,
        request.email,
        request.email_digest,
        request.profile_url,
        request.linkedin_case_number,
    ):
        assert value == ""
    assert request.specific_urls == []
    assert not request.events.exclude(detail="").exists()
    page = client.get(f"/r/{token}/")
    assert page.status_code == 410
    text = page.content.decode()
    assert "was erased" in text and "Anna" not in text and "anna@example.org" not in text


def test_back_keeps_what_was_typed(client):
    client.get("/start/")
    post_step(client, "you", you(full_name="Zoë Ångström"))
    # On step 2, type something, then go back and forward again.
    client.post(
        "/start/what/",
        step_data("what", what(specific_urls="https://www.linkedin.com/posts/x")) | {"wizard_goto_step": "you"},
    )
    back = client.get("/start/you/").content.decode()
    assert 'value="Zoë"' in back and 'value="Ångström"' in back
    forward = client.get("/start/what/").content.decode()
    assert "https://www.linkedin.com/posts/x" in forward


def test_expired_session_starts_again_with_a_message(client):
    response = post_step(client, "what", what())
    assert response.status_code == 302 and response["Location"].endswith("/start/you/")
    page = client.get(response["Location"]).content.decode()
    assert "session expired" in page


def test_skipping_ahead_without_step_one_starts_again(client):
    response = client.get("/start/review/")
    assert response.status_code == 302 and response["Location"].endswith("/start/you/")


def test_double_submitted_create_makes_one_request(client):
    client.get("/start/")
    for step, fields in (
        ("you", you()),
        ("what", what()),
        ("ai-setting", {"status": "not_yet"}),
        ("reminders", {"reminders_enabled": "no"}),
    ):
        post_step(client, step, fields)
    key = client.get("/start/review/").context["form"].initial["creation_key"]
    first = post_step(client, "review", {"creation_key": key})
    second = post_step(client, "review", {"creation_key": key})
    assert DeletionRequest.objects.count() == 1
    assert first.status_code == second.status_code == 302
    assert "/r/" in second["Location"]
    assert "already created" in client.get(second["Location"]).content.decode()


def test_object_to_processing_defaults_to_the_law(client):
    client.get("/start/")
    post_step(client, "you", you(country="US", subdivision="CA"))
    page = client.get("/start/what/")
    assert page.context["form"].initial["object_to_processing"] is False
    client.get("/start/you/")
    post_step(client, "you", you(country="FR"))
    assert client.get("/start/what/").context["form"].initial["object_to_processing"] is True


def test_review_explains_the_regime(client):
    client.get("/start/")
    for step, fields in (
        ("you", you(country="FR")),
        ("what", what()),
        ("ai-setting", {"status": "not_yet"}),
        ("reminders", {"reminders_enabled": "yes"}),
    ):
        post_step(client, step, fields)
    page = client.get("/start/review/").content.decode()
    assert (
        "You live in France, so the GDPR applies; LinkedIn Ireland Unlimited Company must answer within one month"
        in page
    )


def test_letter_downloads_as_text_with_reference(client):
    token, request = create(client)
    response = client.get(f"/r/{token}/letter.txt")
    assert response["Content-Disposition"] == f'attachment; filename="{request.reference}-letter.txt"'
    body = response.content.decode()
    assert "Dear Sir or Madam" in body and request.reference in body and "Anna Müller" in body


def test_request_page_places_today_among_the_milestones(client):
    with time_machine.travel(date(2026, 1, 30)):
        token, request = create(client)
    with time_machine.travel(date(2026, 2, 10)):
        client.post(f"/r/{token}/submitted/", {"submitted-submitted_on": "2026-01-31"})
        response = client.get(f"/r/{token}/")
    milestones = [(m.label, m.day, m.state) for m in response.context["milestones"]]
    assert milestones == [
        ("Created", date(2026, 1, 30), "done"),
        ("Sent to LinkedIn", date(2026, 1, 31), "done"),
        ("Today", date(2026, 2, 10), "today"),
        ("Deadline", date(2026, 3, 2), "upcoming"),
    ]
    assert 'aria-current="date"' in response.content.decode()


def test_brazilian_gets_lgpd_request_to_linkedin_corporation(client):
    with time_machine.travel(date(2026, 1, 30)):
        token, request = create(client, you_fields=you(country="BR"))
    with time_machine.travel(date(2026, 2, 2)):
        response = client.post(f"/r/{token}/submitted/", {"submitted-submitted_on": "2026-01-31"})
        assert response.status_code == 302, response.content.decode()[-3000:]
        page = client.get(f"/r/{token}/").content.decode()
    assert request.regime_code == "lgpd"
    assert "Art. 18 LGPD" in page and "LinkedIn Corporation" in page and "1000 W Maude Avenue" in page
    # 15 calendar days from receipt (UNVERIFIED for deletion, kept in facts.json).
    assert "Feb. 15, 2026" in page
    assert "ANPD" in page or "Autoridade Nacional" in page
