"""Sessions stored encrypted: the guided form keeps the half-filled answers
(name, email, address) in the session table until the request is made, and
Django's own serializer stores them as readable base64 JSON."""

from __future__ import annotations

import json

from cryptography.fernet import InvalidToken

from .models import field_fernet


class EncryptedJSONSerializer:
    """Django's JSON session serializer, its output encrypted with the field
    keys (FIELD_ENCRYPTION_KEYS). Django signs the result as before."""

    def dumps(self, obj) -> bytes:
        return field_fernet().encrypt(json.dumps(obj, separators=(",", ":")).encode("utf-8"))

    def loads(self, data: bytes):
        try:
            return json.loads(field_fernet().decrypt(data).decode("utf-8"))
        except InvalidToken:
            # Written before encryption, or with a key no longer known: Django
            # treats a session it cannot read as empty.
            raise ValueError("session data could not be decrypted") from None
