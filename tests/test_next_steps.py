"""Every answer has a next step: the request page names it and offers its
text at every fork (overdue, follow-up, refused, partly, ID demanded,
"training already done", restricted account, appeal, complaint), the
reminders follow the same recorded state, the complaint states only what the
timeline holds, and the complaint pack is a PDF the authority can verify."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import time_machine
from django.test import Client

from requests_app import dates, letters, receipts, stages
from requests_app.lifecycle import DateOrderError, InvalidTransition
from requests_app.models import DeletionRequest, ReceiptFingerprint
from requests_app.services import requests as request_services
from requests_app.stages import StageKind, stage_of
from requests_app.tokens import token_issue

from .conftest import needs_pdf
from .factories import DeletionRequestFactory
from .journey import complete_journey, what
from .test_receipts import pdf_text, squashed
from .test_reminders import deliver_due, kinds, make_request

pytestmark = pytest.mark.django_db

SENT = date(2026, 1, 31)  # GDPR due 2 March 2026 (28 Feb is a Saturday); follow-up to 16 March
DUE = date(2026, 3, 2)


def _submitted(**fields) -> DeletionRequest:
    request = make_request(ai_setting_off_on=date(2026, 1, 29), **fields)
    with time_machine.travel(datetime(2026, 2, 1, 9, tzinfo=UTC)):
        request_services.request_mark_submitted(request=request, submitted_on=SENT)
    request.refresh_from_db()
    return request


def _page(client: Client, request: DeletionRequest, day: date) -> str:
    with time_machine.travel(datetime.combine(day, datetime.min.time(), tzinfo=UTC).replace(hour=10)):
        response = client.get(f"/r/{token_issue(request=request)}/")
    assert response.status_code == 200
    return response.content.decode()


def _stage_on_page(page: str) -> str:
    marker = 'data-testid="next-step" data-stage="'
    start = page.index(marker) + len(marker)
    return page[start : page.index('"', start)]


def _post(client: Client, request: DeletionRequest, path: str, data: dict, day: date):
    with time_machine.travel(datetime.combine(day, datetime.min.time(), tzinfo=UTC).replace(hour=10)):
        return client.post(f"/r/{token_issue(request=request)}/{path}/", data)


# --------------------------------------------------------------------------- the stages, on the page


def test_a_request_not_sent_yet_says_to_send_it(client):
    request = make_request()
    assert _stage_on_page(_page(client, request, date(2026, 1, 31))) == "not_sent"


def test_waiting_then_overdue_offers_the_follow_up_letter_and_records_its_date(client):
    request = _submitted()
    page = _page(client, request, date(2026, 2, 20))
    assert _stage_on_page(page) == "waiting" and "it has until March 2, 2026" in page
    page = _page(client, request, date(2026, 3, 13))
    # Eleven days overdue: not "waiting" any more, and the follow-up letter is on the page.
    assert _stage_on_page(page) == "overdue"
    assert "11 days overdue" in page
    assert "Follow-up: Request to erase my data from AI training" in page
    assert "Save: I sent the follow-up" in page
    response = _post(client, request, "follow-up", {"follow_up-sent_on": "2026-03-13"}, date(2026, 3, 13))
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.follow_up_sent_on == date(2026, 3, 13)
    assert request.events.filter(kind="follow_up_sent", on_date=date(2026, 3, 13)).exists()
    page = _page(client, request, date(2026, 3, 20))
    assert _stage_on_page(page) == "follow_up_sent" and "LinkedIn has until March 27, 2026" in page
    page = _page(client, request, date(2026, 3, 28))
    assert _stage_on_page(page) == "follow_up_overdue"
    assert "On 13 March 2026 I sent a follow-up letter giving 14 more days." in page


def test_a_follow_up_dated_before_the_deadline_is_refused_and_changes_nothing(client):
    request = _submitted()
    response = _post(client, request, "follow-up", {"follow_up-sent_on": "2026-02-27"}, date(2026, 3, 5))
    assert response.status_code == 400
    assert "The follow-up goes out after the deadline has passed, which was March 2, 2026." in response.content.decode()
    request.refresh_from_db()
    assert request.follow_up_sent_on is None
    assert not request.events.filter(kind="follow_up_sent").exists()


def test_recording_the_follow_up_moves_the_escalation_reminder_to_its_end():
    request = _submitted()
    assert kinds(request)["escalate"] == date(2026, 3, 17)  # due + 14 + 1
    with time_machine.travel(datetime(2026, 3, 10, 9, tzinfo=UTC)):
        request_services.request_record_follow_up(request=request, sent_on=date(2026, 3, 10))
    planned = kinds(request)
    assert "deadline_passed" not in planned  # the follow-up is sent: no email asking to send it
    assert planned["escalate"] == date(2026, 3, 25)  # 10 March + 14 days, then the day after


@pytest.mark.parametrize(
    ("outcome", "stage", "reply"),
    [
        ("refused", "refused", "you have not shown compelling legitimate grounds"),
        ("partly", "partly", "Please tell me which data you did not erase, and why, and erase the rest."),
        ("training_done", "training_done", "My request is not only about future training."),
        ("account_restricted", "account_restricted", "do not depend on the state of my account"),
    ],
)
def test_each_unsatisfactory_answer_gets_its_reply_and_the_complaint(client, outcome, stage, reply):
    request = _submitted(object_to_processing=True)
    response = _post(
        client, request, "answered",
        {"answer-outcome": outcome, "answer-answered_on": "2026-02-20", "answer-summary": "They said no."},
        date(2026, 2, 20),
    )  # fmt: skip
    assert response.status_code == 302
    page = _page(client, request, date(2026, 2, 21))
    assert _stage_on_page(page) == stage
    assert reply in page
    # GDPR: the reply cites the objection and erasure after objection; then the complaint to the DPC and the Land's.
    request.refresh_from_db()
    text = letters.reply_letter(request)
    assert "Article 21(1) GDPR" in text and "Article 17(1)(c) GDPR" in text
    assert "Otherwise I will complain to the Data Protection Commission." in text
    assert "Save: I sent the complaint" in page
    complaint = letters.complaint_letters(request)[0].text
    assert "They said no." in complaint
    assert "follow-up" not in complaint  # none was recorded, so none is claimed


def test_an_id_demand_gets_the_art_12_6_reply_and_the_uk_note_that_the_clock_stops(client):
    request = _submitted(object_to_processing=True)
    with time_machine.travel(datetime(2026, 2, 10, 9, tzinfo=UTC)):
        request_services.request_record_answer(request=request, outcome="asked_for_id", answered_on=date(2026, 2, 10))
    page = _page(client, request, date(2026, 2, 11))
    assert _stage_on_page(page) == "id_requested"
    assert "only where you have reasonable doubts about who I am (Article 12(6) GDPR)" in page
    assert "the time limit stops" not in page
    uk = DeletionRequestFactory(country="GB", regime_code="uk_gdpr", status="submitted", submitted_on=SENT,
                                answer_outcome="asked_for_id", id_requested_on=date(2026, 2, 10))  # fmt: skip
    page = _page(client, uk, date(2026, 2, 11))
    assert "Article 12(6) UK GDPR" in page and "the time limit stops" in page


def test_done_names_what_to_check_and_plans_the_check_that_the_setting_is_still_off(client):
    request = _submitted()
    with time_machine.travel(datetime(2026, 2, 20, 9, tzinfo=UTC)):
        request_services.request_record_answer(request=request, outcome="done", answered_on=date(2026, 2, 20))
    page = _page(client, request, date(2026, 2, 21))
    assert _stage_on_page(page) == "done"
    assert "The AI-training setting is still off" in page and "Keep your PDF receipt" in page
    assert kinds(request)["done_check"] == date(2026, 3, 20)


def test_without_reminders_the_page_still_carries_the_member_to_the_authority(client):
    request = DeletionRequestFactory(reminders_enabled=False, status="submitted", submitted_on=SENT)
    page = _page(client, request, date(2026, 3, 10))
    # Eight days overdue, no follow-up recorded: the follow-up letter, and the complaint for who wants it now.
    assert _stage_on_page(page) == "overdue"
    assert "Follow-up: Request to erase my data from AI training" in page
    assert "Complaint against LinkedIn Ireland Unlimited Company" in page
    # The follow-up's 14 days are over, sent or not: the complaint, as the escalation email would say.
    page = _page(client, request, date(2026, 3, 20))
    assert _stage_on_page(page) == "follow_up_overdue"
    assert "The period to answer ended on 2 March 2026 without an answer." in page
    assert request.reminders.count() == 0


# --------------------------------------------------------------------------- the US appeal


def _texan(client: Client) -> DeletionRequest:
    request = DeletionRequestFactory(country="US", subdivision="TX", regime_code="us_tx", status="submitted",
                                     submitted_on=SENT, object_to_processing=False)  # fmt: skip
    _post(client, request, "answered", {"answer-outcome": "refused", "answer-answered_on": "2026-02-20"},
          date(2026, 2, 20))  # fmt: skip
    request.refresh_from_db()
    return request


def test_a_texan_refused_appeals_first_then_complains_to_the_attorney_general(client):
    request = _texan(client)
    page = _page(client, request, date(2026, 2, 21))
    assert _stage_on_page(page) == "refused" and "Save: I sent the appeal" in page
    assert "I appeal this decision under Tex. Bus. &amp; Com. Code Ann. § 541.053" in page
    assert "Save: I sent the complaint" not in page  # the appeal comes first
    assert _post(client, request, "appeal", {"appeal-sent_on": "2026-02-22"}, date(2026, 2, 22)).status_code == 302
    request.refresh_from_db()
    assert request.appeal_sent_on == date(2026, 2, 22)
    page = _page(client, request, date(2026, 3, 1))
    assert _stage_on_page(page) == "appealed" and "LinkedIn must answer your appeal by April 23, 2026." in page
    page = _page(client, request, date(2026, 4, 24))
    assert _stage_on_page(page) == "appeal_overdue"
    assert "It did not answer my appeal by April 23, 2026, the end of the period the law sets." in page
    assert "Office of the Attorney General of Texas" in page
    response = _post(
        client, request, "complaint", {"complaint-sent_on": "2026-04-24", "complaint-authority": "ag_tx"},
        date(2026, 4, 24),
    )  # fmt: skip
    assert response.status_code == 302
    request.refresh_from_db()
    assert _stage_on_page(_page(client, request, date(2026, 4, 25))) == "complained"
    assert request.complaint_authority == "ag_tx"


def test_the_appeal_overdue_reminder_follows_the_recorded_appeal():
    request = make_request(country="US", subdivision="TX", regime_code="us_tx", ai_setting_off_on=date(2026, 1, 29))
    with time_machine.travel(datetime(2026, 2, 1, 9, tzinfo=UTC)):
        request_services.request_mark_submitted(request=request, submitted_on=SENT)
        request_services.request_record_answer(request=request, outcome="refused", answered_on=date(2026, 2, 1))
        request_services.request_record_appeal(request=request, sent_on=date(2026, 2, 2))
    assert kinds(request)["appeal_overdue"] == date(2026, 4, 4)  # 2 Feb + 60 days = 3 April, then the day after
    with time_machine.travel(datetime(2026, 3, 1, 9, tzinfo=UTC)):
        request_services.request_record_appeal_answer(request=request, outcome="denied", answered_on=date(2026, 3, 1))
    request.refresh_from_db()
    assert "appeal_overdue" not in kinds(request)
    assert stage_of(request, date(2026, 3, 2)).kind == StageKind.APPEAL_DENIED


def test_an_appeal_where_the_law_gives_none_is_refused(client):
    request = _submitted()
    with time_machine.travel(datetime(2026, 2, 20, 9, tzinfo=UTC)):
        request_services.request_record_answer(request=request, outcome="refused", answered_on=date(2026, 2, 20))
    response = _post(client, request, "appeal", {"appeal-sent_on": "2026-02-21"}, date(2026, 2, 21))
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.appeal_sent_on is None
    # The verb refuses it too, whoever calls it.
    with pytest.raises(InvalidTransition):
        request_services.request_record_appeal(request=request, sent_on=date(2026, 2, 21))


def test_a_complaint_to_an_authority_that_is_not_the_members_is_refused(client):
    request = _submitted()
    response = _post(
        client, request, "complaint", {"complaint-sent_on": "2026-03-20", "complaint-authority": "ag_tx"},
        date(2026, 3, 20),
    )  # fmt: skip
    assert response.status_code == 400
    request.refresh_from_db()
    assert request.complaint_sent_on is None
    # The verb refuses it too, not only the form's choices.
    with pytest.raises(InvalidTransition):
        request_services.request_record_complaint(request=request, sent_on=date(2026, 3, 20), authority_key="ag_tx")


# --------------------------------------------------------------------------- the complaint states only what happened


def test_the_complaint_claims_no_follow_up_and_no_answer_that_were_not_recorded():
    request = _submitted()
    text = letters.complaint_letters(request, today=date(2026, 3, 20))[0].text
    assert "The period to answer ended on 2 March 2026 without an answer." in text
    assert "follow-up" not in text and "answered:" not in text
    assert "A copy of my request is attached." in text
    request_services.request_record_follow_up(request=request, sent_on=date(2026, 3, 3))
    request.refresh_from_db()
    text = letters.complaint_letters(request, today=date(2026, 3, 20))[0].text
    assert "On 3 March 2026 I sent a follow-up letter giving 14 more days." in text
    assert "Copies of my request and of the follow-up letter are attached." in text


def test_recording_the_complaint_stops_the_deadline_reminders():
    request = _submitted()
    with time_machine.travel(datetime(2026, 3, 20, 9, tzinfo=UTC)):
        request_services.request_record_complaint(request=request, sent_on=date(2026, 3, 20), authority_key="ie_dpc")
    request.refresh_from_db()
    assert set(kinds(request)) == {"purge_warning"}
    assert stages.stage_of(request, date(2026, 3, 21)).kind == StageKind.COMPLAINED


# --------------------------------------------------------------------------- the complaint pack


@needs_pdf
def test_the_complaint_pack_holds_the_complaint_where_to_file_it_the_timeline_and_verifies(client):
    request = _submitted()
    with time_machine.travel(datetime(2026, 2, 20, 9, tzinfo=UTC)):
        request_services.request_record_answer(
            request=request, outcome="refused", answered_on=date(2026, 2, 20), summary="LinkedIn wrote: not possible."
        )
    request.refresh_from_db()
    with time_machine.travel(datetime(2026, 2, 21, 9, tzinfo=UTC)):
        response = client.get(f"/r/{token_issue(request=request)}/complaint-ie_dpc.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="{request.reference}-complaint.pdf"'
    text = squashed(pdf_text(response.content))
    for expected in (
        "Complaint against LinkedIn Ireland Unlimited Company",
        "21 Fitzwilliam Square South",
        "https://forms.dataprotection.ie/contact",
        "LinkedIn wrote: not possible.",
        "LinkedIn answered",  # the timeline
        request.reference,
    ):
        assert squashed(expected) in text, expected
    fingerprint = next(row.fingerprint for row in ReceiptFingerprint.objects.filter(reference=request.reference))
    assert squashed(receipts.format_fingerprint(fingerprint)) in text
    verify = client.get(f"/verify/{request.reference}/", {"fingerprint": fingerprint}).content.decode()
    assert "This fingerprint matches a receipt LinkedOut issued." in verify


def test_a_complaint_pack_for_an_authority_that_is_not_the_members_is_404(client):
    request = _submitted()
    assert client.get(f"/r/{token_issue(request=request)}/complaint-ag_tx.pdf").status_code == 404


# --------------------------------------------------------------------------- "what did you train on me?"


def test_the_access_request_has_its_own_text_deadline_and_reminder(client):
    with time_machine.travel(datetime(2026, 1, 30, 12, tzinfo=UTC)):
        complete_journey(client, what_fields=what(access_request="on"))
    request = DeletionRequest.objects.get()
    assert request.access_request
    request_services.request_confirm_email(request=request)
    page = _page(client, request, date(2026, 1, 30))
    section = page[page.index('data-testid="access-request"') :]
    assert "Access request: which of my data did you use for AI training? — Article 15 GDPR" in section
    assert "with whom you have shared it for AI training, Microsoft included" in section
    assert "https://www.linkedin.com/help/linkedin/ask/ppq" in section
    response = _post(client, request, "access-sent", {"access_sent-sent_on": "2026-01-31"}, date(2026, 1, 31))
    assert response.status_code == 302
    request.refresh_from_db()
    # One month, like the deletion: 28 Feb 2026 is a Saturday, so Monday 2 March; the email the day after.
    assert kinds(request)["access_overdue"] == date(2026, 3, 3)
    assert "LinkedIn must answer by March 2, 2026" in _page(client, request, date(2026, 2, 1))
    response = _post(client, request, "access-answered", {"access_answer-answered_on": "2026-02-25"}, date(2026, 2, 25))
    assert response.status_code == 302
    request.refresh_from_db()
    assert "access_overdue" not in kinds(request)
    assert request.events.filter(kind="access_answered", on_date=date(2026, 2, 25)).exists()


def test_an_access_answer_before_it_was_sent_is_refused():
    request = DeletionRequestFactory(access_request=True, access_sent_on=date(2026, 2, 10))
    with pytest.raises(DateOrderError):
        request_services.request_record_access_answer(request=request, answered_on=date(2026, 2, 9))


def test_a_californian_access_request_cites_the_right_to_know_and_45_days():
    request = DeletionRequestFactory(country="US", subdivision="CA", regime_code="ccpa", access_request=True)
    text = letters.access_request_text(request)
    assert "Cal. Civ. Code § 1798.110" in text and "45 days" in text


# --------------------------------------------------------------------------- the emails agree with the page


def test_the_after_done_appeal_and_access_emails_say_what_the_page_says(mailoutbox):
    done = _submitted()
    with time_machine.travel(datetime(2026, 2, 20, 9, tzinfo=UTC)):
        request_services.request_record_answer(request=done, outcome="done", answered_on=date(2026, 2, 20))
    texan = make_request(country="US", subdivision="TX", regime_code="us_tx", access_request=True)
    with time_machine.travel(datetime(2026, 2, 1, 9, tzinfo=UTC)):
        request_services.request_mark_submitted(request=texan, submitted_on=SENT)
        request_services.request_record_answer(request=texan, outcome="refused", answered_on=date(2026, 2, 1))
        request_services.request_record_appeal(request=texan, sent_on=date(2026, 2, 2))
        request_services.request_record_access_sent(request=texan, sent_on=date(2026, 2, 2))
    deliver_due(datetime(2026, 3, 20, 8, 1, tzinfo=UTC))
    deliver_due(datetime(2026, 3, 20, 8, 2, tzinfo=UTC))  # Texas access: 2 Feb + 45 days = 19 March
    deliver_due(datetime(2026, 4, 4, 8, 1, tzinfo=UTC))
    by_subject = {message.subject: message for message in mailoutbox}
    check = by_subject["Check that LinkedIn's AI-training setting is still off"]
    assert check.to == [done.email]
    assert "On 20 February 2026 LinkedIn said it did what you asked." in check.body
    assert "https://www.linkedin.com/mypreferences/d/settings/data-for-ai-improvement" in check.body
    access = by_subject["LinkedIn did not answer your access request: remind it"]
    assert access.to == [texan.email] and "LinkedIn had until March 19, 2026" in access.body
    appeal = by_subject["LinkedIn did not answer your appeal: file your complaint"]
    assert "LinkedIn had until April 3, 2026 to answer your appeal" in appeal.body
    assert "Office of the Attorney General of Texas" in appeal.body
    assert "It did not answer my appeal by April 3, 2026, the end of the period the law sets." in appeal.body


def test_in_the_uk_the_clock_stops_while_linkedin_waits_for_id_and_runs_on_after(client):
    # Received 2 Feb 2026: due 2 March. ID asked on 10 Feb, given on 20 Feb: ten days stood still.
    uk = make_request(country="GB", regime_code="uk_gdpr", ai_setting_off_on=date(2026, 1, 29))
    with time_machine.travel(datetime(2026, 2, 10, 9, tzinfo=UTC)):
        request_services.request_mark_submitted(request=uk, submitted_on=date(2026, 2, 2))
        request_services.request_record_answer(request=uk, outcome="asked_for_id", answered_on=date(2026, 2, 10))
    uk.refresh_from_db()
    page = _page(client, uk, date(2026, 3, 10))
    assert _stage_on_page(page) == "id_requested"  # not "overdue": the clock stands still
    assert "paused until you give the proof of identity" in page
    assert "deadline_soon" not in kinds(uk) and "escalate" not in kinds(uk)
    response = _post(client, uk, "id-given", {"id_given-sent_on": "2026-02-20"}, date(2026, 3, 10))
    assert response.status_code == 302
    uk.refresh_from_db()
    assert dates.request_dates(uk).due_on == date(2026, 3, 12)  # 2 March + 10 days
    assert kinds(uk)["deadline_soon"] == date(2026, 3, 9)
    # The ID is given: LinkedIn's move again, and no more reply about ID.
    page = _page(client, uk, date(2026, 3, 11))
    assert _stage_on_page(page) == "waiting" and "reasonable doubts" not in page
    assert _stage_on_page(_page(client, uk, date(2026, 3, 13))) == "overdue"


def test_under_the_gdpr_an_id_demand_does_not_stop_the_clock():
    request = _submitted()
    with time_machine.travel(datetime(2026, 2, 10, 9, tzinfo=UTC)):
        request_services.request_record_answer(request=request, outcome="asked_for_id", answered_on=date(2026, 2, 10))
    request.refresh_from_db()
    assert dates.request_dates(request).due_on == DUE
    assert stage_of(request, date(2026, 3, 3)).kind == StageKind.OVERDUE


# --------------------------------------------------------------------------- the forks' edge cases


def test_a_uk_pause_moves_the_raw_end_then_rolls_over_once():
    # Received 7 Jan 2026: one month ends on Saturday 7 Feb. ID asked 20 Jan, given 23 Jan: three days
    # stood still, so the end is Tuesday 10 Feb (not Monday 9 Feb moved on by three days to Thursday 12).
    uk = DeletionRequestFactory(country="GB", regime_code="uk_gdpr", status="submitted", submitted_on=date(2026, 1, 7))
    request_services.request_record_answer(request=uk, outcome="asked_for_id", answered_on=date(2026, 1, 20))
    request_services.request_record_id_given(request=uk, given_on=date(2026, 1, 23))
    uk.refresh_from_db()
    assert uk.id_stopped_days == 3
    assert dates.request_dates(uk).due_on == date(2026, 2, 10)


def test_a_second_uk_id_request_stops_the_clock_again_and_keeps_the_first_pause():
    uk = DeletionRequestFactory(country="GB", regime_code="uk_gdpr", status="submitted", submitted_on=date(2026, 1, 7))
    request_services.request_record_answer(request=uk, outcome="asked_for_id", answered_on=date(2026, 1, 20))
    request_services.request_record_id_given(request=uk, given_on=date(2026, 1, 27))  # 7 days
    request_services.request_record_answer(request=uk, outcome="asked_for_id", answered_on=date(2026, 2, 3))
    uk.refresh_from_db()
    assert dates.request_dates(uk).paused and stage_of(uk, date(2026, 3, 1)).kind == StageKind.ID_REQUESTED
    request_services.request_record_id_given(request=uk, given_on=date(2026, 2, 5))  # 2 more days
    uk.refresh_from_db()
    assert uk.id_stopped_days == 9
    assert dates.request_dates(uk).due_on == date(2026, 2, 16)  # Sat 7 Feb + 9 = Mon 16 Feb


def test_a_uk_id_request_after_the_deadline_stops_nothing():
    uk = DeletionRequestFactory(country="GB", regime_code="uk_gdpr", status="submitted", submitted_on=date(2026, 1, 7))
    request_services.request_record_answer(request=uk, outcome="asked_for_id", answered_on=date(2026, 2, 20))
    uk.refresh_from_db()
    assert not dates.request_dates(uk).paused
    assert stage_of(uk, date(2026, 2, 21)).kind == StageKind.OVERDUE


def test_an_extension_announced_after_the_first_deadline_is_refused():
    request = _submitted()
    with pytest.raises(DateOrderError, match="only before its first deadline, which was"):
        request_services.request_record_extension(request=request, announced_on=date(2026, 3, 5))
    request.refresh_from_db()
    assert request.extended_on is None


def test_correcting_the_sent_date_drops_a_follow_up_that_no_longer_follows_the_deadline():
    request = _submitted()
    request_services.request_record_follow_up(request=request, sent_on=date(2026, 3, 10))
    request_services.request_mark_submitted(request=request, submitted_on=date(2026, 3, 1))  # due 1 April now
    request.refresh_from_db()
    assert request.follow_up_sent_on is None
    assert dates.request_dates(request).escalation_on == date(2026, 4, 16)


def test_done_wins_even_after_a_complaint_and_a_new_answer_ends_an_old_appeal(client):
    request = _submitted()
    request_services.request_record_complaint(request=request, sent_on=date(2026, 3, 20), authority_key="ie_dpc")
    request_services.request_record_answer(request=request, outcome="done", answered_on=date(2026, 4, 2))
    request.refresh_from_db()
    assert stage_of(request, date(2026, 4, 3)).kind == StageKind.DONE
    texan = _texan(client)
    request_services.request_record_appeal(request=texan, sent_on=date(2026, 2, 22))
    request_services.request_record_appeal_answer(request=texan, outcome="denied", answered_on=date(2026, 3, 1))
    request_services.request_record_answer(request=texan, outcome="partly", answered_on=date(2026, 3, 5))
    texan.refresh_from_db()
    assert stage_of(texan, date(2026, 3, 6)).kind == StageKind.PARTLY


def test_the_complaint_states_a_recorded_id_demand():
    request = _submitted()
    request_services.request_record_answer(request=request, outcome="asked_for_id", answered_on=date(2026, 2, 10))
    request.refresh_from_db()
    text = letters.complaint_letters(request, today=date(2026, 3, 20))[0].text
    assert "On 10 February 2026 LinkedIn Ireland Unlimited Company asked me to prove my identity." in text
    assert "The period to answer ended on 2 March 2026 without an answer." in text


@pytest.mark.parametrize("stage_setup", ["not_sent", "done"])
def test_no_complaint_pack_where_there_is_no_complaint_to_make(client, stage_setup):
    request = make_request() if stage_setup == "not_sent" else _submitted()
    if stage_setup == "done":
        request_services.request_record_answer(request=request, outcome="done", answered_on=date(2026, 2, 20))
    assert client.get(f"/r/{token_issue(request=request)}/complaint-ie_dpc.pdf").status_code == 404


def test_a_refused_request_with_an_appeal_running_is_kept_and_a_settled_one_purged(settings):
    settings.RETENTION_DAYS_AFTER_CLOSE, settings.RETENTION_DAYS_INACTIVE = 90, 365
    with time_machine.travel(datetime(2026, 4, 25, 9, tzinfo=UTC)):
        texan = DeletionRequestFactory(country="US", subdivision="TX", regime_code="us_tx", status="answered",
                                       submitted_on=SENT, answered_on=date(2026, 2, 1), answer_outcome="refused",
                                       appeal_sent_on=date(2026, 4, 25))  # fmt: skip
        settled = DeletionRequestFactory(status="answered", submitted_on=SENT, answered_on=date(2026, 2, 1),
                                         answer_outcome="done")  # fmt: skip
    past = request_services.requests_past_retention(date(2026, 5, 10))
    assert settled in past and texan not in past
    # The appeal is due 24 June; a year of quiet after that, the data goes.
    assert dates.purge_on(texan) == date(2027, 6, 24)
