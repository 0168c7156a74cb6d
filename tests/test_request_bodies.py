"""A form body that cannot be decoded gets the site's own 400 page, in the
visitor's language, on every POST route; never a 500."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from django.test import Client

from requests_app.tokens import token_issue
from tests.factories import DeletionRequestFactory
from tests.journey import step_data, you

pytestmark = pytest.mark.django_db

FORM = "application/x-www-form-urlencoded"
BODIES = {
    # Forms are UTF-8 only (RFC 1866): Django refuses any other declared charset.
    "utf-16 declared and encoded": (f"{FORM}; charset=utf-16", urlencode(step_data("you", you())).encode("utf-16")),
    "utf-16 declared, utf-8 sent": (f"{FORM}; charset=utf-16", urlencode(step_data("you", you())).encode()),
    "latin-1 declared": (f"{FORM}; charset=iso-8859-1", b"you-first_name=J%F6rg"),
    "multipart without a boundary": ("multipart/form-data", b"--x\r\n\xff\xfe\r\n--x--"),
}
ROUTES = [
    "/start/you/",
    "/start/review/",
    "/link/",
    "/i18n/setlang/",
    "/admin/login/",
    "/r/{token}/submitted/",
    "/r/{token}/extended/",
    "/r/{token}/answered/",
    "/r/{token}/id-given/",
    "/r/{token}/follow-up/",
    "/r/{token}/appeal/",
    "/r/{token}/appeal-answer/",
    "/r/{token}/complaint/",
    "/r/{token}/access-sent/",
    "/r/{token}/access-answered/",
    "/r/{token}/ai-setting/",
    "/r/{token}/erase/",
    "/r/{token}/confirm-email/",
    "/r/{token}/reminders/",
]


def browser(language: str = "en") -> Client:
    """A client that checks CSRF as production does (the check reads the
    body first), holding the CSRF cookie of a page it opened."""
    client = Client(enforce_csrf_checks=True, raise_request_exception=False, HTTP_ACCEPT_LANGUAGE=language)
    client.get("/start/", follow=True)
    return client


def post_raw(client: Client, path: str, content_type: str, body: bytes):
    # generic(), not post(): post() would re-encode the body to match the charset.
    csrf = client.cookies["csrftoken"].value
    return client.generic("POST", path, body, content_type=content_type, HTTP_X_CSRFTOKEN=csrf)


@pytest.mark.parametrize("body", list(BODIES))
@pytest.mark.parametrize("route", ROUTES)
def test_an_undecodable_body_gets_a_friendly_400_on_every_post_route(route, body):
    token = token_issue(request=DeletionRequestFactory())
    content_type, raw = BODIES[body]
    response = post_raw(browser(), route.format(token=token), content_type, raw)
    assert response.status_code == 400
    page = response.content.decode()
    assert "Something was wrong with that form" in page
    # The site's own page: its stylesheet and language switcher.
    assert 'rel="stylesheet"' in page and 'action="/i18n/setlang/"' in page


def test_the_400_page_speaks_the_visitor_s_language():
    content_type, raw = BODIES["utf-16 declared and encoded"]
    response = post_raw(browser("de"), "/start/you/", content_type, raw)
    assert response.status_code == 400
    assert "Mit diesem Formular hat etwas nicht gestimmt" in response.content.decode()


def test_after_a_bad_body_the_form_still_works():
    client = browser()
    post_raw(client, "/start/you/", *BODIES["utf-16 declared and encoded"])
    response = post_raw(client, "/start/you/", FORM, urlencode(step_data("you", you())).encode())
    assert response.status_code == 302 and response["Location"].endswith("/start/what/")
