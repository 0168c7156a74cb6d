"""Every text the user sends: the fields of LinkedIn's request form and the
formal letter. Built from the request, in its letter language."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from urllib.parse import quote

from django.utils import formats, translation
from django.utils.translation import gettext as _

from . import jurisdictions
from .models import DataCategory, DeletionRequest


@dataclass(frozen=True)
class FormField:
    key: str
    label: str
    text: str


@dataclass(frozen=True)
class Letters:
    fields: list[FormField]
    subject: str
    letter: str
    mailto: str  # "" when LinkedIn has no email address for this (see facts.json)


def letter_language(request: DeletionRequest) -> str:
    return request.language if request.letter_language == "own" else "en"


def regime_of(request: DeletionRequest) -> jurisdictions.Regime:
    return jurisdictions.regime_by_code(request.regime_code)


def build_letters(request: DeletionRequest, *, today: date | None = None) -> Letters:
    with translation.override(letter_language(request)):
        regime = regime_of(request)
        subject = _subject(request, regime)
        fields = [
            FormField("subject", _("Subject"), subject),
            FormField("description", _("Description of your request"), _description(request, regime)),
            FormField("data", _("Which data"), _data_list(request)),
            FormField("legal_basis", _("Legal basis"), _legal_basis(request, regime)),
        ]
        letter = _letter(request, regime, subject, today or date.today())
    email = jurisdictions.FACTS.get("linkedin", {}).get("privacy_email", "")
    mailto = f"mailto:{email}?subject={quote(subject)}&body={quote(letter)}" if email else ""
    return Letters(fields=fields, subject=subject, letter=letter, mailto=mailto)


def _subject(request: DeletionRequest, regime: jurisdictions.Regime) -> str:
    if request.object_to_processing:
        return _("Erasure request and objection to AI training — %(citation)s") % {"citation": regime.erasure_citation}
    return _("Erasure request — %(citation)s") % {"citation": regime.erasure_citation}


def _data_list(request: DeletionRequest) -> str:
    labels = dict(DataCategory.choices)
    lines = [f"- {labels[code]}" for code in request.data_categories if code in labels]
    if request.specific_urls:
        lines.append(_("- These specific items:"))
        lines.extend(f"  {url}" for url in request.specific_urls)
    return "\n".join(lines)


def _legal_basis(request: DeletionRequest, regime: jurisdictions.Regime) -> str:
    if regime.code == "none":
        return _(
            "LinkedIn's Privacy Policy, which lets members ask LinkedIn to delete their personal data. "
            "No data-protection law of my place of residence sets a deadline; I ask for an answer "
            "within %(days)s as a courtesy."
        ) % {"days": regime.deadline_words}
    parts = [_("Right to erasure: %(citation)s.") % {"citation": regime.erasure_citation}]
    if request.object_to_processing and regime.objection_citation:
        parts.append(_("Right to object: %(citation)s.") % {"citation": regime.objection_citation})
    if regime.recipients_citation:
        parts.append(_("Notification of recipients: %(citation)s.") % {"citation": regime.recipients_citation})
    parts.append(
        _("Deadline: %(words)s from receipt (%(citation)s).")
        % {"words": regime.deadline_words, "citation": regime.deadline_citation}
    )
    return " ".join(parts)


def _description(request: DeletionRequest, regime: jurisdictions.Regime) -> str:
    paragraphs = [
        _(
            "I ask LinkedIn to erase the personal data listed below, including all of my data that "
            "LinkedIn has used, or holds in order to use, for training or improving generative-AI models "
            "(%(citation)s)."
        )
        % {"citation": regime.erasure_citation}
    ]
    if request.object_to_processing and regime.objection_citation:
        paragraphs.append(
            _(
                "I also object (%(citation)s) to LinkedIn processing my personal data to train or improve "
                "AI models. LinkedIn relies on legitimate interest for this; my interests and rights override "
                "it, and I ask LinkedIn to stop this processing and to erase the data already used."
            )
            % {"citation": regime.objection_citation}
        )
    if request.ai_setting_off_on:
        paragraphs.append(
            _('I switched off the setting "Use my data for training content creation AI models" on %(date)s.')
            % {"date": formats.date_format(request.ai_setting_off_on, "DATE_FORMAT")}
        )
    if regime.recipients_citation:
        paragraphs.append(
            _("Please tell every recipient to whom this data was disclosed about the erasure (%(citation)s).")
            % {"citation": regime.recipients_citation}
        )
    if request.close_account:
        paragraphs.append(_("Please also close my LinkedIn account."))
    paragraphs.append(
        _("Please confirm in writing once this is done, within %(words)s of receiving this request.")
        % {"words": regime.deadline_words}
    )
    paragraphs.append(_identity(request))
    return "\n\n".join(paragraphs)


def _identity(request: DeletionRequest) -> str:
    lines = [_("My account:"), _("Name: %(name)s") % {"name": request.full_name}]
    lines.append(_("Email address of the account: %(email)s") % {"email": request.email})
    if request.profile_url:
        lines.append(_("Profile: %(url)s") % {"url": request.profile_url})
    return "\n".join(lines)


def _letter(request: DeletionRequest, regime: jurisdictions.Regime, subject: str, today: date) -> str:
    controller = regime.controller
    header = "\n".join([request.full_name, request.email, "", controller.name, *controller.address_lines])
    body = [
        header,
        formats.date_format(today, "DATE_FORMAT"),
        _("Reference: %(reference)s") % {"reference": request.reference},
        subject,
        _("Dear Sir or Madam,"),
        _description(request, regime),
        _("The data concerned:") + "\n" + _data_list(request),
        _legal_basis(request, regime),
    ]
    if regime.code != "none":
        body.append(
            _("If you do not answer within this period, I will complain to %(authority)s.")
            % {"authority": regime.authorities[0].name if regime.authorities else ""}
        )
    body.append(_("Yours faithfully,") + "\n" + request.full_name)
    return "\n\n".join(body)


def _sent_on(request: DeletionRequest) -> str:
    return formats.date_format(request.submitted_on, "DATE_FORMAT") if request.submitted_on else "?"


def follow_up_letter(request: DeletionRequest, *, today: date | None = None) -> str:
    """The letter for when LinkedIn lets the deadline pass: it cites the first
    request and gives 14 more days before a complaint."""
    from .explain import request_clock
    from .reminders import FOLLOW_UP_DAYS

    today = today or date.today()
    with translation.override(letter_language(request)):
        regime = regime_of(request)
        controller = regime.controller
        clock = request_clock(request, today=today)
        due = formats.date_format(clock.current_due_on, "DATE_FORMAT") if clock else "?"
        parts = [
            "\n".join([request.full_name, request.email, "", controller.name, *controller.address_lines]),
            formats.date_format(today, "DATE_FORMAT"),
            _("Reference: %(reference)s") % {"reference": request.reference}
            + (f" / {request.linkedin_case_number}" if request.linkedin_case_number else ""),
            _("Follow-up: %(subject)s") % {"subject": _subject(request, regime)},
            _("Dear Sir or Madam,"),
            _(
                "On %(sent)s I asked you to erase my personal data (%(citation)s). The period to answer ended "
                "on %(due)s and I have received no answer."
            )
            % {"sent": _sent_on(request), "citation": regime.erasure_citation, "due": due},
            _(
                "Please carry out my request and confirm it in writing within %(days)d days of this letter. "
                "Otherwise I will complain to %(authority)s without further notice."
            )
            % {
                "days": FOLLOW_UP_DAYS,
                "authority": regime.authorities[0].name if regime.authorities else _("the competent authority"),
            },
            _("My original request, for reference:") + "\n\n" + _description(request, regime),
            _("Yours faithfully,") + "\n" + request.full_name,
        ]
    return "\n\n".join(parts)


@dataclass(frozen=True)
class Complaint:
    authority: jurisdictions.Authority
    text: str


def complaint_letters(request: DeletionRequest, *, today: date | None = None) -> list[Complaint]:
    """A draft complaint for each authority the user may turn to (under the
    GDPR: the lead authority, Ireland's DPC, and their own, Art. 77(1))."""
    from .explain import request_clock

    today = today or date.today()
    complaints = []
    with translation.override(request.language):
        regime = regime_of(request)
        clock = request_clock(request, today=today)
        due = formats.date_format(clock.current_due_on, "DATE_FORMAT") if clock else "?"
        for authority in jurisdictions.authorities_for(request.country, request.subdivision):
            text = "\n\n".join(
                [
                    authority.name,
                    _("Complaint against %(controller)s") % {"controller": regime.controller.name},
                    _(
                        "On %(sent)s I asked %(controller)s to erase my personal data and, where applicable, "
                        "objected to its use for training AI models (%(citation)s). The deadline to answer ended "
                        "on %(due)s. I also sent a follow-up letter. %(controller)s has not carried out my request."
                    )
                    % {
                        "sent": _sent_on(request),
                        "controller": regime.controller.name,
                        "citation": regime.erasure_citation,
                        "due": due,
                    },
                    _(
                        "I ask you to examine my complaint and to order %(controller)s to comply with my request. "
                        "Copies of my request and of the follow-up letter are attached."
                    )
                    % {"controller": regime.controller.name},
                    _identity(request) + "\n" + _("Reference: %(reference)s") % {"reference": request.reference},
                    request.full_name,
                ]
            )
            complaints.append(Complaint(authority=authority, text=text))
    return complaints
