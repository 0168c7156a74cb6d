"""Thin views: validate a form, call a service, redirect."""

from __future__ import annotations

import functools
from collections.abc import Callable

from django import forms as django_forms
from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_ratelimit.core import is_ratelimited
from django_ratelimit.decorators import ratelimit

from . import dates, emails, explain, forms, guide, info_pages, jurisdictions, site_operator, stages
from .access import link_key, private_link
from .choices import AnswerOutcome, ReminderKind, ReminderState, TokenPurpose
from .health import health_report
from .ics import deadlines_calendar
from .letters import (
    access_request_text,
    appeal_letter,
    build_letters,
    complaint_letters,
    follow_up_letter,
    letter_language,
    reply_letter,
)
from .lifecycle import DateOrderError, InvalidTransition
from .models import DeletionRequest
from .services import links, outbox
from .services import requests as request_services
from .tokens import token_end, token_issue, token_lookup


def home(request: HttpRequest) -> HttpResponse:
    context = {
        "about_training": guide.about_training(),
        "retention_days": settings.RETENTION_DAYS_AFTER_CLOSE,
        "inactive_days": settings.RETENTION_DAYS_INACTIVE,
    }
    return render(request, "requests_app/home.html", context)


def laws(request: HttpRequest) -> HttpResponse:
    """Every law, deadline and authority LinkedOut applies, with its source."""
    context = {"rows": explain.law_overview(), "member_authorities": explain.member_authorities_overview()}
    return render(request, "requests_app/laws.html", context)


def faq(request: HttpRequest) -> HttpResponse:
    return render(request, "requests_app/faq.html", {"faq": info_pages.faq()})


def about(request: HttpRequest) -> HttpResponse:
    """What LinkedOut is, and the imprint of whoever runs this instance."""
    return render(request, "requests_app/about.html", {"operator": site_operator.current()})


def privacy(request: HttpRequest) -> HttpResponse:
    return render(request, "requests_app/privacy.html", {"privacy": info_pages.privacy()})


def accessibility(request: HttpRequest) -> HttpResponse:
    return render(request, "requests_app/accessibility.html", {"operator": site_operator.current()})


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    ok, report = health_report()
    return JsonResponse({"ok": ok, **report}, status=200 if ok else 503)


def _page_forms(request_obj: DeletionRequest) -> dict:
    """The page's forms, each built when the template first shows it: a
    request's stage shows two or three of these eleven."""
    today = timezone.localdate()
    builders = {
        "submitted_form": lambda: forms.SubmittedForm(
            initial={
                "submitted_on": request_obj.submitted_on or today,
                "case_number": request_obj.linkedin_case_number,
            },
            prefix="submitted",
        ),
        "extension_form": lambda: forms.ExtensionForm(initial={"announced_on": today}, prefix="extension"),
        "answer_form": lambda: forms.AnswerForm(initial={"answered_on": today}, prefix="answer"),
        "id_given_form": lambda: forms.IdGivenForm(initial={"sent_on": today}, prefix="id_given"),
        "follow_up_form": lambda: forms.FollowUpForm(initial={"sent_on": today}, prefix="follow_up"),
        "appeal_form": lambda: forms.AppealForm(initial={"sent_on": today}, prefix="appeal"),
        "appeal_answer_form": lambda: forms.AppealAnswerForm(initial={"answered_on": today}, prefix="appeal_answer"),
        "complaint_form": lambda: _complaint_form(request_obj)(initial={"sent_on": today}, prefix="complaint"),
        "access_sent_form": lambda: forms.AccessSentForm(initial={"sent_on": today}, prefix="access_sent"),
        "access_answer_form": lambda: forms.AnsweredOnForm(initial={"answered_on": today}, prefix="access_answer"),
        "ai_form": lambda: forms.AiConfirmForm(initial={"switched_off_on": today}, prefix="ai"),
    }
    # A template calls a callable it is given; functools.cache makes it one form per page.
    return {name: functools.cache(build) for name, build in builders.items()}


def _authorities(request_obj: DeletionRequest) -> tuple[jurisdictions.Authority, ...]:
    regime = jurisdictions.regime_by_code(request_obj.regime_code)
    return jurisdictions.authorities_for(regime, request_obj.country, request_obj.subdivision)


def _complaint_form(request_obj: DeletionRequest) -> Callable[..., forms.ComplaintForm]:
    return functools.partial(forms.ComplaintForm, authorities=_authorities(request_obj))


def _next_step_texts(request_obj: DeletionRequest, stage: stages.Stage) -> dict:
    # Only the texts this stage offers: each is built from the request's own record.
    texts = {}
    if stage.offers_follow_up_letter:
        texts["follow_up_letter"] = follow_up_letter(request_obj)
    if stage.offers_reply:
        texts["reply_letter"] = reply_letter(request_obj)
    if stage.offers_complaint:
        texts["complaints"] = complaint_letters(request_obj)
    return texts


def _reminders(request_obj: DeletionRequest) -> dict:
    # One query for both lists: the planned reminders (the private-link email
    # shows only if it failed) and the failed ones.
    rows = list(request_obj.reminders.exclude(state=ReminderState.CANCELLED))
    return {
        "reminders": [row for row in rows if row.kind != ReminderKind.PRIVATE_LINK],
        "failed_reminders": [row for row in rows if row.state == ReminderState.FAILED],
    }


def _render_detail(
    request: HttpRequest, token: str, request_obj: DeletionRequest, status: int = 200, **bound
) -> HttpResponse:
    regime = jurisdictions.regime_by_code(request_obj.regime_code)
    letters = build_letters(request_obj)
    stage = stages.stage_of(request_obj, timezone.localdate())
    context = {
        "token": token,
        "request_obj": request_obj,
        "regime": regime,
        "authorities": _authorities(request_obj),
        "regime_explanation": explain.regime_explanation(
            regime, request_obj.country, request_obj.subdivision, made_on=request_obj.created_at.date()
        ),
        "letters": letters,
        "appeal_letter": appeal_letter(request_obj) if regime.appeal else "",
        **_next_step_texts(request_obj, stage),
        "access_text": access_request_text(request_obj) if request_obj.access_request else "",
        "access_due_on": dates.access_due_on(request_obj),
        "stage": stage,
        "follow_up_days": dates.FOLLOW_UP_DAYS,
        "purge_on": dates.purge_on(request_obj),
        "guide": guide.request_guide(request_obj, letters),
        "clock": explain.request_clock(request_obj),
        "milestones": explain.request_milestones(request_obj),
        "events": request_obj.events.all(),
        **_reminders(request_obj),
        **_page_forms(request_obj),
        **bound,
    }
    return render(request, "requests_app/detail.html", context, status=status)


@never_cache
@require_GET
@private_link(purposes=(TokenPurpose.MANAGE, TokenPurpose.VIEW))
def request_detail(request: HttpRequest, token: str, request_obj: DeletionRequest) -> HttpResponse:
    if request.link_purpose == TokenPurpose.VIEW:
        # The calendar's link: where the request stands, nothing to change.
        context = {
            "request_obj": request_obj,
            "token": token,
            "clock": explain.request_clock(request_obj),
            "stage": stages.stage_of(request_obj, timezone.localdate()),
            "regime": jurisdictions.regime_by_code(request_obj.regime_code),
        }
        return render(request, "requests_app/detail_readonly.html", context)
    return _render_detail(request, token, request_obj)


@never_cache
@require_POST
@private_link(purposes=(TokenPurpose.VIEW,))
def changes_link(request: HttpRequest, token: str, request_obj: DeletionRequest) -> HttpResponse:
    """From a read-only link: email the member a link that can change the request."""
    if _too_many_changes(request):
        return rate_limited(request, None)
    outbox.email_now(request_obj)
    messages.success(request, _("We are emailing you a link to make changes."))
    return redirect("requests_app:detail", token=token)


@never_cache
@require_POST
@private_link
def new_link(request: HttpRequest, token: str, request_obj: DeletionRequest) -> HttpResponse:
    """End every link of the request and email a new one."""
    if _too_many_changes(request):
        return rate_limited(request, None)
    links.request_new_link(request=request_obj)
    return render(request, "requests_app/new_link_sent.html", {"request_obj": request_obj})


@never_cache
@require_GET
@private_link
def letter_download(request: HttpRequest, token: str, request_obj: DeletionRequest) -> HttpResponse:
    response = HttpResponse(build_letters(request_obj).letter, content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{request_obj.reference}-letter.txt"'
    return response


@never_cache
@require_GET
@private_link
def letter_print(request: HttpRequest, token: str, request_obj: DeletionRequest) -> HttpResponse:
    """The letter alone on a page, laid out for printing."""
    letters = build_letters(request_obj)
    return render(
        request,
        "requests_app/letter_print.html",
        {"request_obj": request_obj, "token": token, "letters": letters, "language": letter_language(request_obj)},
    )


# Changes one private link may make in an hour: far more than a member records,
# few enough that a looping client cannot grow a request or keep the workers
# re-rendering its receipt.
CHANGE_RATE = "30/h"


def _too_many_changes(request: HttpRequest) -> bool:
    return is_ratelimited(request, group="change", key=link_key, rate=CHANGE_RATE, increment=True)


def _change(
    request: HttpRequest,
    token: str,
    request_obj: DeletionRequest,
    *,
    form_class: type[django_forms.Form],
    prefix: str,
    apply: Callable[[dict], str],
    confirm_title: str = "",
) -> HttpResponse:
    """One change on the request page. A GET (a link in an email) shows the
    form on a page of its own and changes nothing; a POST binds the form,
    calls `apply(cleaned_data)` (a service call returning the message to show)
    and redirects back, or shows the page again with the form's errors."""
    form_name = f"{prefix}_form"
    if request.method == "POST" and _too_many_changes(request):
        return rate_limited(request, None)
    if request.method == "GET":
        return render(
            request,
            "requests_app/confirm_change.html",
            {
                "form": _page_forms(request_obj)[form_name],
                "title": confirm_title,
                "request_obj": request_obj,
                "token": token,
            },
        )
    form = form_class(request.POST, prefix=prefix)
    if form.is_valid():
        try:
            message = apply(form.cleaned_data)
        except request_services.TimelineFull:
            messages.error(request, _("This request has recorded as many changes as it can hold; nothing was changed."))
            return redirect("requests_app:detail", token=token)
        except InvalidTransition:
            messages.error(request, _("That change does not fit the request's current state; nothing was changed."))
            return redirect("requests_app:detail", token=token)
        except DateOrderError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, message)
            return redirect("requests_app:detail", token=token)
    return _render_detail(request, token, request_obj, status=400, **{form_name: form})


@never_cache
@require_POST
@private_link
def mark_submitted(request: HttpRequest, token: str, request_obj: DeletionRequest) -> HttpResponse:
    def apply(data: dict) -> str:
        request_services.request_mark_submitted(
            request=request_obj, submitted_on=data["submitted_on"], case_number=data["case_number"]
        )
        return _("Recorded: you sent the request to LinkedIn. The deadline is now shown below.")

    return _change(request, token, request_obj, form_class=forms.SubmittedForm, prefix="submitted", apply=apply)


@never_cache
@require_http_methods(["GET", "POST"])
@private_link
def record_extension(request: HttpRequest, token: str, request_obj: DeletionRequest) -> HttpResponse:
    def apply(data: dict) -> str:
        request_services.request_record_extension(request=request_obj, announced_on=data["announced_on"])
        return _("Recorded: LinkedIn extended the deadline.")

    title = gettext_lazy("LinkedIn extended the deadline")
    return _change(
        request,
        token,
        request_obj,
        form_class=forms.ExtensionForm,
        prefix="extension",
        apply=apply,
        confirm_title=title,
    )


@never_cache
@require_http_methods(["GET", "POST"])
@private_link
def record_answer(request: HttpRequest, token: str, request_obj: DeletionRequest) -> HttpResponse:
    def apply(data: dict) -> str:
        request_services.request_record_answer(
            request=request_obj, outcome=data["outcome"], answered_on=data["answered_on"], summary=data["summary"]
        )
        if data["outcome"] == AnswerOutcome.ASKED_FOR_ID:
            return _("Recorded. Your reply to LinkedIn is below; your request stays open.")
        return _("Recorded: LinkedIn answered. Your next step is shown at the top of the page.")

    title = gettext_lazy("LinkedIn answered")
    return _change(
        request, token, request_obj, form_class=forms.AnswerForm, prefix="answer", apply=apply, confirm_title=title
    )


@never_cache
@require_http_methods(["GET", "POST"])
@private_link
def record_id_given(request: HttpRequest, token: str, request_obj: DeletionRequest) -> HttpResponse:
    def apply(data: dict) -> str:
        request_services.request_record_id_given(request=request_obj, given_on=data["sent_on"])
        return _("Recorded: you gave LinkedIn proof of your identity. The deadline runs on from that day.")

    title = gettext_lazy("I gave LinkedIn the proof of identity")
    return _change(
        request, token, request_obj, form_class=forms.IdGivenForm, prefix="id_given", apply=apply, confirm_title=title
    )


@never_cache
@require_http_methods(["GET", "POST"])
@private_link
def record_follow_up(request: HttpRequest, token: str, request_obj: DeletionRequest) -> HttpResponse:
    def apply(data: dict) -> str:
        request_services.request_record_follow_up(request=request_obj, sent_on=data["sent_on"])
        return _("Recorded: you sent the follow-up letter. LinkedIn's 14 days count from that day.")

    title = gettext_lazy("I sent the follow-up letter")
    return _change(
        request, token, request_obj, form_class=forms.FollowUpForm, prefix="follow_up", apply=apply, confirm_title=title
    )


@never_cache
@require_http_methods(["GET", "POST"])
@private_link
def record_appeal(request: HttpRequest, token: str, request_obj: DeletionRequest) -> HttpResponse:
    if jurisdictions.regime_by_code(request_obj.regime_code).appeal is None:
        messages.error(request, _("The law where you live gives no appeal: your next step is shown on this page."))
        return redirect("requests_app:detail", token=token)

    def apply(data: dict) -> str:
        request_services.request_record_appeal(request=request_obj, sent_on=data["sent_on"])
        return _("Recorded: you appealed LinkedIn's decision.")

    title = gettext_lazy("I sent the appeal")
    return _change(
        request, token, request_obj, form_class=forms.AppealForm, prefix="appeal", apply=apply, confirm_title=title
    )


@never_cache
@require_http_methods(["GET", "POST"])
@private_link
def record_appeal_answer(request: HttpRequest, token: str, request_obj: DeletionRequest) -> HttpResponse:
    def apply(data: dict) -> str:
        request_services.request_record_appeal_answer(
            request=request_obj, outcome=data["outcome"], answered_on=data["answered_on"]
        )
        return _("Recorded: LinkedIn answered your appeal.")

    title = gettext_lazy("LinkedIn answered my appeal")
    return _change(
        request,
        token,
        request_obj,
        form_class=forms.AppealAnswerForm,
        prefix="appeal_answer",
        apply=apply,
        confirm_title=title,
    )


@never_cache
@require_http_methods(["GET", "POST"])
@private_link
def record_complaint(request: HttpRequest, token: str, request_obj: DeletionRequest) -> HttpResponse:
    def apply(data: dict) -> str:
        request_services.request_record_complaint(
            request=request_obj, sent_on=data["sent_on"], authority_key=data["authority"]
        )
        return _("Recorded: you complained to the authority. We stop the reminders about LinkedIn's deadlines.")

    title = gettext_lazy("I sent the complaint")
    return _change(
        request,
        token,
        request_obj,
        form_class=_complaint_form(request_obj),
        prefix="complaint",
        apply=apply,
        confirm_title=title,
    )


@never_cache
@require_http_methods(["GET", "POST"])
@private_link
def record_access_sent(request: HttpRequest, token: str, request_obj: DeletionRequest) -> HttpResponse:
    def apply(data: dict) -> str:
        request_services.request_record_access_sent(request=request_obj, sent_on=data["sent_on"])
        return _("Recorded: you sent the access request. Its deadline is shown below.")

    title = gettext_lazy("I sent the access request")
    return _change(
        request,
        token,
        request_obj,
        form_class=forms.AccessSentForm,
        prefix="access_sent",
        apply=apply,
        confirm_title=title,
    )


@never_cache
@require_http_methods(["GET", "POST"])
@private_link
def record_access_answer(request: HttpRequest, token: str, request_obj: DeletionRequest) -> HttpResponse:
    def apply(data: dict) -> str:
        request_services.request_record_access_answer(request=request_obj, answered_on=data["answered_on"])
        return _("Recorded: LinkedIn answered your access request.")

    title = gettext_lazy("LinkedIn answered my access request")
    return _change(
        request,
        token,
        request_obj,
        form_class=forms.AnsweredOnForm,
        prefix="access_answer",
        apply=apply,
        confirm_title=title,
    )


@never_cache
@require_POST
@private_link
def confirm_ai_setting(request: HttpRequest, token: str, request_obj: DeletionRequest) -> HttpResponse:
    def apply(data: dict) -> str:
        request_services.request_confirm_ai_setting(request=request_obj, switched_off_on=data["switched_off_on"])
        return _("Recorded: you switched the AI-training setting off.")

    return _change(request, token, request_obj, form_class=forms.AiConfirmForm, prefix="ai", apply=apply)


@never_cache
@require_http_methods(["GET", "POST"])
@private_link
def erase(request: HttpRequest, token: str, request_obj: DeletionRequest) -> HttpResponse:
    form = forms.EraseForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        request_services.request_erase(request=request_obj)
        return redirect("requests_app:detail", token=token)
    return render(request, "requests_app/erase.html", {"form": form, "request_obj": request_obj, "token": token})


# Only the link the confirmation email carried confirms, and only once: the
# person who filled the form (and holds the page's link) cannot confirm an
# address that is not theirs.
@never_cache
@require_http_methods(["GET", "POST"])
@private_link(purposes=(TokenPurpose.CONFIRM_EMAIL,))
def confirm_email(request: HttpRequest, token: str, request_obj: DeletionRequest) -> HttpResponse:
    if request.method == "POST":
        request_services.request_confirm_email(request=request_obj)
        token_end(request.link_token)
        request_obj.refresh_from_db()
        return render(request, "requests_app/confirm_email.html", {"request_obj": request_obj, "confirmed": True})
    return render(request, "requests_app/confirm_email.html", {"request_obj": request_obj})


@never_cache
@require_POST
@private_link
def reminders_toggle(request: HttpRequest, token: str, request_obj: DeletionRequest) -> HttpResponse:
    if _too_many_changes(request):
        return rate_limited(request, None)
    if request.POST.get("reminders") == "on":
        request_services.request_resume_reminders(request=request_obj)
        if request_obj.email_confirmed_at is None:
            # Turning them on proves nothing about the address: it gets a confirmation link, as at the start.
            outbox.email_now(request_obj)
            messages.success(request, _("Reminders are on once you confirm your address: we emailed you a link."))
        else:
            messages.success(request, _("Reminders are on."))
    else:
        request_services.request_stop_reminders(request=request_obj)
        messages.success(request, _("Reminders are off. We will not email you about this request."))
    return redirect("requests_app:detail", token=token)


@never_cache
@require_GET
@private_link(purposes=(TokenPurpose.MANAGE, TokenPurpose.VIEW))
def calendar_download(request: HttpRequest, token: str, request_obj: DeletionRequest) -> HttpResponse:
    # A synced calendar is read by more eyes than the member's: its link only shows.
    view_token = token_issue(request=request_obj, purpose=TokenPurpose.VIEW)
    link = emails.absolute_url(reverse("requests_app:detail", args=[view_token]))
    response = HttpResponse(deadlines_calendar(request_obj, link=link), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{request_obj.reference}-deadlines.ics"'
    return response


# RFC 8058: mail providers POST here without cookies or CSRF token. It can
# only stop reminders, and the signed id in the URL is the authorisation.
@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
@ratelimit(key="ip", rate="60/h", method="POST", block=True)
def unsubscribe(request: HttpRequest, signed: str) -> HttpResponse:
    row = token_lookup(signed, purposes=(TokenPurpose.UNSUBSCRIBE,))
    if row is not None:
        request_obj = row.request
    else:
        request_id = emails.legacy_unsubscribe_request_id(signed)
        request_obj = DeletionRequest.objects.filter(pk=request_id).first() if request_id else None
    if request_obj is None:
        raise Http404
    if request.method == "POST":
        request_services.request_stop_reminders(request=request_obj)
        return render(request, "requests_app/unsubscribed.html", {"request_obj": request_obj})
    return render(request, "requests_app/unsubscribe.html", {"request_obj": request_obj, "signed": signed})


def _email_key(group: str, request: HttpRequest) -> str:
    return links.email_digest(request.POST.get("email", ""))


# The form shows the address typed into it.
@never_cache
@require_http_methods(["GET", "POST"])
@ratelimit(key="ip", rate="20/h", method="POST", block=True)
@ratelimit(key=_email_key, rate="3/h", method="POST", block=True)
def email_link(request: HttpRequest) -> HttpResponse:
    form = forms.EmailLinkForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        links.request_email_links(email=form.cleaned_data["email"])
        # The same words whether or not we know the address: no enumeration.
        messages.success(
            request,
            _("If we hold a request for this address, we have emailed a fresh private link to it. Check your inbox."),
        )
        return redirect("requests_app:email_link")
    return render(request, "requests_app/email_link.html", {"form": form})


def rate_limited(request: HttpRequest, exception: Exception) -> HttpResponse:
    return render(request, "429.html", status=429)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """Django's own 400 view checks the CSRF token again, which reads
    request.POST again: a body that could not be decoded the first time (a
    form posted as UTF-16) raised the same error inside the error page, a 500.
    This one never touches the body."""
    return render(request, "400.html", status=400)


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    return render(request, "404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    return render(request, "500.html", status=500)
