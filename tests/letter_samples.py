"""Every text a member sends, in every letter language, for every regime and
every answer: the samples tests/test_letter_language.py reads through."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from requests_app import dates, emails, explain, jurisdictions, letters
from requests_app.choices import AnswerOutcome, AppealOutcome, DataCategory
from requests_app.models import DeletionRequest

LETTER_LANGUAGES = ("en", "de", "fr", "es", "it", "nl", "pl")
# The first of a month, so that French writes "1er" and the test sees it.
SENT = date(2026, 12, 1)
TODAY = date(2027, 3, 1)


@dataclass(frozen=True)
class Sample:
    language: str
    regime: str
    kind: str  # "letter", "follow_up", "reply:refused", "complaint:ie_dpc", ...
    text: str
    letter_date: date | None  # the date the letter's date line must show, if it has one

    def __str__(self) -> str:
        return f"{self.language}/{self.regime}/{self.kind}"


def place_of(regime: jurisdictions.Regime) -> tuple[str, str]:
    """A country and subdivision where the regime applies."""
    if regime.code == "none":
        return "IN", ""
    if regime.code == "gdpr":
        return "DE", "BE"  # a German Land: the member's own authority beside the DPC
    country, _dash, subdivision = regime.applies_to[0].partition("-")
    return country, subdivision


def _request(regime: jurisdictions.Regime, language: str, **fields) -> DeletionRequest:
    country, subdivision = place_of(regime)
    values = {
        "reference": "LO-TEST-0001",
        "full_name": "Anna Müller",
        "email": "anna@example.org",
        "profile_url": "https://www.linkedin.com/in/anna",
        "country": country,
        "subdivision": subdivision,
        "language": language,
        "letter_language": "own",
        "regime_code": regime.code,
        "data_categories": [DataCategory.PROFILE.value, DataCategory.POSTS.value],
        "object_to_processing": True,
        "access_request": True,
        "ai_setting_off_on": SENT,
        "submitted_on": SENT,
    }
    return DeletionRequest(**{**values, **fields})


def samples(language: str, regime: jurisdictions.Regime) -> Iterator[Sample]:
    def sample(kind: str, text: str, *, dated: bool = True) -> Sample:
        return Sample(language, regime.code, kind, text, TODAY if dated else None)

    request = _request(regime, language)
    built = letters.build_letters(request, today=TODAY)
    yield sample("letter", built.letter)
    yield sample("subject", built.subject, dated=False)
    for field in built.fields + (built.objection_form.fields if built.objection_form else []):
        if not field.is_choice:
            yield sample(f"form:{field.key}", field.text, dated=False)
    yield sample("follow_up", letters.follow_up_letter(request, today=TODAY))
    yield sample("access_request", letters.access_request_text(request), dated=False)
    for outcome in sorted(letters.REPLY_OUTCOMES):
        answered = _request(regime, language, answered_on=date(2027, 1, 4), answer_outcome=outcome)
        yield sample(f"reply:{outcome}", letters.reply_letter(answered, today=TODAY))
    refused_fields = dict(
        answered_on=date(2027, 1, 4), answer_outcome=AnswerOutcome.REFUSED,
        answer_summary="They said no.", follow_up_sent_on=date(2027, 1, 11), appeal_sent_on=date(2027, 1, 12),
        appeal_answered_on=date(2027, 2, 1), appeal_outcome=AppealOutcome.DENIED, access_sent_on=SENT,
        id_requested_on=date(2026, 12, 2), id_given_on=date(2026, 12, 3),
    )  # fmt: skip
    refused = _request(regime, language, **refused_fields)
    if regime.appeal is not None:
        yield sample("appeal", letters.appeal_letter(refused, today=TODAY))
    for complaint in letters.complaint_letters(_request(regime, language, letter_language="en")):
        yield sample(f"complaint:{complaint.authority.key}:silence", complaint.text, dated=False)
    for complaint in letters.complaint_letters(_request(regime, language, **refused_fields), today=TODAY):
        yield sample(f"complaint:{complaint.authority.key}:refused", complaint.text, dated=False)


# The reminder emails that state a date, and the date each states.
DATED_EMAILS = ("deadline_soon", "deadline_passed", "appeal_overdue", "access_overdue", "done_check", "purge_warning")


def email_samples(language: str, regime: jurisdictions.Regime) -> Iterator[Sample]:
    """Each dated reminder email's subject, text and HTML bodies, rendered as
    the worker renders them (links are stand-ins)."""
    request = _request(
        regime, language, answered_on=date(2027, 1, 4), answer_outcome=AnswerOutcome.DONE,
        appeal_sent_on=date(2027, 1, 12), access_sent_on=SENT,
    )  # fmt: skip
    context = {
        "request": request,
        "clock": explain.request_clock(request, today=TODAY),
        "regime": regime,
        "follow_up_days": dates.FOLLOW_UP_DAYS,
        "purge_on": SENT,
        "appeal_due_on": SENT,
        "access_due_on": SENT,
        "done_on": SENT,
        "follow_up_letter": "",
        "complaints": [],
        "ai_setting_url": "https://www.linkedin.com/",
        **{f"{name}_link": "https://linkedout.example/x" for name in ("page", "calendar", "unsubscribe")},
        "link": "https://linkedout.example/x",
    }
    for kind in DATED_EMAILS:
        message = emails.make_message(kind, to=request.email, language=language, context=context)
        html = message.alternatives[0][0] if message.alternatives else ""
        for part, text in (("subject", message.subject), ("text", message.body), ("html", html)):
            yield Sample(language, regime.code, f"email:{kind}:{part}", text, None)
