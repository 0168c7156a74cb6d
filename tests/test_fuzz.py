"""Hypothesis drives every step and every state-changing POST with random
input: nothing may produce a server error, and invariants must hold."""

from __future__ import annotations

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from requests_app.models import DeletionRequest
from requests_app.services import requests as request_services
from tests.factories import DeletionRequestFactory
from tests.journey import post_step, you

pytestmark = pytest.mark.django_db

FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
text = st.text(max_size=300) | st.sampled_from(
    ["", "<script>alert(1)</script>", "'; DROP TABLE x;--", "\x00", "\r\nBcc: a@b.c", "a" * 5000]
)


@FUZZ
@given(fields=st.fixed_dictionaries({name: text for name in you()}))
def test_step_one_never_errors(fields):
    client = Client()
    client.get("/start/")
    response = post_step(client, "you", fields)
    assert response.status_code in (200, 302)
    assert DeletionRequest.objects.count() == 0


@FUZZ
@given(
    fields=st.fixed_dictionaries(
        {
            "data_categories": st.lists(text, max_size=3),
            "specific_urls": text,
            "object_to_processing": text,
            "close_account": text,
        }
    )
)
def test_step_two_never_errors(fields):
    client = Client()
    client.get("/start/")
    assert post_step(client, "you", you()).status_code == 302
    response = post_step(client, "what", fields)
    assert response.status_code in (200, 302)


@FUZZ
@given(
    step=st.sampled_from(["you", "what", "ai-setting", "reminders", "review", "done", "nope"]),
    data=st.dictionaries(text, text, max_size=5),
)
def test_any_post_to_any_step_never_errors(step, data):
    client = Client()
    response = client.post(f"/start/{step}/", data)
    assert response.status_code in (200, 302, 400, 404)
    assert DeletionRequest.objects.count() == 0


@FUZZ
@given(
    action=st.sampled_from(["submitted", "extended", "answered", "ai-setting", "erase"]),
    data=st.dictionaries(text, text, max_size=4),
    date=text | st.dates().map(str),
    confirm=st.booleans(),
)
def test_state_changing_posts_never_error(action, data, date, confirm):
    from requests_app.tokens import token_issue

    request = DeletionRequestFactory()
    request_services.request_confirm_email(request=request)
    before = list(request.events.order_by("id").values_list("kind", flat=True))
    token = token_issue(request=request)
    payload = {
        **data,
        "submitted-submitted_on": date,
        "extension-announced_on": date,
        "answer-answered_on": date,
        "answer-outcome": date,
        **({"confirm": "on"} if confirm else {}),
    }
    response = Client().post(f"/r/{token}/{action}/", payload)
    assert response.status_code in (200, 302, 400, 410)
    request.refresh_from_db()
    events = list(request.events.order_by("id").values_list("kind", flat=True))
    assert events.count("created") <= 1
    # Timeline append-only: whatever happened, earlier events are untouched.
    assert events[: len(before)] == before
    # What the user sees next (the POST answered with a redirect at best):
    # their page still opens, or, once erased, says so.
    page = Client().get(f"/r/{token}/")
    if request.is_erased:
        assert page.status_code == 410 and "No reminders will be sent." in page.content.decode()
    else:
        assert page.status_code == 200
