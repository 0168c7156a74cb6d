from django.contrib import admin
from django.urls import include, path

from requests_app import views

handler400 = "requests_app.views.bad_request"
handler404 = "requests_app.views.not_found"
handler500 = "requests_app.views.server_error"

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("", include("requests_app.urls")),
]
