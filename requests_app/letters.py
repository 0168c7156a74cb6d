"""Every text the member sends: the fields of LinkedIn's Data Deletion request
form and of its objection form, and the formal letter. Built from the request,
in its letter language; the labels that say which field a text belongs in are
in the reader's language.

What the texts ask for is only what the law and LinkedIn give: deletion from
LinkedIn's stores and training datasets, exclusion from future training and
retraining, and an answer about which models already used the data. They do
not claim that a trained model will forget.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from django.utils import dateformat, formats, timezone, translation
from django.utils.translation import gettext as _

from . import dates, facts, jurisdictions
from .choices import UNSATISFACTORY_OUTCOMES, AnswerOutcome, AppealOutcome, DataCategory, Scope

if TYPE_CHECKING:
    from .models import DeletionRequest

# How each letter language writes a date in a letter, e.g. "1 December 2026",
# "1. Dezember 2026", "1er décembre 2026" (dateformat codes; month names come
# from the language). English follows the addressee's custom for US members.
LETTER_DATE_FORMATS = {
    "en": "j F Y",
    "en-us": "F j, Y",
    "de": "j. F Y",
    "fr": "j F Y",
    "es": r"j \d\e F \d\e Y",
    "it": "j F Y",
    "nl": "j F Y",
    "pl": "j E Y",  # E: the genitive month name Polish dates use ("1 grudnia 2026")
}
US_DATE_COUNTRIES = frozenset({"US"})
# Languages that write the first of the month as an ordinal: "1er décembre",
# "1º dicembre" (so that Italian reads "del 1º dicembre", "del primo").
FIRST_OF_THE_MONTH = {"fr": "1er", "it": "1º"}
# Languages that write month names in lower case inside a date, whatever
# Django's catalog capitalises (its Italian months are "Marzo", "Dicembre").
LOWER_CASE_MONTHS = frozenset({"fr", "es", "it", "nl", "pl"})
# German words that keep their capital after "Sehr geehrte Damen und
# Herren,": the polite pronoun and its forms (nouns keep theirs too, see
# _after_salutation).
GERMAN_POLITE_PRONOUNS = frozenset({"Sie", "Ihnen", "Ihr", "Ihre", "Ihrem", "Ihren", "Ihrer", "Ihres"})


@dataclass(frozen=True)
class FormText:
    """The text for one field of one of LinkedIn's forms."""

    key: str
    label: str  # the field's name, in the reader's language
    text: str
    max_chars: int | None = None
    # A choice in a list on LinkedIn's form: the text says which to pick, it
    # is not pasted.
    is_choice: bool = False

    @property
    def rows(self) -> int:
        return 12 if self.key in ("details", "explanation") else 1

    @property
    def too_long(self) -> bool:
        return self.max_chars is not None and len(self.text) > self.max_chars


@dataclass(frozen=True)
class LinkedInForm:
    key: str  # "deletion_form" or "objection_form": the fact it comes from
    name: str
    url: str
    fields: list[FormText]
    fields_unverified: bool
    checked_on: date


@dataclass(frozen=True)
class Letters:
    deletion_form: LinkedInForm
    objection_form: LinkedInForm | None  # only where the law gives a right to object and it was chosen
    subject: str
    letter: str

    @property
    def fields(self) -> list[FormText]:
        return self.deletion_form.fields


def letter_language(request: DeletionRequest) -> str:
    return request.language if request.letter_language == "own" else "en"


def regime_of(request: DeletionRequest) -> jurisdictions.Regime:
    return jurisdictions.regime_by_code(request.regime_code)


def written_date(day: date, *, language: str, country: str = "") -> str:
    """A date as a letter in ``language`` writes it. Call inside the letter's
    language (month names are translated)."""
    key = "en-us" if language == "en" and country.upper() in US_DATE_COUNTRIES else language
    fmt = LETTER_DATE_FORMATS.get(key)
    if fmt is None:
        return formats.date_format(day, "DATE_FORMAT")
    text = dateformat.format(day, fmt)
    if language in LOWER_CASE_MONTHS:
        text = text.lower()
    if day.day == 1 and language in FIRST_OF_THE_MONTH:
        text = FIRST_OF_THE_MONTH[language] + text[1:]
    return text


def wants_objection(request: DeletionRequest, regime: jurisdictions.Regime) -> bool:
    return bool(request.object_to_processing and regime.has_objection_right)


def build_letters(request: DeletionRequest, *, today: date | None = None) -> Letters:
    regime = regime_of(request)
    labels = _field_labels()  # the reader's language: they say where each text goes
    with translation.override(letter_language(request)):
        subject = _subject(request, regime)
        deletion_texts = {"details": details_text(request, regime)}
        objection_texts = {
            "objection_type": _objection_type_text(),
            "explanation": objection_text(request, regime),
        }
        letter = _letter(request, regime, subject, today or timezone.localdate())
    deletion = _linkedin_form("deletion_form", request, labels, deletion_texts)
    objection = (
        _linkedin_form("objection_form", request, labels, objection_texts) if wants_objection(request, regime) else None
    )
    return Letters(deletion_form=deletion, objection_form=objection, subject=subject, letter=letter)


def _field_labels() -> dict[str, str]:
    return {
        "first_name": _("First name"),
        "last_name": _("Last name"),
        "email": _("Email address"),
        "details": _("Details of your request"),
        "objection_type": _("Type of objection"),
        "explanation": _("Explanation"),
    }


def _linkedin_form(name: str, request: DeletionRequest, labels: dict[str, str], texts: dict[str, str]) -> LinkedInForm:
    first, last = request.name_parts()
    texts = {"first_name": first, "last_name": last, "email": request.email, **texts}
    fields = [
        FormText(key=field.key, label=labels[field.key], text=texts[field.key], max_chars=field.max_chars,
                 is_choice=field.key == "objection_type")
        for field in facts.form_fields(name)
    ]  # fmt: skip
    form_fact = facts.fact(name)
    fields_fact = facts.fact(f"{name}_fields")
    return LinkedInForm(
        key=name,
        name=_form_name(name),
        url=form_fact.value["url"],
        fields=fields,
        fields_unverified=fields_fact.unverified,
        checked_on=min(form_fact.checked_on, fields_fact.checked_on),
    )


def _form_name(name: str) -> str:
    if name == "objection_form":
        return _("Data Processing Objection form")
    return _("Data Deletion request form")


def _subject(request: DeletionRequest, regime: jurisdictions.Regime) -> str:
    if wants_objection(request, regime):
        return _("Request to erase my data from AI training, and objection — %(citation)s") % {
            "citation": _erasure_citation(request, regime)
        }
    return _("Request to erase my data from AI training — %(citation)s") % {
        "citation": _erasure_citation(request, regime)
    }


def _erasure_citation(request: DeletionRequest, regime: jurisdictions.Regime) -> str:
    if wants_objection(request, regime) and regime.erasure_after_objection_citation:
        return regime.erasure_after_objection_citation
    return str(regime.erasure_citation)


def specific_item_lines(urls: Sequence[str]) -> str:
    """How a letter lists the specific items: one indented line each. The
    receipt finds them by it, to print them as its compact table."""
    return "\n".join(f"  {url}" for url in urls)


def _data_list(request: DeletionRequest) -> str:
    labels = dict(DataCategory.choices)
    lines = [f"- {labels[code]}" for code in request.data_categories if code in labels]
    if request.specific_urls:
        lines.append(_("- These specific items:"))
        lines.append(specific_item_lines(request.specific_urls))
    return "\n".join(lines)


def _what_paragraph(request: DeletionRequest) -> str:
    if request.scope == Scope.DELETE:
        return _(
            "Please erase the personal data listed below from LinkedIn altogether: from your services and "
            "stores, and from every dataset used to train, fine-tune or evaluate your generative-AI models. "
            "Please also exclude it from any future training or retraining."
        )
    return _(
        "Please erase the personal data listed below from every dataset you use to train, fine-tune or "
        "evaluate your generative-AI models, and exclude it from any future training or retraining. "
        "My profile and posts may stay on LinkedIn: this request is about AI training."
    )


def _law_paragraphs(request: DeletionRequest, regime: jurisdictions.Regime) -> list[str]:
    if regime.deadline_is_ours:
        return [
            _(
                "I make this request under LinkedIn's Privacy Policy, which lets members ask for their personal "
                "data to be deleted. No data-protection law of my place of residence sets a deadline; I ask for "
                "an answer within %(days)s, a period I suggest."
            )
            % {"days": regime.deadline_words}
        ]
    if regime.withdraws_consent:
        return _consent_withdrawal_paragraphs(regime)
    paragraphs = []
    if wants_objection(request, regime):
        objection = _(
            "I object under %(objection)s to the processing of my personal data for training content-generating "
            "AI models, which LinkedIn bases on its legitimate interests. As a result, my data must be erased "
            "(%(erasure)s)."
        ) % {"objection": regime.objection_citation, "erasure": _erasure_citation(request, regime)}
        if request.particular_situation:
            objection += " " + _("My particular situation: %(situation)s") % {
                "situation": request.particular_situation.replace("\n", " ")
            }
        paragraphs.append(objection)
        if regime.restriction_citation:
            paragraphs.append(
                _("Until my objection is decided, please restrict the processing of this data (%(citation)s).")
                % {"citation": regime.restriction_citation}
            )
    else:
        paragraphs.append(_("I make this request under %(citation)s.") % {"citation": regime.erasure_citation})
    if regime.public_data_citation:
        paragraphs.append(
            _(
                "Where you have made this data public, please inform the other controllers that process it of "
                "my request (%(citation)s)."
            )
            % {"citation": regime.public_data_citation}
        )
    if regime.recipients_citation:
        paragraphs.append(
            _(
                "Please tell every recipient of this data, Microsoft included, about the erasure, and tell me "
                "who they are (%(citation)s)."
            )
            % {"citation": regime.recipients_citation}
        )
    if request.country in facts.value("uk_microsoft_sharing")["countries"] and wants_objection(request, regime):
        paragraphs.append(
            _("I also object to LinkedIn sharing my data with Microsoft for the training of Microsoft's AI models.")
        )
    return paragraphs


def _consent_withdrawal_paragraphs(regime: jurisdictions.Regime) -> list[str]:
    # PIPEDA gives no erasure right as such: the member withdraws consent and
    # invokes the retention limit; the access request is what carries the clock.
    paragraphs = [
        _(
            "I withdraw my consent to LinkedIn's use of my personal information to train, fine-tune or evaluate "
            "its AI models (%(consent)s). This information is no longer needed for that purpose, so please "
            "destroy or erase it (%(retention)s)."
        )
        % {"consent": regime.citation("consent_withdrawal"), "retention": regime.citation("retention")}
    ]
    if regime.citation("quebec_erasure"):
        paragraphs.append(
            _("I also ask you to delete this information and to stop disseminating it (%(citation)s).")
            % {"citation": regime.citation("quebec_erasure")}
        )
    paragraphs.append(
        _(
            "I also ask for access to my personal information (%(access)s): which of it you have used to train "
            "AI models, in which models and datasets, since when, and with whom you have shared it, Microsoft "
            "included. The law gives you %(words)s to answer (%(deadline)s); no answer within that time counts "
            "as a refusal (%(deemed)s)."
        )
        % {
            "access": regime.citation("access"),
            "words": regime.deadline_words,
            "deadline": regime.deadline_citation,
            "deemed": regime.citation("deemed_refusal"),
        }
    )
    return paragraphs


def _deadline_sentence(regime: jurisdictions.Regime) -> str:
    if regime.deadline_is_ours:
        return _("Please confirm in writing once this is done.")
    return _(
        "Please confirm in writing once this is done, within %(words)s of receiving this request (%(citation)s)."
    ) % {
        "words": regime.deadline_within_words,
        "citation": regime.deadline_citation,
    }


def _body_paragraphs(request: DeletionRequest, regime: jurisdictions.Regime) -> list[str]:
    paragraphs = [_what_paragraph(request), _("The data concerned:") + "\n" + _data_list(request)]
    paragraphs.extend(_law_paragraphs(request, regime))
    if not regime.withdraws_consent:  # the access request above already asks it
        paragraphs.append(
            _("Please also tell me which of your AI models have already been trained on my data, and since when.")
        )
    if request.ai_setting_off_on:
        paragraphs.append(
            _('I switched off the setting "%(switch)s" on %(date)s.')
            % {
                "switch": facts.value("ai_setting")["switch_label"],
                "date": written_date(
                    request.ai_setting_off_on, language=translation.get_language(), country=request.country
                ),
            }
        )
    paragraphs.append(_deadline_sentence(regime))
    return paragraphs


def details_text(request: DeletionRequest, regime: jurisdictions.Regime) -> str:
    """The one "details" box of LinkedIn's Data Deletion request form: the
    whole request, with the account it is about."""
    return "\n\n".join([*_body_paragraphs(request, regime), _identity(request)])


def objection_text(request: DeletionRequest, regime: jurisdictions.Regime) -> str:
    """The explanation box of LinkedIn's objection form."""
    parts = [
        _(
            "I object under %(objection)s to LinkedIn processing my personal data to train, fine-tune or evaluate "
            "its content-generating AI models, which LinkedIn bases on its legitimate interests. Please stop this "
            "processing and erase the data already used (%(erasure)s)."
        )
        % {"objection": regime.objection_citation, "erasure": _erasure_citation(request, regime)}
    ]
    if request.particular_situation:
        parts.append(_("My particular situation: %(situation)s") % {"situation": request.particular_situation})
    if regime.restriction_citation:
        parts.append(
            _("Until my objection is decided, please restrict the processing of this data (%(citation)s).")
            % {"citation": regime.restriction_citation}
        )
    if request.country in facts.value("uk_microsoft_sharing")["countries"]:
        parts.append(
            _("I also object to LinkedIn sharing my data with Microsoft for the training of Microsoft's AI models.")
        )
    parts.append(_("I have sent my deletion request through your Data Deletion request form as well."))
    return "\n\n".join(parts)


def _objection_type_text() -> str:
    words = facts.value("objection_type")
    return _("Choose the type that mentions %(words)s. If none does, choose “%(fallback)s”.") % {
        "words": ", ".join(f"“{word}”" for word in words["option_words"]),
        "fallback": words["fallback_option"],
    }


def _identity(request: DeletionRequest) -> str:
    lines = [_("My account:"), _("Name: %(name)s") % {"name": request.full_name}]
    lines.append(_("Email address of the account: %(email)s") % {"email": request.email})
    if request.profile_url:
        lines.append(_("Profile: %(url)s") % {"url": request.profile_url})
    return "\n".join(lines)


def _sender_block(request: DeletionRequest) -> str:
    lines = [request.full_name, *request.postal_address.splitlines(), request.email]
    if request.profile_url:
        lines.append(request.profile_url)
    return "\n".join(line for line in lines if line)


def _addressee_block(regime: jurisdictions.Regime) -> str:
    controller = regime.controller
    return "\n".join([controller.name, _("c/o Data Protection Officer"), *controller.address_lines])


def _after_salutation(text: str) -> str:
    # German continues the sentence after "Sehr geehrte Damen und Herren,":
    # the first word of the letter's body is written in lower case, unless it
    # is the polite "Sie" or a name such as "LinkedIn" (a capital inside the
    # word). The letters' German openings start with no other noun.
    first_word = text.split(" ", 1)[0]
    if (
        translation.get_language() == "de"
        and first_word[:1].isupper()
        and first_word[1:] == first_word[1:].lower()
        and first_word not in GERMAN_POLITE_PRONOUNS
    ):
        return text[:1].lower() + text[1:]
    return text


def _letter(request: DeletionRequest, regime: jurisdictions.Regime, subject: str, today: date) -> str:
    body = _body_paragraphs(request, regime)
    body[0] = _after_salutation(body[0])
    parts = [
        _sender_block(request),
        _addressee_block(regime),
        written_date(today, language=translation.get_language(), country=request.country),
        _("Reference: %(reference)s") % {"reference": request.reference},
        subject,
        _("Dear Sir or Madam,"),
        *body,
    ]
    if regime.authorities and not regime.deadline_is_ours:
        parts.append(
            _("If you do not answer within this period, I will complain to %(authority)s.")
            % {"authority": _authority_named(regime)}
        )
    parts.append(_("Yours faithfully,") + "\n" + request.full_name)
    return "\n\n".join(parts)


def _authority_named(regime: jurisdictions.Regime) -> str:
    """Who a letter says it will complain to, as the sentence needs the name
    (with its article, in its case: "der irischen Datenschutzkommission …")."""
    return regime.authorities[0].named_in_letter if regime.authorities else _("the competent authority")


def _day(request: DeletionRequest, day: date | None) -> str:
    """A date inside a letter's sentence, written as the letter writes its date line."""
    return written_date(day, language=translation.get_language(), country=request.country) if day else "?"


def _sent_on(request: DeletionRequest) -> str:
    return _day(request, request.submitted_on)


def _current_due_on(request: DeletionRequest) -> str:
    request_dates = dates.request_dates(request)
    return _day(request, request_dates.current_due_on if request_dates else None)


def follow_up_letter(request: DeletionRequest, *, today: date | None = None) -> str:
    """The letter for when LinkedIn lets the deadline pass: it cites the first
    request and gives 14 more days before a complaint."""
    today = today or timezone.localdate()
    with translation.override(letter_language(request)):
        regime = regime_of(request)
        due = _current_due_on(request)
        parts = [
            *_later_letter_head(request, regime, today, _("Follow-up: %(subject)s")),
            _after_salutation(
                _(
                    "On %(sent)s I asked you to erase my personal data (%(citation)s). The period to answer ended "
                    "on %(due)s and I have received no answer."
                )
                % {"sent": _sent_on(request), "citation": regime.erasure_citation, "due": due}
            ),
            _(
                "Please carry out my request and confirm it in writing within %(days)d days of this letter. "
                "Otherwise I will complain to %(authority)s without further notice."
            )
            % {
                "days": dates.FOLLOW_UP_DAYS,
                "authority": _authority_named(regime),
            },
            *_later_letter_tail(request, regime),
        ]
    return "\n\n".join(parts)


def _later_letter_head(request: DeletionRequest, regime: jurisdictions.Regime, today: date, heading: str) -> list[str]:
    # The opening every letter after the request shares: who writes to whom,
    # when, about which request (and LinkedIn's case number, once known).
    return [
        _sender_block(request),
        _addressee_block(regime),
        written_date(today, language=translation.get_language(), country=request.country),
        _("Reference: %(reference)s") % {"reference": request.reference}
        + (f" / {request.linkedin_case_number}" if request.linkedin_case_number else ""),
        heading % {"subject": _subject(request, regime)},
        _("Dear Sir or Madam,"),
    ]


def _later_letter_tail(request: DeletionRequest, regime: jurisdictions.Regime) -> list[str]:
    return [
        _("My original request, for reference:") + "\n\n" + details_text(request, regime),
        _("Yours faithfully,") + "\n" + request.full_name,
    ]


def appeal_letter(request: DeletionRequest, *, today: date | None = None) -> str:
    """The appeal of a refusal, where the law gives one (US state laws): the
    member sends it through LinkedIn's own process, by replying to the message
    that told them its decision. "" where the regime has no appeal."""
    regime = regime_of(request)
    if regime.appeal is None:
        return ""
    today = today or timezone.localdate()
    with translation.override(letter_language(request)):
        citation = regime.appeal_citation or regime.erasure_citation
        parts = [
            *_later_letter_head(request, regime, today, _("Appeal: %(subject)s")),
            _after_salutation(
                _(
                    "On %(sent)s I asked you to delete my personal data (%(erasure)s). You did not carry out my "
                    "request in full. I appeal this decision under %(appeal)s and ask you to reconsider it and to "
                    "delete the data as I asked."
                )
                % {"sent": _sent_on(request), "erasure": regime.erasure_citation, "appeal": citation}
            ),
        ]
        if regime.appeal.answer_within is not None:
            parts.append(
                _("Please answer this appeal in writing within %(words)s of receiving it (%(citation)s).")
                % {"words": regime.appeal.answer_within_words, "citation": citation}
            )
        if regime.authorities:
            parts.append(
                _("If you deny my appeal, I will complain to %(authority)s.") % {"authority": _authority_named(regime)}
            )
        parts += _later_letter_tail(request, regime)
    return "\n\n".join(parts)


@dataclass(frozen=True)
class Complaint:
    authority: jurisdictions.Authority
    text: str


def complaint_letters(request: DeletionRequest, *, today: date | None = None) -> list[Complaint]:
    """A draft complaint for each authority the user may turn to (under the
    GDPR: the lead authority, Ireland's DPC, and their own, Art. 77(1)). It
    states only what the member recorded: no follow-up, answer or appeal is
    claimed unless its date is on the request."""
    today = today or timezone.localdate()
    complaints = []
    with translation.override(request.language):
        regime = regime_of(request)
        facts_paragraphs = _complaint_facts(request, regime, today)
        attached = _complaint_attachments(request)
        for authority in jurisdictions.authorities_for(regime, request.country, request.subdivision):
            text = "\n\n".join(
                [
                    authority.name,
                    _("Complaint against %(controller)s") % {"controller": regime.controller.name},
                    # A letter to an authority, with the salutation and closing of the other letters.
                    _("Dear Sir or Madam,"),
                    _after_salutation(facts_paragraphs[0]),
                    *facts_paragraphs[1:],
                    _("I ask you to examine my complaint and to order %(controller)s to comply with my request.")
                    % {"controller": regime.controller.name}
                    + " "
                    + attached,
                    _identity(request) + "\n" + _("Reference: %(reference)s") % {"reference": request.reference},
                    _("Yours faithfully,") + "\n" + request.full_name,
                ]
            )
            complaints.append(Complaint(authority=authority, text=text))
    return complaints


def _complaint_facts(request: DeletionRequest, regime: jurisdictions.Regime, today: date) -> list[str]:
    controller = regime.controller.name
    paragraphs = [
        _(
            "On %(sent)s I asked %(controller)s to erase my personal data and to stop using it for training AI "
            "models (%(citation)s)."
        )
        % {"sent": _sent_on(request), "controller": controller, "citation": regime.erasure_citation}
    ]
    request_dates = dates.request_dates(request)
    if request.id_requested_on:
        paragraphs.append(
            _("On %(date)s %(controller)s asked me to prove my identity.")
            % {"date": _day(request, request.id_requested_on), "controller": controller}
        )
        if request.id_given_on:
            paragraphs.append(
                _("On %(date)s I gave it the information it asked for.") % {"date": _day(request, request.id_given_on)}
            )
    if request.answered_on and request.answer_outcome:
        paragraphs.append(
            _("On %(date)s %(controller)s answered: %(outcome)s.")
            % {
                "date": _day(request, request.answered_on),
                "controller": controller,
                "outcome": _outcome_words(request.answer_outcome),
            }  # fmt: skip
        )
        if request.answer_summary:
            paragraphs.append(_("Its answer, in my words: %(summary)s") % {"summary": request.answer_summary})
    elif request_dates and today > request_dates.current_due_on:
        paragraphs.append(
            _("The period to answer ended on %(due)s without an answer.")
            % {"due": _day(request, request_dates.current_due_on)}
        )
    if request.follow_up_sent_on:
        paragraphs.append(
            _("On %(date)s I sent a follow-up letter giving %(days)d more days.")
            % {"date": _day(request, request.follow_up_sent_on), "days": dates.FOLLOW_UP_DAYS}
        )
    if request.appeal_sent_on:
        paragraphs.append(_("On %(date)s I appealed its decision.") % {"date": _day(request, request.appeal_sent_on)})
        if request.appeal_answered_on and request.appeal_outcome == AppealOutcome.DENIED:
            paragraphs.append(
                _("On %(date)s %(controller)s denied my appeal.")
                % {"date": _day(request, request.appeal_answered_on), "controller": controller}
            )
        elif (due := dates.appeal_due_on(request)) and today > due and not request.appeal_answered_on:
            paragraphs.append(
                _("It did not answer my appeal by %(date)s, the end of the period the law sets.")
                % {"date": _day(request, due)}
            )
    paragraphs.extend(_access_facts(request, regime, today))
    paragraphs.append(_("%(controller)s has not carried out my request.") % {"controller": controller})
    return paragraphs


def _access_facts(request: DeletionRequest, regime: jurisdictions.Regime, today: date) -> list[str]:
    if request.access_sent_on is None:
        return []
    paragraphs = [
        _("On %(date)s I also asked %(controller)s which of my data it used for AI training (%(citation)s).")
        % {
            "date": _day(request, request.access_sent_on),
            "controller": regime.controller.name,
            "citation": regime.citation("access") or regime.short_name,
        }
    ]
    due = dates.access_due_on(request)
    if request.access_answered_on:
        paragraphs.append(_("It answered on %(date)s.") % {"date": _day(request, request.access_answered_on)})
    elif due and today > due:
        paragraphs.append(_("It did not answer by %(date)s.") % {"date": _day(request, due)})
    return paragraphs


def _complaint_attachments(request: DeletionRequest) -> str:
    if request.follow_up_sent_on and request.appeal_sent_on:
        return _("Copies of my request, of the follow-up letter and of my appeal are attached.")
    if request.follow_up_sent_on:
        return _("Copies of my request and of the follow-up letter are attached.")
    if request.appeal_sent_on:
        return _("Copies of my request, of LinkedIn's answer and of my appeal are attached.")
    if request.answered_on:
        return _("Copies of my request and of LinkedIn's answer are attached.")
    return _("A copy of my request is attached.")


def _outcome_words(outcome: str) -> str:
    return {
        AnswerOutcome.DONE: _("it deleted the data"),
        AnswerOutcome.PARTLY: _("it deleted only part of the data"),
        AnswerOutcome.REFUSED: _("it refused my request"),
        AnswerOutcome.ASKED_FOR_ID: _("it asked me to prove my identity"),
        AnswerOutcome.TRAINING_DONE: _("training already done cannot be undone, and I should use my settings"),
        AnswerOutcome.ACCOUNT_RESTRICTED: _("my account is restricted"),
    }.get(outcome, outcome)


def reply_letter(request: DeletionRequest, *, today: date | None = None) -> str:
    """The member's reply to LinkedIn's answer (an ID demand, a refusal, a
    partial answer, "training cannot be undone", "your account is
    restricted"), citing the regime's own rules; "" for other answers."""
    if request.answer_outcome not in REPLY_OUTCOMES:
        return ""
    today = today or timezone.localdate()
    with translation.override(letter_language(request)):
        regime = regime_of(request)
        answered = request.answered_on or request.id_requested_on
        parts = [
            *_later_letter_head(request, regime, today, _("Reply: %(subject)s")),
            _after_salutation(_reply_opening(request, answered)),
        ]
        if request.answer_outcome == AnswerOutcome.ASKED_FOR_ID:
            parts += _id_reply(regime)
        else:
            parts += _refusal_reply(request, regime)
        parts += _later_letter_tail(request, regime)
    return "\n\n".join(parts)


REPLY_OUTCOMES = frozenset({AnswerOutcome.ASKED_FOR_ID, *UNSATISFACTORY_OUTCOMES})


def _reply_opening(request: DeletionRequest, answered: date | None) -> str:
    language = translation.get_language()
    answered_text = written_date(answered, language=language, country=request.country) if answered else "?"
    values = {"answered": answered_text, "sent": _sent_on(request)}
    return {
        AnswerOutcome.ASKED_FOR_ID: _(
            "On %(answered)s you asked me to prove my identity before carrying out my request of %(sent)s."
        ),
        AnswerOutcome.PARTLY: _(
            "On %(answered)s you told me that you carried out my request of %(sent)s only in part."
        ),
        AnswerOutcome.REFUSED: _("On %(answered)s you refused my request of %(sent)s."),
        AnswerOutcome.TRAINING_DONE: _(
            "On %(answered)s you answered my request of %(sent)s that training already done cannot be undone, "
            "and pointed me to my settings."
        ),
        AnswerOutcome.ACCOUNT_RESTRICTED: _(
            "On %(answered)s you answered my request of %(sent)s that my account is restricted."
        ),
    }[request.answer_outcome] % values


def _id_reply(regime: jurisdictions.Regime) -> list[str]:
    paragraphs = []
    if regime.citation("identity"):
        paragraphs.append(
            _("You may ask for more information only where you have reasonable doubts about who I am (%(citation)s).")
            % {"citation": regime.citation("identity")}
        )
    paragraphs.append(
        _(
            "I sent my request through your own form while signed in to my LinkedIn account, and with the email "
            "address of that account: that identifies me. Please carry out my request without further delay, or "
            "tell me exactly which doubt you have and what would resolve it."
        )
    )
    return paragraphs


def _refusal_reply(request: DeletionRequest, regime: jurisdictions.Regime) -> list[str]:
    if regime.has_objection_right:
        argument = _(
            "LinkedIn bases the training of its AI models on its legitimate interests. I have objected to it "
            "(%(objection)s), and you have not shown compelling legitimate grounds that override my interests, "
            "rights and freedoms. The data must therefore be erased (%(erasure)s)."
        ) % {"objection": regime.objection_citation, "erasure": _erasure_citation(request, regime)}
    elif regime.withdraws_consent:
        argument = _(
            "I withdrew my consent to this use (%(consent)s). Personal information no longer needed for the "
            "purpose it was collected for must be destroyed or erased (%(retention)s)."
        ) % {"consent": regime.citation("consent_withdrawal"), "retention": regime.citation("retention")}
    else:
        argument = _("My request rests on %(citation)s.") % {"citation": regime.erasure_citation}
    paragraphs = [argument]
    if request.answer_outcome == AnswerOutcome.TRAINING_DONE:
        paragraphs.append(
            _(
                "My request is not only about future training. I ask you to erase my data from your stores and "
                "from every dataset used to train, fine-tune or evaluate your models, and to exclude it from any "
                "retraining. The setting stops only future use; it does not erase what you hold."
            )
        )
    elif request.answer_outcome == AnswerOutcome.ACCOUNT_RESTRICTED:
        paragraphs.append(
            _(
                "My rights over my personal data do not depend on the state of my account: I remain the person the "
                "data is about, and the email address of the account identifies me."
            )
        )
    elif request.answer_outcome == AnswerOutcome.PARTLY:
        paragraphs.append(_("Please tell me which data you did not erase, and why, and erase the rest."))
    closing = _("Please carry out my request in full within %(days)d days of this letter.") % {
        "days": dates.FOLLOW_UP_DAYS
    }
    if regime.authorities and not regime.deadline_is_ours:
        closing += " " + _("Otherwise I will complain to %(authority)s.") % {"authority": _authority_named(regime)}
    paragraphs.append(closing)
    return paragraphs


def access_request_text(request: DeletionRequest) -> str:
    """ "What did you train on me?": the access request beside the deletion,
    in the letter's language, for LinkedIn's privacy contact form. Its answer
    is due within the regime's period (the same clock as the deletion)."""
    with translation.override(letter_language(request)):
        regime = regime_of(request)
        citation = regime.citation("access") or regime.short_name
        lines = [
            _("Access request: which of my data did you use for AI training? — %(citation)s") % {"citation": citation},
            _("I ask for access to my personal data (%(citation)s), and in particular:") % {"citation": citation},
            "\n".join(
                [
                    _("- which of my personal data you have used to train, fine-tune or evaluate AI models;"),
                    _("- in which datasets and which models, and since when;"),
                    _("- from which period that data comes;"),
                    _("- with whom you have shared it for AI training, Microsoft included;"),
                    _("- how long you keep it in those datasets."),
                ]
            ),
        ]
        if regime.deadline_is_ours:
            lines.append(_("Please answer within %(words)s.") % {"words": regime.deadline_within_words})
        else:
            lines.append(
                _("Please answer within %(words)s of receiving this request (%(citation)s).")
                % {"words": regime.deadline_within_words, "citation": regime.deadline_citation}
            )
        lines.append(_identity(request))
    return "\n\n".join(lines)
