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
        return _("Erasure request and objection to AI training — %(citation)s") % {
            "citation": regime.erasure_citation
        }
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
            _(
                "If you do not answer within this period, I will complain to %(authority)s."
            )
            % {"authority": regime.authorities[0].name if regime.authorities else ""}
        )
    body.append(_("Yours faithfully,") + "\n" + request.full_name)
    return "\n\n".join(body)
