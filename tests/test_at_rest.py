"""No personal byte in clear at rest (issue 13, item 6): the half-filled form
in the session table, the chosen data categories, with encryption keys apart
from the signing key and rotatable."""

from __future__ import annotations

import base64
import zlib

import pytest
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.db import connection

from requests_app.models import DeletionRequest

from .factories import DeletionRequestFactory
from .journey import post_step, you

pytestmark = pytest.mark.django_db


def _readable(session_data: str) -> bytes:
    """Everything a dump reader can get out of a session row without keys:
    Django's signed value is base64 (perhaps zlib) of the serializer's output."""
    payload = session_data.split(":", 1)[0]
    compressed = payload.startswith(".")
    raw = base64.urlsafe_b64decode(payload.lstrip(".") + "=" * (-len(payload.lstrip(".")) % 4))
    return zlib.decompress(raw) if compressed else raw


def test_the_half_filled_form_is_not_readable_in_the_session_table(client):
    client.get("/start/")
    post_step(client, "you", you(first_name="Zoë", last_name="Secretname", email="zoe.secret@example.org"))
    rows = list(Session.objects.all())
    assert rows
    for row in rows:
        readable = _readable(row.session_data)
        assert b"Secretname" not in readable and b"zoe.secret" not in readable
    # ... and the form still remembers what was typed.
    assert "Secretname" in client.get("/start/you/").content.decode()


def test_the_data_categories_are_encrypted_in_their_column():
    request = DeletionRequestFactory(data_categories=["profile", "posts"])
    with connection.cursor() as cursor:
        cursor.execute("SELECT data_categories FROM requests_app_deletionrequest WHERE id = %s", [request.pk])
        (stored,) = cursor.fetchone()
    assert "profile" not in str(stored)
    assert DeletionRequest.objects.get(pk=request.pk).data_categories == ["profile", "posts"]


def test_encryption_keys_are_apart_from_the_signing_key_and_rotate(settings):
    settings.FIELD_ENCRYPTION_KEYS = ["encryption-key-one-" + "x" * 30]
    request = DeletionRequestFactory(full_name="Anna Rotation", data_categories=["posts"])
    # Another signing key changes nothing for the stored data.
    settings.SECRET_KEY = "another-signing-key-" + "y" * 30
    assert DeletionRequest.objects.get(pk=request.pk).full_name == "Anna Rotation"
    # A new encryption key first, the old one after it: still readable; after reencrypt, the old key can go.
    settings.FIELD_ENCRYPTION_KEYS = ["encryption-key-two-" + "z" * 30, "encryption-key-one-" + "x" * 30]
    assert DeletionRequest.objects.get(pk=request.pk).full_name == "Anna Rotation"
    call_command("reencrypt", verbosity=0)
    settings.FIELD_ENCRYPTION_KEYS = ["encryption-key-two-" + "z" * 30]
    rotated = DeletionRequest.objects.get(pk=request.pk)
    assert rotated.full_name == "Anna Rotation" and rotated.data_categories == ["posts"]
