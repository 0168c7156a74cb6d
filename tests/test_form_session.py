"""The guided form's session and pages: nothing personal is cached, the
session id changes when the form starts and when the request is made, and a
replayed "Create" does not open the private page."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import get_resolver

from requests_app.models import AccessToken, DeletionRequest
from requests_app.services.links import unsubscribe_token
from requests_app.tokens import token_issue
from tests.conftest import needs_pdf
from tests.factories import DeletionRequestFactory
from tests.journey import post_step, step_data, what, you

pytestmark = pytest.mark.django_db

NAME, EMAIL = "Oksana Kovalenko", "oksana.private@example.org"
# Public pages, the same for everyone: a cache may keep them.
PUBLIC = {"home", "laws", "faq", "about", "privacy", "accessibility"}


def filled_to_review(client: Client) -> str:
    """Walk the first four steps; return the creation key of the review page."""
    client.get("/start/")
    for step, fields in (
        ("you", you(full_name=NAME, email=EMAIL)),
        ("what", what()),
        ("ai-setting", {"status": "not_yet"}),
        ("reminders", {"reminders_enabled": "yes"}),
    ):
        assert post_step(client, step, fields).status_code == 302, step
    return client.get("/start/review/").context["form"].initial["creation_key"]


def session_id(client: Client) -> str:
    return client.cookies[settings.SESSION_COOKIE_NAME].value


@needs_pdf
def test_every_page_but_the_public_ones_is_never_cached():
    request = DeletionRequestFactory()
    token = token_issue(request=request)
    example = {
        "start": "/start/",
        "start_step": "/start/review/",
        "email_link": "/link/",
        "detail": f"/r/{token}/",
        "letter": f"/r/{token}/letter.txt",
        "letter_print": f"/r/{token}/letter/",
        "letter_pdf": f"/r/{token}/letter.pdf",
        "mark_submitted": f"/r/{token}/submitted/",
        "record_extension": f"/r/{token}/extended/",
        "record_answer": f"/r/{token}/answered/",
        "record_id_given": f"/r/{token}/id-given/",
        "record_follow_up": f"/r/{token}/follow-up/",
        "record_appeal": f"/r/{token}/appeal/",
        "record_appeal_answer": f"/r/{token}/appeal-answer/",
        "record_complaint": f"/r/{token}/complaint/",
        "record_access_sent": f"/r/{token}/access-sent/",
        "record_access_answer": f"/r/{token}/access-answered/",
        "complaint_pack": f"/r/{token}/complaint-ie_dpc.pdf",
        "confirm_ai_setting": f"/r/{token}/ai-setting/",
        "erase": f"/r/{token}/erase/",
        "new_link": f"/r/{token}/new-link/",
        "changes_link": f"/r/{token_issue(request=request, purpose='view')}/changes-link/",
        "confirm_email": f"/r/{token_issue(request=request, purpose='confirm_email')}/confirm-email/",
        "reminders_toggle": f"/r/{token}/reminders/",
        "calendar": f"/r/{token}/deadlines.ics",
        "unsubscribe": f"/unsubscribe/{unsubscribe_token(request)}/",
        "receipt": f"/r/{token}/receipt.pdf",
        "verify": f"/verify/{request.reference}/",
    }
    names = {
        name for name in get_resolver("requests_app.urls").reverse_dict if isinstance(name, str) and name not in PUBLIC
    }
    # A new page must say here whether it may be cached.
    assert names == set(example)
    client = Client()
    filled_to_review(client)
    for name, path in example.items():
        response = client.get(path)
        assert response.status_code != 500, name
        assert "no-store" in response.get("Cache-Control", ""), (name, path, response.status_code)
    for step in ("you", "what", "ai-setting", "reminders", "review"):
        assert "no-store" in client.get(f"/start/{step}/")["Cache-Control"], step
    assert "no-store" not in Client().get("/laws/").get("Cache-Control", "")


def test_looking_at_the_form_stores_no_session():
    client = Client()
    page = client.get("/start/", follow=True)
    assert page.status_code == 200 and 'name="you-first_name"' in page.content.decode()
    assert settings.SESSION_COOKIE_NAME not in client.cookies
    assert not Session.objects.exists()


def test_a_session_id_planted_before_the_form_sees_nothing_typed_into_it():
    attacker = Client()
    # Looking stores no session: an incomplete first step gets one.
    assert post_step(attacker, "you", {"first_name": ""}).status_code == 200
    planted = session_id(attacker)
    victim = Client()
    victim.cookies[settings.SESSION_COOKIE_NAME] = planted
    filled_to_review(victim)
    assert session_id(victim) != planted
    # The attacker's copy of the id opens an empty form, not the victim's.
    review = attacker.get("/start/review/")
    assert review.status_code == 302 and review["Location"].endswith("/start/you/")
    assert NAME.split()[0] not in attacker.get("/start/you/", follow=True).content.decode()


def test_the_session_id_changes_again_when_the_request_is_made():
    client = Client()
    key = filled_to_review(client)
    before = session_id(client)
    response = post_step(client, "review", {"creation_key": key})
    assert response.status_code == 302 and "/r/" in response["Location"]
    assert session_id(client) != before


def test_a_double_click_on_create_opens_the_request_once_then_says_the_link_was_emailed():
    client = Client()
    key = filled_to_review(client)
    old_cookie = session_id(client)
    first = post_step(client, "review", {"creation_key": key})
    # The browser dropped the first answer (and its new cookie) for the second click's.
    second_click = Client()
    second_click.cookies[settings.SESSION_COOKIE_NAME] = old_cookie
    second = post_step(second_click, "review", {"creation_key": key})
    assert first.status_code == second.status_code == 302
    assert "/r/" in second["Location"]
    assert "already created" in second_click.get(second["Location"]).content.decode()
    tokens = AccessToken.objects.count()
    third = post_step(client, "review", {"creation_key": key})
    assert third.status_code == 200 and "we emailed you the link" in third.content.decode().lower()
    assert AccessToken.objects.count() == tokens
    assert DeletionRequest.objects.count() == 1


@pytest.mark.parametrize("cookie", ["before creation", "after creation"])
def test_a_later_replay_of_create_mints_no_token_and_opens_nothing(cookie):
    client = Client()
    key = filled_to_review(client)
    copies = {"before creation": session_id(client)}
    post_step(client, "review", {"creation_key": key})
    copies["after creation"] = session_id(client)
    tokens = AccessToken.objects.count()
    thief = Client()
    thief.cookies[settings.SESSION_COOKIE_NAME] = copies[cookie]
    with time_machine.travel(datetime.now(tz=UTC) + timedelta(minutes=5)):
        replay = thief.post("/start/review/", step_data("review", {"creation_key": key}))
    assert replay.status_code == 200
    page = replay.content.decode()
    assert "Your request was already created" in page and "we emailed you the link" in page.lower()
    assert "/r/" not in page and NAME not in page and EMAIL not in page
    assert AccessToken.objects.count() == tokens
    assert DeletionRequest.objects.count() == 1
