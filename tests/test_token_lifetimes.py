"""Links with a purpose and a life (issue 13, item 10): reminder emails carry
links that expire, the calendar file a read-only one, the unsubscribe link a
token that only unsubscribes and shows no id, and the member can end every
link at once ("send me a new link, end the old ones")."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django.utils import timezone

from requests_app.models import AccessToken
from requests_app.services import outbox
from requests_app.tokens import token_issue

from .factories import DeletionRequestFactory
from .test_reminders import deliver_due, make_request

pytestmark = pytest.mark.django_db


def _links(body: str) -> list[str]:
    return [word.removeprefix(settings.SITE_URL) for word in body.split() if word.startswith(settings.SITE_URL + "/")]


def test_a_reminder_emails_links_expire_and_its_unsubscribe_link_only_unsubscribes(mailoutbox):
    request = make_request()
    deliver_due(datetime(2026, 1, 31, 8, 1, tzinfo=UTC))
    message = next(m for m in mailoutbox if "send your request" in m.subject.lower())
    page = next(link for link in _links(message.body) if re.fullmatch(r"/r/[\w-]+/", link))
    unsubscribe = message.extra_headers["List-Unsubscribe"].strip("<>").removeprefix(settings.SITE_URL)
    # The id of the request is not in the unsubscribe link, and it opens no page.
    token = unsubscribe.split("/")[2]
    # A token of its own (shared by the request's emails), not the request's id.
    assert AccessToken.objects.filter(request=request, purpose="unsubscribe").count() == 1
    assert Client().get(f"/r/{token}/").status_code == 404
    with time_machine.travel(datetime(2026, 2, 10, tzinfo=UTC)):
        # Read-only: it shows where the request stands and changes nothing.
        visitor = Client()
        shown = visitor.get(page)
        assert shown.status_code == 200 and "only shows where the request stands" in shown.content.decode()
        view_token = page.split("/")[2]
        assert visitor.post(f"/r/{view_token}/submitted/", {"submitted-submitted_on": "2026-02-01"}).status_code == 404
        # It can ask for a link that changes: that one goes to the member's own address.
        assert visitor.post(f"/r/{view_token}/changes-link/").status_code == 302
        assert request.reminders.filter(kind="private_link", state="pending").exists()
    with time_machine.travel(datetime(2026, 4, 5, tzinfo=UTC)):  # more than 60 days after the email
        assert Client().get(page).status_code == 404
        assert Client().post(unsubscribe).status_code == 200  # unsubscribing keeps working
    request.refresh_from_db()
    assert not request.reminders_enabled


def test_the_calendar_file_carries_a_read_only_link(client):
    request = DeletionRequestFactory(status="submitted", submitted_on=timezone.localdate())
    token = token_issue(request=request)
    calendar = client.get(f"/r/{token}/deadlines.ics").content.decode().replace("\r\n ", "")
    link = re.search(r"/r/([\w-]+)/", calendar).group(1)
    assert link != token
    assert AccessToken.objects.filter(request=request, purpose="view").count() == 1
    page = client.get(f"/r/{link}/")
    assert page.status_code == 200 and "only shows where the request stands" in page.content.decode()
    assert client.post(f"/r/{link}/submitted/", {"submitted-submitted_on": "2026-11-01"}).status_code == 404
    assert client.get(f"/r/{link}/receipt.pdf").status_code == 404  # and nothing else opens


def test_sending_a_new_link_ends_every_old_one_and_emails_a_new_one(client, mailoutbox):
    request = DeletionRequestFactory(email_confirmed_at=timezone.now())
    old = token_issue(request=request)
    calendar = token_issue(request=request, purpose="view")
    response = client.post(f"/r/{old}/new-link/")
    assert response.status_code == 200 and "Your old links no longer work" in response.content.decode()
    assert client.get(f"/r/{old}/").status_code == 404
    assert client.get(f"/r/{calendar}/").status_code == 404
    row = request.reminders.get(kind="private_link", state="pending")
    assert outbox.reminder_deliver(reminder_id=row.pk) == "sent"
    fresh = next(link for link in _links(mailoutbox[-1].body) if link.startswith("/r/"))
    assert client.get(fresh).status_code == 200


def test_the_page_link_does_not_expire(client):
    request = DeletionRequestFactory()
    token = token_issue(request=request)
    with time_machine.travel(timezone.now() + timedelta(days=400)):
        assert client.get(f"/r/{token}/").status_code == 200
