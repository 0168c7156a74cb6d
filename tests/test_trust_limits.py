"""A looping client cannot grow a request or keep re-rendering its receipt
(issue 13, item 3): one private link's changes are limited per hour, and a
timeline holds a bounded number of lines."""

from __future__ import annotations

from datetime import date

import pytest

from requests_app.lifecycle import InvalidTransition
from requests_app.models import RequestEvent
from requests_app.services import requests as request_services
from requests_app.tokens import token_issue

from .factories import DeletionRequestFactory

pytestmark = pytest.mark.django_db


def test_one_link_makes_at_most_30_changes_an_hour_and_another_link_is_not_slowed(client):
    looping = DeletionRequestFactory()
    token = token_issue(request=looping)
    statuses = [
        client.post(f"/r/{token}/submitted/", {"submitted-submitted_on": "2026-11-20"}).status_code for _ in range(31)
    ]
    assert statuses[:30] == [302] * 30 and statuses[30] == 429
    assert "Too many attempts" in client.post(f"/r/{token}/reminders/", {"reminders": "off"}).content.decode()
    other = DeletionRequestFactory()
    assert (
        client.post(f"/r/{token_issue(request=other)}/submitted/", {"submitted-submitted_on": "2026-11-20"}).status_code
        == 302
    )


def test_a_full_timeline_refuses_more_changes_and_keeps_its_erase(client, settings):
    request = DeletionRequestFactory()
    RequestEvent.objects.bulk_create(
        [RequestEvent(request=request, kind="submitted", on_date=date(2026, 11, 20)) for _ in range(200)]
    )
    with pytest.raises(InvalidTransition):
        request_services.request_mark_submitted(request=request, submitted_on=date(2026, 11, 21))
    request.refresh_from_db()
    assert request.submitted_on is None  # nothing changed
    response = client.post(f"/r/{token_issue(request=request)}/submitted/", {"submitted-submitted_on": "2026-11-21"})
    assert response.status_code == 302
    assert "as many changes as it can hold" in client.get(response.url).content.decode()
    request_services.request_erase(request=request)  # the member can always erase
    request.refresh_from_db()
    assert request.is_erased
