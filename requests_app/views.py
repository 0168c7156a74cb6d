"""Thin views: validate a form, call a service, redirect."""

from __future__ import annotations

import functools

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_ratelimit.decorators import ratelimit

from . import emails, explain, forms, guide, jurisdictions, services
from .health import health_report
from .ics import deadlines_calendar
from .letters import build_letters, letter_language
from .models import AnswerOutcome, DeletionRequest, Reminder
from .tokens import token_resolve


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "requests_app/home.html", {"about_training": guide.about_training()})


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    ok, report = health_report()
    return JsonResponse({"ok": ok, **report}, status=200 if ok else 503)


def _resolve(token: str) -> DeletionRequest:
    request_obj = token_resolve(token)
    if request_obj is None:
        raise Http404
    return request_obj


def private_link(view):
    """For views behind a private link: an unknown token gets the same 404 as
    any other page, an erased request the page that says so; otherwise the
    view receives the request it opens."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, token: str) -> HttpResponse:
        request_obj = _resolve(token)
        if request_obj.is_erased:
            return render(request, "requests_app/erased.html", {"request_obj": request_obj}, status=410)
        return view(request, token, request_obj)

    return wrapper


def _page_forms(request_obj: DeletionRequest) -> dict:
    today = timezone.localdate()
    return {
        "submitted_form": forms.SubmittedForm(
            initial={
                "submitted_on": request_obj.submitted_on or today,
                "case_number": request_obj.linkedin_case_number,
            },
            prefix="submitted",
        ),
        "extension_form": forms.ExtensionForm(initial={"announced_on": today}, prefix="extension"),
        "answer_form": forms.AnswerForm(initial={"answered_on": today}, prefix="answer"),
        "ai_form": forms.AiConfirmForm(initial={"switched_off_on": today}, prefix="ai"),
    }


def _render_detail(
    request: HttpRequest, token: str, request_obj: DeletionRequest, status: int = 200, **bound
) -> HttpResponse:
    regime = jurisdictions.regime_by_code(request_obj.regime_code)
    letters = build_letters(request_obj)
    context = {
        "token": token,
        "request_obj": request_obj,
        "regime": regime,
        "authorities": jurisdictions.authorities_for(request_obj.country, request_obj.subdivision),
        "regime_explanation": explain.regime_explanation(request_obj.country, request_obj.subdivision),
        "letters": letters,
        "guide": guide.request_guide(request_obj, letters),
        "clock": explain.request_clock(request_obj),
        "milestones": explain.request_milestones(request_obj),
        "events": request_obj.events.all(),
        "reminders": request_obj.reminders.exclude(state=Reminder.State.CANCELLED),
        "failed_reminders": request_obj.reminders.filter(state=Reminder.State.FAILED),
        **_page_forms(request_obj),
        **bound,
    }
    return render(request, "requests_app/detail.html", context, status=status)


@never_cache
@require_GET
@private_link
def request_detail(request: HttpRequest, token: str, request_obj: DeletionRequest) -> HttpResponse:
    return _render_detail(request, token, request_obj)


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


def _state_change(form_class, prefix: str, context_name: str, apply, *, confirm_title=None):
    """A view for one change on the request page: bind the form, call
    `apply(request_obj, cleaned_data)`, redirect back with a message. With a
    `confirm_title`, a GET (a link in an email) shows the form on a page of
    its own; a GET never changes anything."""

    @never_cache
    @require_http_methods(["GET", "POST"] if confirm_title else ["POST"])
    @private_link
    def view(request: HttpRequest, token: str, request_obj: DeletionRequest) -> HttpResponse:
        if request.method == "GET":
            form = _page_forms(request_obj)[context_name]
            return render(
                request,
                "requests_app/confirm_change.html",
                {"form": form, "title": confirm_title, "request_obj": request_obj, "token": token},
            )
        form = form_class(request.POST, prefix=prefix)
        if form.is_valid():
            try:
                message = apply(request_obj, form.cleaned_data)
            except services.InvalidTransition:
                messages.error(request, _("That change does not fit the request's current state; nothing was changed."))
                return redirect("requests_app:detail", token=token)
            except ValueError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, message)
                return redirect("requests_app:detail", token=token)
        return _render_detail(request, token, request_obj, status=400, **{context_name: form})

    return view


def _apply_submitted(request_obj: DeletionRequest, data: dict) -> str:
    # Any past date: the member may have sent LinkedIn's form before finding LinkedOut.
    services.request_mark_submitted(
        request=request_obj, submitted_on=data["submitted_on"], case_number=data["case_number"]
    )
    return _("Recorded: you sent the request to LinkedIn. The deadline is now shown below.")


def _apply_extension(request_obj: DeletionRequest, data: dict) -> str:
    if request_obj.submitted_on and data["announced_on"] < request_obj.submitted_on:
        raise ValueError(_("LinkedIn cannot have extended before you sent the request."))
    services.request_record_extension(request=request_obj, announced_on=data["announced_on"])
    return _("Recorded: LinkedIn extended the deadline.")


def _apply_answer(request_obj: DeletionRequest, data: dict) -> str:
    if request_obj.submitted_on and data["answered_on"] < request_obj.submitted_on:
        raise ValueError(_("LinkedIn cannot have answered before you sent the request."))
    services.request_record_answer(request=request_obj, outcome=data["outcome"], answered_on=data["answered_on"])
    if data["outcome"] == AnswerOutcome.ASKED_FOR_ID:
        return _("Recorded. Answer LinkedIn with what it asks for; your request stays open.")
    return _("Recorded: LinkedIn answered.")


def _apply_ai(request_obj: DeletionRequest, data: dict) -> str:
    services.request_confirm_ai_setting(request=request_obj, switched_off_on=data["switched_off_on"])
    return _("Recorded: you switched the AI-training setting off.")


mark_submitted = _state_change(forms.SubmittedForm, "submitted", "submitted_form", _apply_submitted)
record_extension = _state_change(
    forms.ExtensionForm,
    "extension",
    "extension_form",
    _apply_extension,
    confirm_title=gettext_lazy("LinkedIn extended the deadline"),
)
record_answer = _state_change(
    forms.AnswerForm, "answer", "answer_form", _apply_answer, confirm_title=gettext_lazy("LinkedIn answered")
)
confirm_ai_setting = _state_change(forms.AiConfirmForm, "ai", "ai_form", _apply_ai)


@never_cache
@require_http_methods(["GET", "POST"])
@private_link
def erase(request: HttpRequest, token: str, request_obj: DeletionRequest) -> HttpResponse:
    form = forms.EraseForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        services.request_erase(request=request_obj)
        return redirect("requests_app:detail", token=token)
    return render(request, "requests_app/erase.html", {"form": form, "request_obj": request_obj, "token": token})


@never_cache
@require_http_methods(["GET", "POST"])
@private_link
def confirm_email(request: HttpRequest, token: str, request_obj: DeletionRequest) -> HttpResponse:
    if request.method == "POST":
        if services.request_confirm_email(request=request_obj):
            messages.success(request, _("Thank you: your address is confirmed and reminders are on."))
        return redirect("requests_app:detail", token=token)
    return render(request, "requests_app/confirm_email.html", {"request_obj": request_obj, "token": token})


@never_cache
@require_POST
@private_link
def reminders_toggle(request: HttpRequest, token: str, request_obj: DeletionRequest) -> HttpResponse:
    if request.POST.get("reminders") == "on":
        services.request_resume_reminders(request=request_obj)
        if request_obj.email_confirmed_at is None:
            services.request_confirm_email(request=request_obj)
        messages.success(request, _("Reminders are on."))
    else:
        services.request_stop_reminders(request=request_obj)
        messages.success(request, _("Reminders are off. We will not email you about this request."))
    return redirect("requests_app:detail", token=token)


@never_cache
@require_GET
@private_link
def calendar_download(request: HttpRequest, token: str, request_obj: DeletionRequest) -> HttpResponse:
    link = emails.absolute_url(request.path.removesuffix("deadlines.ics"))
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
    request_id = emails.unsubscribe_request_id(signed)
    request_obj = DeletionRequest.objects.filter(pk=request_id).first() if request_id else None
    if request_obj is None:
        raise Http404
    if request.method == "POST":
        services.request_stop_reminders(request=request_obj)
        return render(request, "requests_app/unsubscribed.html", {"request_obj": request_obj})
    return render(request, "requests_app/unsubscribe.html", {"request_obj": request_obj, "signed": signed})


def _email_key(group: str, request: HttpRequest) -> str:
    return services.email_digest(request.POST.get("email", ""))


@require_http_methods(["GET", "POST"])
@ratelimit(key="ip", rate="20/h", method="POST", block=True)
@ratelimit(key=_email_key, rate="3/h", method="POST", block=True)
def email_link(request: HttpRequest) -> HttpResponse:
    form = forms.EmailLinkForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        services.request_email_links(email=form.cleaned_data["email"])
        # The same words whether or not we know the address: no enumeration.
        messages.success(
            request,
            _("If we hold a request for this address, we have emailed a fresh private link to it. Check your inbox."),
        )
        return redirect("requests_app:email_link")
    return render(request, "requests_app/email_link.html", {"form": form})


def rate_limited(request: HttpRequest, exception: Exception) -> HttpResponse:
    return render(request, "429.html", status=429)


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    return render(request, "404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    return render(request, "500.html", status=500)
