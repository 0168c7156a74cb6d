from django.urls import path, re_path

from . import receipt_views, views
from .wizard import StartWizard

app_name = "requests_app"

start = StartWizard.as_view(url_name="requests_app:start_step", done_step_name="done")

urlpatterns = [
    path("", views.home, name="home"),
    path("laws/", views.laws, name="laws"),
    path("faq/", views.faq, name="faq"),
    path("about/", views.about, name="about"),
    path("privacy/", views.privacy, name="privacy"),
    path("accessibility/", views.accessibility, name="accessibility"),
    path("start/", start, name="start"),
    re_path(r"^start/(?P<step>[a-z-]+)/$", start, name="start_step"),
    path("link/", views.email_link, name="email_link"),
    path("r/<str:token>/", views.request_detail, name="detail"),
    path("r/<str:token>/letter.txt", views.letter_download, name="letter"),
    path("r/<str:token>/letter/", views.letter_print, name="letter_print"),
    path("r/<str:token>/letter.pdf", receipt_views.letter_pdf_download, name="letter_pdf"),
    path("r/<str:token>/submitted/", views.mark_submitted, name="mark_submitted"),
    path("r/<str:token>/extended/", views.record_extension, name="record_extension"),
    path("r/<str:token>/answered/", views.record_answer, name="record_answer"),
    path("r/<str:token>/id-given/", views.record_id_given, name="record_id_given"),
    path("r/<str:token>/follow-up/", views.record_follow_up, name="record_follow_up"),
    path("r/<str:token>/appeal/", views.record_appeal, name="record_appeal"),
    path("r/<str:token>/appeal-answer/", views.record_appeal_answer, name="record_appeal_answer"),
    path("r/<str:token>/complaint/", views.record_complaint, name="record_complaint"),
    path("r/<str:token>/access-sent/", views.record_access_sent, name="record_access_sent"),
    path("r/<str:token>/access-answered/", views.record_access_answer, name="record_access_answer"),
    path("r/<str:token>/ai-setting/", views.confirm_ai_setting, name="confirm_ai_setting"),
    path("r/<str:token>/erase/", views.erase, name="erase"),
    path("r/<str:token>/new-link/", views.new_link, name="new_link"),
    path("r/<str:token>/changes-link/", views.changes_link, name="changes_link"),
    path("r/<str:token>/confirm-email/", views.confirm_email, name="confirm_email"),
    path("r/<str:token>/reminders/", views.reminders_toggle, name="reminders_toggle"),
    path("r/<str:token>/deadlines.ics", views.calendar_download, name="calendar"),
    path("unsubscribe/<str:signed>/", views.unsubscribe, name="unsubscribe"),
    path("r/<str:token>/receipt.pdf", receipt_views.receipt_download, name="receipt"),
    path("r/<str:token>/complaint-<slug:authority>.pdf", receipt_views.complaint_pack_download, name="complaint_pack"),
    path("verify/<str:reference>/", receipt_views.receipt_verify, name="verify"),
]
