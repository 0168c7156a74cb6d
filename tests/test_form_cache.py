"""The form pages' per-process cache (requests_app/form_cache.py) changes
nothing a visitor sees: every wizard step, in every language, unbound, bound
and with errors, and the request page, are byte for byte what they are with
the cache off; a visitor's values and errors never reach another's page."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.conf import settings
from django.test import Client

from requests_app import form_cache
from requests_app.tokens import token_issue
from tests.factories import DeletionRequestFactory
from tests.journey import post_step, what, you

pytestmark = pytest.mark.django_db

LANGUAGES = [code for code, _name in settings.LANGUAGES]
# What differs between two renderings of one page by design: the masked CSRF
# token, the CSP nonce, the review step's random creation key and the
# reference it reserves for the letter's preview.
VOLATILE = [
    re.compile(r'(name="csrfmiddlewaretoken" value=")[^"]+'),
    re.compile(r'(nonce=")[^"]+'),
    re.compile(r'(name="review-creation_key" value=")[^"]+'),
    re.compile(r"(LO-)[0-9A-Z]{4}-[0-9A-Z]{4}"),
]


def _stable(response) -> str:
    html = response.content.decode()
    for pattern in VOLATILE:
        html = pattern.sub(r"\1…", html)
    return html


def _wizard_pages(language: str) -> dict[str, str]:
    """Every step as a visitor meets it: first unbound, then sent back with
    errors, then (for step one) again with the values typed before."""
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    pages = {}

    def page(label: str, response) -> None:
        assert response.status_code == 200, (label, response.status_code)
        pages[label] = _stable(response)

    page("you", client.get("/start/you/"))
    page(
        "you, errors",
        post_step(
            client, "you", you(first_name="", email="not-an-email", country="US", subdivision="", language=language)
        ),
    )
    assert post_step(client, "you", you(language=language)).status_code == 302
    page("what", client.get("/start/what/"))
    page("what, errors", post_step(client, "what", what(data_categories=[])))
    assert post_step(client, "what", what()).status_code == 302
    page("ai-setting", client.get("/start/ai-setting/"))
    page("ai-setting, errors", post_step(client, "ai-setting", {"status": "off", "switched_off_on": "2999-01-01"}))
    assert (
        post_step(client, "ai-setting", {"status": "off", "switched_off_on": date.today().isoformat()}).status_code
        == 302
    )
    page("reminders", client.get("/start/reminders/"))
    page("reminders, errors", post_step(client, "reminders", {"reminders_enabled": "maybe"}))
    assert post_step(client, "reminders", {"reminders_enabled": "yes"}).status_code == 302
    page("review", client.get("/start/review/"))
    page("you, typed before", client.get("/start/you/"))
    return pages


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_wizard_step_renders_the_same_with_and_without_the_cache(language, settings):
    settings.RENDER_CACHE = False
    uncached = _wizard_pages(language)
    settings.RENDER_CACHE = True
    filling, cached = _wizard_pages(language), _wizard_pages(language)
    assert form_cache.kept()["unbound forms"] >= 4  # the second run was served from the cache
    for label, html in uncached.items():
        assert filling[label] == html, (language, label)
        assert cached[label] == html, (language, label)
    # The pages are in the visitor's language (so the comparison compared something).
    assert f'<html lang="{language}">' in cached["you"]


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_request_page_renders_the_same_with_and_without_the_cache(language, settings):
    request = DeletionRequestFactory(language=language)
    token = token_issue(request=request)
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    settings.RENDER_CACHE = False
    uncached = _stable(client.get(f"/r/{token}/"))
    settings.RENDER_CACHE = True
    assert _stable(client.get(f"/r/{token}/")) == uncached
    assert _stable(client.get(f"/r/{token}/")) == uncached
    assert 'name="submitted-submitted_on"' in uncached


def _select(html: str, name: str) -> str:
    return re.search(rf'<select name="you-{name}".*?</select>', html, re.S).group(0)


def test_the_visitors_country_and_state_stay_selected():
    pages = _wizard_pages("en")
    for label, country, subdivision in (("you, errors", "US", ""), ("you, typed before", "DE", "BE")):
        countries = _select(pages[label], "country")
        assert countries.count(" selected>") == 1, label
        assert f'<option value="{country}" selected>' in countries, label
        states = _select(pages[label], "subdivision")
        assert states.count(" selected>") == 1, label
        assert f'<option value="{subdivision}" selected>' in states, label
    # A new visitor sees the prompt chosen, as Django renders an empty choice.
    assert '<option value="" selected>' in _select(pages["you"], "country")


def test_one_visitors_values_and_errors_never_reach_another_visitors_page():
    first = Client()
    shown = post_step(
        first,
        "you",
        you(first_name="Zbigniewa", last_name="Quellenhof", email="zbig@", country="CA", subdivision="QC"),
    ).content.decode()
    assert "Zbigniewa" in shown and "Enter a valid email address." in shown  # the cache had them in hand

    second = Client()
    new_page = second.get("/start/you/").content.decode()
    errors_page = post_step(second, "you", you(first_name="", country="FR", subdivision="")).content.decode()
    for html in (new_page, errors_page):
        assert "Zbigniewa" not in html and "Quellenhof" not in html and "zbig@" not in html
        assert "Enter a valid email address." not in html
        assert '<option value="CA" selected>' not in html and '<option value="QC" selected>' not in html
    assert "is-invalid" not in new_page
    assert '<option value="FR" selected>' in errors_page


def test_a_changed_setting_shows_at_once(settings):
    Client().get("/start/you/")  # fills the cache
    settings.COUNTRIES_FIRST = ["DE"]
    settings.COUNTRIES_FIRST_BREAK = "----"
    countries = _select(Client().get("/start/you/").content.decode(), "country")
    assert re.search(r'<option value="" selected>[^<]*</option>\s*<option value="DE">', countries)


def test_pages_in_one_language_after_another_each_stay_in_their_own(settings):
    def first_steps() -> list[str]:
        return [_stable(Client(HTTP_ACCEPT_LANGUAGE=language).get("/start/you/")) for language in [*LANGUAGES, "en"]]

    settings.RENDER_CACHE = False
    uncached = first_steps()
    settings.RENDER_CACHE = True
    # One process, one cache: each language's page after the others'.
    assert first_steps() == uncached
    assert first_steps() == uncached
    assert "Choose your country" in uncached[0] and "Choose your country" not in uncached[1]
