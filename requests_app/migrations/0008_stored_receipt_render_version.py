from django.db import migrations


class Migration(migrations.Migration):
    """The stored receipt's key held the render version and the fingerprint,
    which has its own column: it keeps only the version. Old values match no
    version, so those receipts are rendered anew."""

    dependencies = [("requests_app", "0007_outbox_private_link_kind")]

    operations = [migrations.RenameField("storedreceipt", "key", "render_version")]
