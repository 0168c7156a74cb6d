from django.core.management.base import BaseCommand
from django.db import transaction
from encrypted_fields.fields import EncryptedFieldMixin

from requests_app.choices import Status
from requests_app.models import DeletionRequest, StoredReceipt
from requests_app.services.links import email_digest

# Every encrypted column, found on the model so that a new one is never missed.
ENCRYPTED_FIELDS = [field.name for field in DeletionRequest._meta.fields if isinstance(field, EncryptedFieldMixin)]


class Command(BaseCommand):
    help = (
        "Re-encrypt personal data with the first of FIELD_ENCRYPTION_KEYS and recompute the email lookup hashes "
        "(after a key rotation)."
    )

    def handle(self, *args, **options):
        count = 0
        ids = list(DeletionRequest.objects.values_list("pk", flat=True))
        for start in range(0, len(ids), 500):
            with transaction.atomic():
                # Locked, and erased ones skipped: an erase committing meanwhile
                # must not get its personal fields written back.
                batch = DeletionRequest.objects.select_for_update().filter(pk__in=ids[start : start + 500])
                for request in batch.exclude(status=Status.ERASED):
                    # Reading decrypts with any known key; saving encrypts with the first.
                    # The lookup hash is keyed by EMAIL_LOOKUP_KEY (SECRET_KEY by default).
                    request.email_digest = email_digest(request.email) if request.email else ""
                    request.save(update_fields=[*ENCRYPTED_FIELDS, "email_digest"])
                    count += 1
        receipts = 0
        for stored in StoredReceipt.objects.iterator():
            # Conditional on what it shows: a receipt the worker replaced
            # meanwhile keeps its new PDF.
            current = StoredReceipt.objects.filter(
                pk=stored.pk, fingerprint=stored.fingerprint, render_version=stored.render_version
            )
            if stored.pdf is None:
                # Encrypted with a key no longer known: the next download renders it anew.
                current.delete()
            else:
                receipts += current.update(pdf=stored.pdf)
        self.stdout.write(f"Re-encrypted {count} requests and {receipts} stored receipts.")
