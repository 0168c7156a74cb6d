"""Rate limits count per visitor, also behind the TLS proxy: the visitor's
address comes from the configured number of trusted proxies, never from a
header the visitor chose."""

from __future__ import annotations

import pytest
from django.test import Client

from requests_app.models import DeletionRequest
from tests.journey import complete_journey

PROXY = "10.0.0.2"
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _one_creation_an_hour(monkeypatch):
    from requests_app import wizard

    monkeypatch.setattr(wizard, "CREATE_RATE", "1/h")


def creates(client: Client) -> bool:
    response = complete_journey(client)
    assert response.status_code in (302, 429), response.status_code
    return response.status_code == 302


def test_two_visitors_behind_one_proxy_get_limits_of_their_own(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    attacker = {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "198.51.100.7"}
    visitor = {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "203.0.113.9"}
    assert creates(Client(**attacker))
    assert not creates(Client(**attacker))
    # The attacker's limit is not everyone's.
    assert creates(Client(**visitor))
    assert DeletionRequest.objects.count() == 2


def test_without_a_trusted_proxy_a_forged_forwarded_for_changes_nothing(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    assert creates(Client(REMOTE_ADDR="198.51.100.7", HTTP_X_FORWARDED_FOR="192.0.2.1"))
    assert not creates(Client(REMOTE_ADDR="198.51.100.7", HTTP_X_FORWARDED_FOR="192.0.2.2"))
    assert not creates(Client(REMOTE_ADDR="198.51.100.7"))
    assert DeletionRequest.objects.count() == 1


def test_behind_one_proxy_an_address_prepended_by_the_client_is_ignored(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    # The proxy appends the address it saw; whatever the client sent stays left of it.
    assert creates(Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.7"))
    for forged in ("192.0.2.1", "192.0.2.1, 192.0.2.2", "not-an-address"):
        spoofer = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=f"{forged}, 198.51.100.7")
        assert not creates(spoofer), forged
    assert DeletionRequest.objects.count() == 1


def test_a_request_that_bypassed_the_proxy_shares_the_proxy_s_limit_not_a_chosen_one(settings):
    settings.TRUSTED_PROXY_COUNT = 2
    # Two proxies should have written two entries; one entry was written by the client.
    assert creates(Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="192.0.2.1"))
    assert not creates(Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="192.0.2.2"))
    # Through both proxies: the entry the outer proxy wrote counts.
    assert creates(Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="192.0.2.3, 198.51.100.7, 10.0.0.1"))
