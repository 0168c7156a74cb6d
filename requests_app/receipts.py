"""The PDF receipt: a record of a request the member can keep as evidence.

`render_receipt()` is a pure function from a request (and its timeline) to PDF
bytes. Everything else here supports it:

* the fingerprint, a SHA-256 over a canonical JSON of everything the receipt
  shows, printed on the PDF and checkable at /verify/<reference>/;
* the markup, from ``templates/receipts/receipt.html``; the layout itself is
  `pdf_engine`'s (WeasyPrint, loading nothing but ``data:`` URIs);
* `render_receipt_isolated()`, the same render in a child process that is
  killed at its time limit, for the web server's fallback.

The worker renders and stores a receipt after every change
(`services.receipts`); a download serves the stored file.

User input only ever reaches the PDF as text that the Django template escaped;
never in CSS, ``style=``, ``href``, ``src`` or ``url()``. The stylesheet is
``templates/receipts/receipt.css``, a file of ours read as it is.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import json
import os
import re
import subprocess
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from . import dates, explain, jurisdictions
from .choices import DataCategory, EventKind, Scope
from .letters import Complaint, build_letters, letter_language, specific_item_lines
from .pdf_engine import EXIT_FETCH_REFUSED, DataOnlyFetcher, html_to_pdf

if TYPE_CHECKING:
    from .models import DeletionRequest, RequestEvent

# Bump when the layout changes: stored PDFs of the old layout are then
# rendered anew (it is part of the stored receipt's key, see stored_key()).
LAYOUT_VERSION = 4
# Bump only if the canonical content changes shape; it is hashed, so old
# fingerprints stay valid (they are stored), new ones differ.
CONTENT_VERSION = 4
# Users in these countries print on US Letter; everyone else on A4.
LETTER_COUNTRIES = frozenset({"US", "CA"})

TEMPLATE_NAME = "receipts/receipt.html"
LETTER_TEMPLATE_NAME = "receipts/letter.html"
FINGERPRINT_RE = re.compile(r"[0-9a-f]{64}")
# Spaces, colons and dashes a person may type between the printed groups.
_FINGERPRINT_SEPARATORS = re.compile(r"[\s:\-]+")


class ReceiptError(Exception):
    """The receipt could not be rendered."""


class ReceiptTimeout(ReceiptError):
    """A render took longer than its time limit and was stopped."""


@dataclass(frozen=True)
class IssuedReceipt:
    """A receipt handed to the member: the PDF and what identifies it."""

    reference: str
    fingerprint: str
    pdf: bytes
    kind: str = "receipt"  # or "complaint": the complaint pack for one authority

    @property
    def filename(self) -> str:
        return f"{self.reference}-{self.kind}.pdf"


# --------------------------------------------------------------------------- content and fingerprint


# The events a receipt shows: what happened between the user and LinkedIn.
# Events about LinkedOut itself (link emailed, reminders on or off) are left
# out; they would change the fingerprint without changing the request.
RECEIPT_EVENT_KINDS = (
    EventKind.CREATED,
    EventKind.AI_SETTING_OFF,
    EventKind.SUBMITTED,
    EventKind.EXTENDED,
    EventKind.ANSWERED,
    EventKind.ID_GIVEN,
    EventKind.FOLLOW_UP_SENT,
    EventKind.APPEAL_SENT,
    EventKind.APPEAL_ANSWERED,
    EventKind.COMPLAINT_SENT,
    EventKind.ACCESS_SENT,
    EventKind.ACCESS_ANSWERED,
)


def receipt_events(request: DeletionRequest) -> list[RequestEvent]:
    """The timeline a receipt shows, oldest first."""
    return list(request.events.filter(kind__in=RECEIPT_EVENT_KINDS).order_by("at", "id"))


def page_size(country: str) -> str:
    return "letter" if country.upper() in LETTER_COUNTRIES else "A4"


def receipt_language(request: DeletionRequest) -> str:
    return request.language or settings.LANGUAGE_CODE


def canonical_content(
    request: DeletionRequest, *, events: Sequence[RequestEvent], complaint: Complaint | None = None
) -> dict[str, Any]:
    """Everything the receipt shows, as plain JSON values. The fingerprint is
    the hash of this, so any change to what is printed changes it. Texts are
    taken in the receipt's language, as printed (some regime texts are
    translated). A complaint pack adds the complaint and where to file it."""
    with translation.override(receipt_language(request)):
        content = _canonical_content(request, events=events)
        if complaint is not None:
            authority = complaint.authority
            content["complaint"] = {
                "authority": authority.key,
                "name": authority.name,
                "address": list(authority.address_lines),
                "email": authority.email,
                "web_form": authority.complaint_url,
                "text": complaint.text,
            }
        return content


def _canonical_content(request: DeletionRequest, *, events: Sequence[RequestEvent]) -> dict[str, Any]:
    regime = jurisdictions.regime_by_code(request.regime_code)
    request_dates = dates.request_dates(request)
    letters = build_letters(request, today=dates.receipt_letter_date(request))
    return {
        "v": CONTENT_VERSION,
        "salt": request.fingerprint_salt,
        "reference": request.reference,
        "status": request.status,
        "created_at": request.created_at.isoformat(),
        "submitted_on": _iso(request.submitted_on),
        "language": request.language,
        "letter_language": request.letter_language,
        "requester": {
            "full_name": request.full_name,
            "postal_address": request.postal_address,
            "email": request.email,
            "profile_url": request.profile_url,
            "country": request.country,
            "subdivision": request.subdivision,
        },
        "regime": {
            "code": regime.code,
            "law": str(regime.law_name),
            "erasure": str(regime.erasure_citation),
            "objection": str(regime.objection_citation),
            "recipients": str(regime.recipients_citation),
            "deadline": str(regime.deadline_citation),
            "deadline_words": str(regime.deadline_words),
            "extension_words": str(regime.extension_words),
        },
        "controller": {
            "name": str(regime.controller.name),
            "address": [str(line) for line in regime.controller.address_lines],
        },
        "scope": request.scope,
        "data_categories": list(request.data_categories),
        "particular_situation": request.particular_situation,
        "specific_urls": list(request.specific_urls),
        "object_to_processing": request.object_to_processing,
        "close_account": request.close_account,
        "access": {
            "requested": request.access_request,
            "sent_on": _iso(request.access_sent_on),
            "answered_on": _iso(request.access_answered_on),
        },
        "ai_setting_off_on": _iso(request.ai_setting_off_on),
        "case_number": request.linkedin_case_number,
        "deadline": {
            "due_on": _iso(request_dates.due_on) if request_dates else None,
            "extended_on": _iso(request.extended_on),
            "extended_due_on": _iso(request_dates.extended_due_on) if request_dates else None,
            "possible_extended_due_on": _iso(request_dates.possible_extended_due_on) if request_dates else None,
        },
        "answer": {
            "answered_on": _iso(request.answered_on),
            "outcome": request.answer_outcome,
            "summary": request.answer_summary,
        },
        "letter": letters.letter,
        "events": [
            {"kind": event.kind, "at": event.at.isoformat(), "on_date": _iso(event.on_date), "detail": event.detail}
            for event in events
        ],
    }


def canonical_json(content: dict[str, Any]) -> bytes:
    # Sorted keys, no whitespace, UTF-8 as is: one byte string per content.
    # default=str: a lazily translated text that slipped in is hashed as the
    # words it stands for in the active language, not refused.
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str).encode("utf-8")


def receipt_fingerprint(
    request: DeletionRequest, *, events: Sequence[RequestEvent], complaint: Complaint | None = None
) -> str:
    # Keyed: the content is personal data a dump holds too; without the key a
    # guessed name cannot be tested against a stored fingerprint.
    key = settings.RECEIPT_FINGERPRINT_KEY.encode()
    content = canonical_json(canonical_content(request, events=events, complaint=complaint))
    return hmac.new(key, content, hashlib.sha256).hexdigest()


def format_fingerprint(fingerprint: str) -> str:
    """Groups of four, as printed: easier to read aloud and to compare."""
    return " ".join(fingerprint[i : i + 4] for i in range(0, len(fingerprint), 4))


def normalise_fingerprint(text: str) -> str | None:
    """A typed or pasted fingerprint as 64 lowercase hex digits, or None."""
    candidate = _FINGERPRINT_SEPARATORS.sub("", text or "").lower()
    return candidate if FINGERPRINT_RE.fullmatch(candidate) else None


def verify_path(reference: str) -> str:
    return reverse("requests_app:verify", args=[reference])


def verify_url(reference: str) -> str:
    # SITE_URL, never the Host of a web request: the PDF outlives the request
    # and a forged Host header must not end up printed on evidence.
    return settings.SITE_URL + verify_path(reference)


# What a receipt is made from besides the request's own row: the facts, the
# translations, the templates and the code that writes its texts. A deploy
# that changes any of them makes every stored PDF stale.
_RENDER_INPUTS = (
    "requests_app/data/facts.json",
    "requests_app/data/regimes.json",
    "requests_app/data/authorities.json",
    "requests_app/letters.py",
    "requests_app/receipts.py",
    "requests_app/jurisdictions.py",
    "requests_app/dates.py",
    "requests_app/explain.py",
    "templates/receipts/receipt.html",
    "templates/receipts/items.html",
    "templates/receipts/receipt.css",
    "locale/*/LC_MESSAGES/django.mo",
)


@functools.cache
def _render_inputs_digest() -> str:
    digest = hashlib.sha256()
    base = Path(settings.BASE_DIR)
    for pattern in _RENDER_INPUTS:
        for path in sorted(base.glob(pattern)):
            digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:12]


def render_version() -> str:
    """What a PDF is rendered with besides its content (the fingerprint): the
    layout version, the site (the verify link is printed on the PDF) and the
    files it is made from. A stored PDF of another version is stale and is
    rendered anew."""
    site = hashlib.sha256(settings.SITE_URL.encode()).hexdigest()[:8]
    return f"{LAYOUT_VERSION}:{site}:{_render_inputs_digest()}"


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def qr_data_uri(url: str) -> str:
    import segno

    # Mask 2 fixed: choosing the mask means scoring all eight, 6 ms of pure
    # Python, and for verify URLs (fixed prefix + 64 hex digits) the scoring
    # picks mask 2 in about 85% of cases anyway; a reader takes the mask from
    # the symbol's format information, so any mask scans.
    qr = segno.make(url, error="m", mask=2)
    # One pixel per module, drawn unsmoothed (image-rendering: pixelated), so it
    # prints sharp at any size; a PNG because WeasyPrint draws an SVG path of
    # a thousand segments in ~20 ms. A data: URI: nothing is fetched.
    return qr.png_data_uri(scale=1, border=0)


# A zero-width space after every 24 characters of an address that has no
# natural break there (Pango breaks after "/", "-" and "?" by itself):
# invisible, and never extracted as text (pdftotext, copy and paste give the
# address as typed), it lets the layout engine wrap a long address where it
# fits. Without one, WeasyPrint lays each line out again to break the "word"
# by force: four layouts a line instead of one.
_URL_RUN = re.compile(r"[^/?\-\s]{24}")


def breakable_url(url: str) -> str:
    return _URL_RUN.sub(lambda match: match.group(0) + "\u200b", url)


def letter_around_items(letter: str, urls: Sequence[str]) -> tuple[str, str] | None:
    """The letter's text before and after its list of specific items, which
    the receipt prints in between as one compact numbered table (each
    address once on the receipt, in the letter that asks for it). None when
    the letter lists no items."""
    if not urls:
        return None
    before, found, after = letter.partition("\n" + specific_item_lines(urls) + "\n")
    # The blank line after the list is the table's bottom margin.
    return (before, after.removeprefix("\n")) if found else None


def receipt_context(
    request: DeletionRequest, *, events: Iterable[RequestEvent], fingerprint: str, complaint: Complaint | None = None
) -> dict[str, Any]:
    regime = jurisdictions.regime_by_code(request.regime_code)
    labels = dict(DataCategory.choices)
    letter_day = dates.receipt_letter_date(request)
    clock = explain.request_clock(request, today=letter_day)
    letter = build_letters(request, today=letter_day).letter
    return {
        "request_obj": request,
        "regime": regime,
        "place": explain.place_name(request.country, request.subdivision),
        "categories": [labels[code] for code in request.data_categories if code in labels],
        "scope": dict(Scope.choices).get(request.scope, ""),
        "clock": clock,
        "possible_extended_due_on": clock.possible_extended_due_on if clock else None,
        "letter": letter,
        "letter_around_items": letter_around_items(letter, request.specific_urls),
        "items": [breakable_url(url) for url in request.specific_urls],
        "events": list(events),
        "fingerprint": fingerprint,
        # Two lines of eight groups: the same break on every receipt.
        "fingerprint_lines": [format_fingerprint(fingerprint[:32]), format_fingerprint(fingerprint[32:])],
        "verify_url": verify_url(request.reference),
        "qr_data_uri": qr_data_uri(f"{verify_url(request.reference)}?fingerprint={fingerprint}"),
        "page_size": page_size(request.country),
        "complaint": complaint,
    }


def render_receipt_html(
    request: DeletionRequest, *, events: Iterable[RequestEvent], fingerprint: str, complaint: Complaint | None = None
) -> str:
    with translation.override(receipt_language(request)):
        context = receipt_context(request, events=events, fingerprint=fingerprint, complaint=complaint)
        return render_to_string(TEMPLATE_NAME, context)


def render_receipt(
    request: DeletionRequest,
    *,
    events: Sequence[RequestEvent],
    fingerprint: str | None = None,
    url_fetcher: DataOnlyFetcher | None = None,
) -> bytes:
    """The receipt of ``request`` as PDF bytes, rendered in this process (the
    worker's way: its task has a time limit). Pure: reads nothing but its
    arguments and settings (SITE_URL), writes nothing.

    ``events`` is the timeline to print (see `receipt_events`); ``fingerprint``
    may be passed when the caller has computed it already.
    """
    from weasyprint.urls import FatalURLFetchingError

    fingerprint = fingerprint or receipt_fingerprint(request, events=events)
    markup = render_receipt_html(request, events=events, fingerprint=fingerprint)
    try:
        return html_to_pdf(markup, page_size=page_size(request.country), url_fetcher=url_fetcher)
    except FatalURLFetchingError as error:
        raise ReceiptError(str(error.__cause__ or error)) from error


def render_receipt_isolated(
    request: DeletionRequest,
    *,
    events: Sequence[RequestEvent],
    fingerprint: str,
    time_limit: float,
    complaint: Complaint | None = None,
) -> bytes:
    """The same PDF as `render_receipt`, laid out by a child process that is
    killed after ``time_limit`` seconds (ReceiptTimeout). The web server's
    fallback, and how a complaint pack is made: a render there must never
    hold a server process for long."""
    markup = render_receipt_html(request, events=events, fingerprint=fingerprint, complaint=complaint)
    return pdf_isolated(markup, page_size=page_size(request.country), time_limit=time_limit)


def render_letter_isolated(request: DeletionRequest, *, time_limit: float) -> bytes:
    """The formal letter alone as PDF, in the letter's language, laid out like
    the receipt in a child process (a member downloads it once or twice: it is
    not stored, and carries no fingerprint: the receipt is what proves)."""
    language = letter_language(request)
    built = build_letters(request)
    with translation.override(language):
        markup = render_to_string(
            LETTER_TEMPLATE_NAME, {"request_obj": request, "letters": built, "language": language}
        )
    return pdf_isolated(markup, page_size=page_size(request.country), time_limit=time_limit)


def pdf_isolated(markup: str, *, page_size: str, time_limit: float) -> bytes:
    """`markup` laid out as PDF by a child process killed after
    ``time_limit`` seconds (ReceiptTimeout); ReceiptError if it fails."""
    try:
        child = subprocess.run(  # noqa: S603 (our own module; page_size is "A4" or "letter")
            [sys.executable, "-m", "requests_app.pdf_engine", page_size],
            input=markup.encode("utf-8"),
            capture_output=True,
            timeout=time_limit,
            cwd=settings.BASE_DIR,
            env=_child_environment(),
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise ReceiptTimeout(f"the receipt took longer than {time_limit:g} s to render") from None
    if child.returncode != 0 or not child.stdout.startswith(b"%PDF"):
        reason = "refused a fetch" if child.returncode == EXIT_FETCH_REFUSED else f"exit status {child.returncode}"
        # The child prints only the kind of error: never text from the receipt.
        last_line = child.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or [""]
        raise ReceiptError(f"the receipt renderer failed ({reason}): {last_line[0][:100]}")
    return child.stdout


# Secrets the layout engine never needs; the child gets the rest (fonts,
# locale, PATH) and finds our package through PYTHONPATH.
_SECRET_MARKERS = ("KEY", "SECRET", "PASSWORD", "TOKEN", "DATABASE_URL", "REDIS_URL", "EMAIL_URL", "BROKER")


def _child_environment() -> dict[str, str]:
    env = {name: value for name, value in os.environ.items() if not any(m in name for m in _SECRET_MARKERS)}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(settings.BASE_DIR), env.get("PYTHONPATH", "")]))
    return env
