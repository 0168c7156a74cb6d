"""The guided form: five steps kept in the session, one request at the end."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.contrib import messages
from django.core.cache import cache
from django.db import IntegrityError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django_ratelimit.core import is_ratelimited
from django_ratelimit.exceptions import Ratelimited
from formtools.wizard.views import NamedUrlSessionWizardView, WizardView

from . import explain, forms, guide, jurisdictions, letters
from .choices import DataCategory, Scope
from .models import DeletionRequest
from .services import links
from .services import requests as request_services

STEPS = [
    ("you", forms.YouForm),
    ("what", forms.WhatForm),
    ("ai-setting", forms.AiSettingForm),
    ("reminders", forms.RemindersForm),
    ("review", forms.ReviewForm),
]
STEP_TITLES = {
    "you": gettext_lazy("About you"),
    "what": gettext_lazy("What to delete"),
    "ai-setting": gettext_lazy("The AI-training setting"),
    "reminders": gettext_lazy("Reminders"),
    "review": gettext_lazy("Review and create"),
}
CREATE_RATE = "20/h"
# A second "Create" this soon after the first (a double click: the browser
# shows the second answer, not the first) opens the request page, once. Any
# later replay of the form, by whoever holds a copy of it, only hears that the
# request exists and its link went by email.
DOUBLE_SUBMIT_WINDOW = timedelta(seconds=30)


# Every step shows what was typed, the review page all of it and the creation key.
@method_decorator(never_cache, name="dispatch")
class StartWizard(NamedUrlSessionWizardView):
    form_list = STEPS
    template_name = "requests_app/start.html"

    def get(self, request, *args, **kwargs):
        step = kwargs.get("step")
        if step == self.done_step_name:
            # Only the POST of the last step creates a request; a GET never does.
            return redirect(self.get_step_url(self.steps.last if self._has_started() else self.steps.first))
        if step and step in self.get_form_list() and step != self.steps.first and not self._has_started():
            return self._expired()
        response = super().get(request, *args, **kwargs)
        if hasattr(response, "add_post_render_callback"):
            # The page reads the wizard's state while it renders.
            response.add_post_render_callback(self._forget_untouched_storage)
        else:
            self._forget_untouched_storage()
        return response

    def _forget_untouched_storage(self, response=None) -> None:
        """A visitor who has only looked at the form typed nothing: keep no
        session for them (formtools would store an empty wizard, one database
        row for every visit and every crawler). The first POST starts one."""
        data = self.storage.data
        keys = (self.storage.step_data_key, self.storage.extra_data_key, self.storage.step_files_key)
        if not any(data.get(key) for key in keys):
            del self.request.session[self.storage.prefix]

    def post(self, request, *args, **kwargs):
        posted_step = request.POST.get(f"{self.get_prefix(request)}-current_step", "")
        if posted_step == "review" and not self._has_started():
            return self._already_created_or_expired(request.POST.get("review-creation_key", ""))
        if posted_step and posted_step != self.steps.first and not self._has_started():
            return self._expired()
        if not self._has_started():
            # The first personal byte is about to enter the session: a session
            # id planted or copied before this moment must not see it.
            request.session.cycle_key()
        goto = request.POST.get("wizard_goto_step")
        if goto and goto in self.get_form_list():
            # Back: keep what was typed on this step, even if incomplete.
            form = self.get_form(data=request.POST, files=request.FILES)
            self.storage.set_step_data(self.steps.current, self.process_step(form))
        return super().post(request, *args, **kwargs)

    def render_done(self, form, **kwargs):
        # formtools redirects to a "done" URL and creates on its GET; we create
        # in the POST itself so that no GET ever changes anything.
        return WizardView.render_done(self, form, **kwargs)

    def _has_started(self) -> bool:
        return self.storage.get_step_data(self.steps.first) is not None

    def _expired(self):
        messages.warning(
            self.request,
            _("Your session expired or the form was reset, so we started again. Nothing was saved."),
        )
        self.storage.reset()
        return redirect(self.get_step_url(self.steps.first))

    def _already_created_or_expired(self, creation_key: str):
        existing = DeletionRequest.objects.filter(creation_key=creation_key).first() if creation_key else None
        if existing is None:
            return self._expired()
        return self._already_created(existing)

    def _already_created(self, request_obj: DeletionRequest):
        """The form was sent again after it made `request_obj`. No new token
        is minted for it, except once for a double click."""
        self.storage.reset()
        if self._first_resubmit_of_a_double_click(request_obj):
            token = links.request_issue_link(request_id=request_obj.pk)
            if token is not None:
                messages.info(self.request, _("Your request was already created: here it is."))
                return redirect("requests_app:detail", token=token)
        return render(self.request, "requests_app/already_created.html")

    @staticmethod
    def _first_resubmit_of_a_double_click(request_obj: DeletionRequest) -> bool:
        if timezone.now() - request_obj.created_at > DOUBLE_SUBMIT_WINDOW:
            return False
        # Not in the session: its id changed when the request was made, and
        # the second click still carries the old one. add() is atomic on
        # Redis; with the cache down it fails and the page says "emailed".
        digest = hashlib.sha256(request_obj.creation_key.encode()).hexdigest()
        return cache.add(f"linkedout:reopened:{digest}", True, timeout=DOUBLE_SUBMIT_WINDOW.total_seconds() + 5)

    def _step_data(self, step: str) -> dict:
        """A step's cleaned data ({} before it). Kept for this HTTP request:
        reading a step's data validates its form again, and several hooks of
        one page (the review's summary and its letter preview) need it."""
        if not hasattr(self, "_cleaned_steps"):
            self._cleaned_steps: dict[str, dict] = {}
        if step not in self._cleaned_steps:
            self._cleaned_steps[step] = self.get_cleaned_data_for_step(step) or {}
        return self._cleaned_steps[step]

    def _you(self) -> dict:
        return self._step_data("you")

    def _member_regime(self) -> jurisdictions.Regime | None:
        you = self._you()
        return jurisdictions.regime_for(you["country"], you.get("subdivision", "")) if you else None

    def get_form_kwargs(self, step=None):
        regime = self._member_regime() if step == "what" else None
        if regime is not None:
            # Where the law gives no right to object, the step does not ask.
            return {"objection_right": regime.has_objection_right}
        return {}

    def get_form_initial(self, step):
        if step == "you":
            return {"language": (get_language() or "en")[:2]}
        regime = self._member_regime() if step == "what" else None
        if regime is not None:
            return {"object_to_processing": regime.has_objection_right}
        if step == "ai-setting":
            return {"switched_off_on": timezone.localdate()}
        if step == "review":
            key = self.storage.extra_data.setdefault("creation_key", secrets.token_hex(16))
            return {"creation_key": key}
        return {}

    def get_context_data(self, form, **kwargs):
        context = super().get_context_data(form=form, **kwargs)
        context["step_title"] = STEP_TITLES[self.steps.current]
        context["step_number"] = self.steps.step1
        context["step_count"] = self.steps.count
        context["progress_percent"] = round(100 * self.steps.step1 / self.steps.count)
        you = self._you() if self.steps.current != "you" else None
        if you:
            context["regime"] = self._member_regime()
            context["regime_explanation"] = explain.regime_explanation(
                context["regime"], you["country"], you.get("subdivision", "")
            )
        if self.steps.current == "what":
            context["about_training"] = guide.about_training()
        if self.steps.current == "ai-setting":
            context["ai_setting"] = guide.ai_setting_step()
        if self.steps.current == "review":
            context["summary"] = self._summary()
            context["letter_preview"] = self._letter_preview()
        return context

    def _letter_preview(self) -> letters.Letters | None:
        """The letters exactly as the request will have them: made from the
        steps' data and the reference the request will get."""
        steps = [self._step_data(name) for name in ("you", "what", "ai-setting", "reminders")]
        if not all(steps):
            return None
        reference = self.storage.extra_data.setdefault("reference", request_services.new_reference())
        return letters.build_letters(request_services.draft_request(_draft(*steps), reference=reference))

    def _summary(self) -> dict:
        you = self._you()
        what = self._step_data("what")
        ai = self._step_data("ai-setting")
        reminders = self._step_data("reminders")
        labels = dict(DataCategory.choices)
        return {
            "you": you,
            "place": explain.place_name(you.get("country", ""), you.get("subdivision", "")),
            "categories": [labels[c] for c in what.get("data_categories", []) if c in labels],
            "scope": dict(Scope.choices).get(what.get("scope", ""), ""),
            "what": what,
            "ai": ai,
            "reminders": reminders,
        }

    def done(self, form_list, form_dict, **kwargs):
        # Creating requests sends email: limit it per IP address.
        if is_ratelimited(self.request, group="create", key="ip", rate=CREATE_RATE, increment=True):
            raise Ratelimited
        you = form_dict["you"].cleaned_data
        what = form_dict["what"].cleaned_data
        ai = form_dict["ai-setting"].cleaned_data
        creation_key = form_dict["review"].cleaned_data["creation_key"]
        if creation_key != self.storage.extra_data.get("creation_key"):
            return self._expired()
        draft = _draft(you, what, ai, form_dict["reminders"].cleaned_data)
        try:
            request_obj, token = request_services.request_create(
                draft=draft, creation_key=creation_key, reference=self.storage.extra_data.get("reference")
            )
        except IntegrityError:
            # A concurrent second "Create" from this same session lost the race.
            existing = DeletionRequest.objects.filter(creation_key=creation_key).first()
            if existing is None:
                raise
            # The first one replaced (and deleted) the session this one loaded.
            self.request.session.cycle_key()
            return self._already_created(existing)
        # The session that filled the form, and any copy of its id, ends here.
        self.request.session.cycle_key()
        messages.success(
            self.request,
            _(
                "Your request %(reference)s is ready. Bookmark this page: its address is your private link. "
                "We emailed you a link to confirm your address; the private link and the receipt follow it."
            )
            % {"reference": request_obj.reference},
        )
        return redirect("requests_app:detail", token=token)


def _draft(you: dict, what: dict, ai: dict, reminders: dict) -> request_services.RequestDraft:
    return request_services.RequestDraft(
        first_name=you["first_name"],
        last_name=you["last_name"],
        postal_address=you.get("postal_address", ""),
        email=you["email"],
        country=you["country"],
        subdivision=you.get("subdivision", ""),
        language=you["language"],
        letter_language=you["letter_language"],
        profile_url=you["profile_url"],
        scope=what["scope"],
        data_categories=what["data_categories"],
        particular_situation=what.get("particular_situation", ""),
        specific_urls=what["specific_urls"],
        object_to_processing=what.get("object_to_processing", False),
        close_account=what["close_account"],
        access_request=what.get("access_request", False),
        ai_setting_off_on=ai.get("switched_off_on"),
        reminders_enabled=reminders["reminders_enabled"],
    )
