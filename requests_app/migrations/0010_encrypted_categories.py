"""The data categories a member chose are personal too: stored encrypted,
like the other personal fields. Existing rows are encrypted in place."""

from django.db import migrations

import requests_app.models


def encrypt_categories(apps, schema_editor):
    DeletionRequest = apps.get_model("requests_app", "DeletionRequest")
    for request in DeletionRequest.objects.only("pk", "data_categories_clear").iterator():
        request.data_categories = list(request.data_categories_clear or [])
        request.save(update_fields=["data_categories"])


def decrypt_categories(apps, schema_editor):
    DeletionRequest = apps.get_model("requests_app", "DeletionRequest")
    for request in DeletionRequest.objects.only("pk", "data_categories").iterator():
        request.data_categories_clear = list(request.data_categories or [])
        request.save(update_fields=["data_categories_clear"])


class Migration(migrations.Migration):
    dependencies = [
        ("requests_app", "0009_next_steps_and_access_request"),
    ]

    operations = [
        migrations.RenameField(model_name="deletionrequest", old_name="data_categories", new_name="data_categories_clear"),
        migrations.AddField(
            model_name="deletionrequest",
            name="data_categories",
            field=requests_app.models.EncryptedJSON(default=list),
        ),
        migrations.RunPython(encrypt_categories, decrypt_categories),
        migrations.RemoveField(model_name="deletionrequest", name="data_categories_clear"),
        migrations.AlterField(
            model_name="deletionrequest",
            name="specific_urls",
            field=requests_app.models.EncryptedJSON(blank=True, default=list),
        ),
    ]
