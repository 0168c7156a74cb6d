"""Forms of the guided journey (one per step) and of the request page."""

from __future__ import annotations

import json
from datetime import date

from crispy_forms.helper import FormHelper
from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from . import facts, form_cache, jurisdictions
from .choices import AnswerOutcome, AppealOutcome, DataCategory, Scope
from .validators import normalise_linkedin_url, validate_multiline_text, validate_plain_text

MAX_SPECIFIC_URLS = 200
# Any past date is valid (a member may have written to LinkedIn long before
# finding LinkedOut); a date before LinkedIn existed can only be a typo.
EARLIEST_DATE = date.fromisoformat(facts.value("linkedin_founded"))


class IsoDateInput(forms.DateInput):
    """<input type="date"> takes and gives YYYY-MM-DD whatever the page's
    language; a localised value ("01.12.2026") would show as an empty field.
    DateField accepts the ISO form in every locale (Django appends it to each
    locale's input formats), so typed dates in the local form still work
    where a browser has no date picker."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class StepForm(forms.Form):
    """Crispy renders the fields; the step template owns <form> and buttons.

    `cache_unbound`: the unbound form's rendering depends only on its class,
    prefix, fields, initial values and the language, so `{% cached_crispy %}`
    may keep it (form_cache.py). Leave it off for a form whose fields change
    with what it is given (ComplaintForm's authorities)."""

    cache_unbound = False

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True

    @property
    def has_field_errors(self) -> bool:
        """Whether a field is highlighted (not only a message about the whole form)."""
        return any(name != forms.forms.NON_FIELD_ERRORS for name in self.errors)


def _subdivision_groups() -> dict[str, str]:
    # One group of choices per country that has them, named in the reader's language.
    return {code: str(countries.name(code)) for code in jurisdictions.COUNTRIES_WITH_SUBDIVISIONS}


def _subdivision_choices():
    groups = _subdivision_groups()
    return [("", _("— not in the US, Canada or Germany —"))] + [
        (groups[code], choices) for code, choices in jurisdictions.COUNTRIES_WITH_SUBDIVISIONS.items()
    ]


def _country_choices():
    return [("", _("Choose your country"))] + list(countries)


def _past_date(value: date) -> date:
    if value > timezone.localdate():
        raise forms.ValidationError(_("This date is in the future."), code="future")
    if value < EARLIEST_DATE:
        raise forms.ValidationError(
            _("Please check the year: LinkedIn did not exist yet on this date."), code="too_early"
        )
    return value


class YouForm(StepForm):
    cache_unbound = True

    first_name = forms.CharField(
        label=_("First name"),
        max_length=100,
        help_text=_("As on your LinkedIn profile: LinkedIn's form asks for first and last name. Any alphabet is fine."),
        validators=[validate_plain_text],
        widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
    )
    last_name = forms.CharField(
        label=_("Last name"),
        required=False,  # some people have one name only
        max_length=100,
        validators=[validate_plain_text],
        widget=forms.TextInput(attrs={"autocomplete": "family-name"}),
    )
    email = forms.EmailField(
        label=_("Email address of your LinkedIn account"),
        max_length=254,
        help_text=_("LinkedIn uses it to find your account. We send your private link here."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    profile_url = forms.CharField(
        label=_("Your LinkedIn profile address (optional)"),
        required=False,
        max_length=500,
        help_text=_(
            "As your profile's Contact info shows it, for example linkedin.com/in/your-name. "
            "It helps LinkedIn find your account."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "url", "inputmode": "url"}),
    )
    postal_address = forms.CharField(
        label=_("Your postal address (optional)"),
        required=False,
        max_length=300,
        help_text=_("Only for the letter's sender block, if you want to send it by post."),
        validators=[validate_multiline_text],
        widget=forms.Textarea(attrs={"rows": 3, "autocomplete": "street-address"}),
    )
    country = forms.ChoiceField(
        label=_("Where do you live?"),
        help_text=_("This decides which law protects you."),
        widget=form_cache.Select(attrs={"autocomplete": "country"}),
    )
    subdivision = forms.ChoiceField(
        label=_("State, province or Land"),
        required=False,
        help_text=_(
            "Only for the United States and Canada, where the law depends on it, and Germany, where the "
            "authority you can complain to does."
        ),
        widget=form_cache.Select,
    )
    language = forms.ChoiceField(label=_("Your language"), choices=settings.LANGUAGES)
    letter_language = forms.ChoiceField(
        label=_("Language of the letter to LinkedIn"),
        choices=[("en", _("English (LinkedIn's working language, recommended)")), ("own", _("My language"))],
        initial="en",
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Built once per language (form_cache.py): the same lists for every visitor.
        self.fields["country"].choices = form_cache.choices_for_language("countries", _country_choices)
        self.fields["subdivision"].choices = form_cache.choices_for_language("subdivisions", _subdivision_choices)
        # app.js shows the state field only for these countries, with only the chosen country's group.
        self.fields["country"].widget.attrs["data-subdivision-countries"] = " ".join(
            jurisdictions.COUNTRIES_WITH_SUBDIVISIONS
        )
        self.fields["subdivision"].widget.attrs["data-groups"] = form_cache.per_language(
            "subdivision-groups", lambda: json.dumps(_subdivision_groups())
        )

    def clean_first_name(self) -> str:
        return self.cleaned_data["first_name"].strip()

    def clean_last_name(self) -> str:
        return self.cleaned_data["last_name"].strip()

    def clean_postal_address(self) -> str:
        lines = (line.strip() for line in self.cleaned_data["postal_address"].splitlines())
        return "\n".join(line for line in lines if line)

    def clean_profile_url(self) -> str:
        value = self.cleaned_data["profile_url"]
        return normalise_linkedin_url(value) if value else ""

    def clean(self):
        data = super().clean()
        country, subdivision = data.get("country"), data.get("subdivision", "")
        allowed = dict(jurisdictions.COUNTRIES_WITH_SUBDIVISIONS.get(country, []))
        if allowed and subdivision not in allowed:
            message = (
                _("Please choose your Land: in Germany the authority you can complain to depends on it.")
                if country == "DE"
                else _("Please choose your state or province: in %(country)s the law depends on it.")
                % {"country": countries.name(country)}
            )
            self.add_error("subdivision", message)
        elif not allowed and subdivision:
            data["subdivision"] = ""  # a leftover choice from another country
        return data


def _urls_help() -> str:
    return _("One LinkedIn address per line, at most %(max)d.") % {"max": MAX_SPECIFIC_URLS}


def _situation_help() -> str:
    return _(
        "Optional, in your own words: why the use of your data for AI training affects you in particular. "
        "For example: “I am a journalist and my posts name my sources”, “my profile shows my health or my "
        "beliefs”, “I was harassed and want as little of me reused as possible”. It goes into your objection."
    )


class WhatForm(StepForm):
    cache_unbound = True
    scope = forms.ChoiceField(
        label=_("What do you want?"),
        choices=Scope.choices,
        initial=Scope.AI_TRAINING,
        widget=forms.RadioSelect,
        error_messages={"required": _("Please choose what you want LinkedIn to do.")},
    )
    data_categories = forms.MultipleChoiceField(
        label=_("Which of your data?"),
        help_text=_("LinkedIn's own list of what it trains its AI on. Leave them all ticked to cover everything."),
        choices=DataCategory.choices,
        widget=forms.CheckboxSelectMultiple,
        initial=list(DataCategory.values),
        error_messages={"required": _("Choose at least one kind of data.")},
    )
    specific_urls = forms.CharField(
        label=_("Specific posts or pages (optional)"),
        required=False,
        max_length=MAX_SPECIFIC_URLS * 510,
        widget=forms.Textarea(attrs={"rows": 4}),
        # Interpolated lazily: a `%` here would freeze the text in English at import.
        help_text=lazy(_urls_help, str)(),
    )
    object_to_processing = forms.BooleanField(
        label=_("Also object to LinkedIn using my data to train AI"),
        required=False,
        initial=True,
    )
    particular_situation = forms.CharField(
        label=_("Your particular situation (optional)"),
        required=False,
        max_length=1000,
        validators=[validate_multiline_text],
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=lazy(_situation_help, str)(),
    )
    access_request = forms.BooleanField(
        label=_("Also ask LinkedIn which of my data it used for AI training (an access request)"),
        help_text=_("Which data, in which models and datasets, from when, shared with whom. It has its own deadline."),
        required=False,
        initial=False,
    )
    close_account = forms.BooleanField(
        label=_("I also want to close my LinkedIn account"),
        required=False,
        initial=False,
        help_text=_(
            "You close it yourself on LinkedIn's closure page; we show you the link after your request is sent "
            "(send it first: the form needs you signed in). Closing deletes your profile, connections and "
            "messages for good."
        ),
    )

    def __init__(self, *args, objection_right: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if not objection_right:
            # The law gives no right to object: nothing to ask.
            del self.fields["object_to_processing"]
            del self.fields["particular_situation"]

    def clean_specific_urls(self) -> list[str]:
        # dict.fromkeys: drop repeated lines, keep the order they were typed in.
        lines = list(
            dict.fromkeys(line.strip() for line in self.cleaned_data["specific_urls"].splitlines() if line.strip())
        )
        if len(lines) > MAX_SPECIFIC_URLS:
            raise forms.ValidationError(
                _("Please list at most %(max)d addresses (you listed %(count)d).")
                % {"max": MAX_SPECIFIC_URLS, "count": len(lines)}
            )
        urls, errors = [], []
        for number, line in enumerate(lines, start=1):
            try:
                url = normalise_linkedin_url(line)
            except forms.ValidationError as error:
                errors.append(_("Line %(number)d: %(message)s") % {"number": number, "message": error.messages[0]})
                continue
            if url not in urls:
                urls.append(url)
        if errors:
            raise forms.ValidationError(errors[:10])
        return urls


class AiSettingForm(StepForm):
    cache_unbound = True
    status = forms.ChoiceField(
        label=_("Have you switched the setting off?"),
        choices=[("off", _("Yes, I switched it off")), ("not_yet", _("Not yet: remind me"))],
        widget=forms.RadioSelect,
        error_messages={"required": _("Please tell us whether you switched it off.")},
    )
    switched_off_on = forms.DateField(
        label=_("On which day did you switch it off?"),
        required=False,
        widget=IsoDateInput,
        help_text=_("Today is filled in: change it if you switched it off earlier."),
    )

    def clean_switched_off_on(self):
        value = self.cleaned_data["switched_off_on"]
        return _past_date(value) if value else value

    def clean(self):
        data = super().clean()
        if data.get("status") == "off" and not data.get("switched_off_on") and "switched_off_on" not in self.errors:
            data["switched_off_on"] = timezone.localdate()
        if data.get("status") == "not_yet":
            data["switched_off_on"] = None
        return data


class RemindersForm(StepForm):
    cache_unbound = True
    reminders_enabled = forms.TypedChoiceField(
        label=_("Shall we remind you by email?"),
        choices=[("yes", _("Yes, remind me")), ("no", _("No, thank you"))],
        coerce=lambda value: value == "yes",
        initial="yes",
        widget=forms.RadioSelect,
    )


class ReviewForm(StepForm):
    creation_key = forms.CharField(widget=forms.HiddenInput, max_length=64)


# --- Request page -------------------------------------------------------------


class SubmittedForm(StepForm):
    cache_unbound = True
    submitted_on = forms.DateField(
        label=_("When did you send it to LinkedIn?"),
        widget=IsoDateInput,
        help_text=_(
            "LinkedIn's deadline counts from this day. If you sent it before you found LinkedOut, enter that day."
        ),
    )
    case_number = forms.CharField(
        label=_("LinkedIn case number (optional)"),
        required=False,
        max_length=64,
        validators=[validate_plain_text],
    )

    def clean_submitted_on(self) -> date:
        return _past_date(self.cleaned_data["submitted_on"])


class ExtensionForm(StepForm):
    cache_unbound = True
    announced_on = forms.DateField(
        label=_("When did LinkedIn tell you it needs more time?"),
        widget=IsoDateInput,
    )

    def clean_announced_on(self) -> date:
        return _past_date(self.cleaned_data["announced_on"])


class _PastAnswerDate:
    """An `answered_on` field that refuses a day in the future."""

    def clean_answered_on(self) -> date:
        return _past_date(self.cleaned_data["answered_on"])


class AnswerForm(_PastAnswerDate, StepForm):
    cache_unbound = True
    outcome = forms.ChoiceField(
        label=_("What did LinkedIn say?"), choices=AnswerOutcome.choices, widget=forms.RadioSelect
    )
    answered_on = forms.DateField(label=_("When?"), widget=IsoDateInput)
    summary = forms.CharField(
        label=_("LinkedIn's answer in your words (optional)"),
        required=False,
        max_length=1000,
        help_text=_("A sentence or two. It goes into your complaint, if you make one."),
        validators=[validate_multiline_text],
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class SentOnForm(StepForm):
    """A step the member took on one day. Each kind names what was sent, so
    two of these forms on one page never share a label."""

    cache_unbound = True
    sent_label = _("When did you send it?")
    sent_on = forms.DateField(widget=IsoDateInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sent_on"].label = self.sent_label

    def clean_sent_on(self) -> date:
        return _past_date(self.cleaned_data["sent_on"])


class FollowUpForm(SentOnForm):
    sent_label = _("When did you send the follow-up?")


class AppealForm(SentOnForm):
    sent_label = _("When did you send the appeal?")


class IdGivenForm(SentOnForm):
    sent_label = _("When did you give LinkedIn the proof of identity?")


class AccessSentForm(SentOnForm):
    sent_label = _("When did you send the access request?")


class AnsweredOnForm(_PastAnswerDate, StepForm):
    answered_on = forms.DateField(label=_("When did LinkedIn answer?"), widget=IsoDateInput)


class AppealAnswerForm(_PastAnswerDate, StepForm):
    cache_unbound = True
    outcome = forms.ChoiceField(
        label=_("What did LinkedIn decide?"), choices=AppealOutcome.choices, widget=forms.RadioSelect
    )
    answered_on = forms.DateField(label=_("When?"), widget=IsoDateInput)


class ComplaintForm(SentOnForm):
    cache_unbound = False  # its authorities are the request's
    sent_label = _("When did you send the complaint?")
    authority = forms.ChoiceField(label=_("To which authority?"), widget=forms.RadioSelect)

    def __init__(self, *args, authorities=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["authority"].choices = [(authority.key, authority.name) for authority in authorities]
        if authorities:
            self.fields["authority"].initial = authorities[0].key


class AiConfirmForm(StepForm):
    cache_unbound = True
    switched_off_on = forms.DateField(label=_("On which day did you switch it off?"), widget=IsoDateInput)

    def clean_switched_off_on(self) -> date:
        return _past_date(self.cleaned_data["switched_off_on"])


class EraseForm(StepForm):
    confirm = forms.BooleanField(
        label=_("Yes, erase everything LinkedOut holds about me. I understand this cannot be undone."),
        error_messages={"required": _("Tick the box to confirm.")},
    )


class EmailLinkForm(StepForm):
    email = forms.EmailField(
        label=_("Your email address"), max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
