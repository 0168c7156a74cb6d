"""The receipt fingerprint is keyed (issue 13, item 5): a database dump alone
cannot confirm a guessed identity against it, and a fingerprint LinkedOut
issued still verifies after the key is rotated and after the member erased
everything."""

from __future__ import annotations

import hashlib

import pytest

from requests_app import receipts
from requests_app.models import ReceiptFingerprint
from requests_app.services import requests as request_services
from requests_app.services.receipts import receipt_issue

from .conftest import needs_pdf
from .factories import DeletionRequestFactory

pytestmark = pytest.mark.django_db


def test_a_dump_alone_cannot_recompute_a_fingerprint_from_a_guessed_identity(settings):
    request = DeletionRequestFactory(full_name="Anna Müller")
    events = receipts.receipt_events(request)
    issued = receipts.receipt_fingerprint(request, events=events)
    # Everything a dump holds (the row, its salt, the content) hashed without the key: no match.
    unkeyed = hashlib.sha256(receipts.canonical_json(receipts.canonical_content(request, events=events))).hexdigest()
    assert unkeyed != issued
    settings.RECEIPT_FINGERPRINT_KEY = "another-key-an-attacker-might-guess"
    assert receipts.receipt_fingerprint(request, events=events) != issued


@needs_pdf
def test_an_issued_fingerprint_verifies_after_the_key_is_rotated_and_after_erase(client, settings):
    request = DeletionRequestFactory()
    issued = receipt_issue(request=request)
    assert ReceiptFingerprint.objects.filter(reference=request.reference, fingerprint=issued.fingerprint).exists()
    settings.RECEIPT_FINGERPRINT_KEY = "rotated-" + "k" * 40
    request_services.request_erase(request=request)
    page = client.get(f"/verify/{request.reference}/", {"fingerprint": issued.fingerprint}).content.decode()
    assert "This fingerprint matches a receipt LinkedOut issued." in page
