from django.contrib import admin
from django.urls import include, path, re_path

from requests_app import dev_views, views
from requests_app.dev_outbox import MESSAGE_ID_PATTERN

handler400 = "requests_app.views.bad_request"
handler404 = "requests_app.views.not_found"
handler500 = "requests_app.views.server_error"

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("", include("requests_app.urls")),
    # DEBUG only (404 otherwise): the emails `make run` kept instead of sending.
    path("dev/outbox/", dev_views.outbox, name="dev_outbox"),
    re_path(rf"^dev/outbox/(?P<message_id>{MESSAGE_ID_PATTERN})/$", dev_views.outbox_email, name="dev_outbox_email"),
    re_path(
        rf"^dev/outbox/(?P<message_id>{MESSAGE_ID_PATTERN})/html$",
        dev_views.outbox_email_html,
        name="dev_outbox_email_html",
    ),
    re_path(
        rf"^dev/outbox/(?P<message_id>{MESSAGE_ID_PATTERN})/attachments/(?P<number>[0-9]{{1,3}})$",
        dev_views.outbox_attachment,
        name="dev_outbox_attachment",
    ),
]
