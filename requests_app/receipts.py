"""The PDF receipt: a record of a request the user can keep as evidence.

`render_receipt()` is a pure function from a request (and its timeline) to PDF
bytes. Everything else here supports it:

* the fingerprint, a SHA-256 over a canonical JSON of everything the receipt
  shows, printed on the PDF and checkable at /verify/<reference>/;
* a URL fetcher that loads nothing but ``data:`` URIs (WeasyPrint's default one
  opens ``file://``, ``http://`` and ``ftp://`` and embeds local files named by
  ``<link rel=attachment>``);
* a time limit on each render;
* one `FontConfiguration` and the parsed stylesheet, built on first use and
  reused: parsing the CSS and setting up fonts is a large part of a naive
  render's time.

User input only ever reaches the PDF as text that the Django template escaped;
never in CSS, ``style=``, ``href``, ``src`` or ``url()``. The stylesheet is
``templates/receipts/receipt.css``, a file of ours read as it is.
"""

from __future__ import annotations

import ctypes
import gc
import hashlib
import json
import re
import threading
import urllib.request
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from . import explain, jurisdictions
from .letters import build_letters
from .models import DataCategory, DeletionRequest, RequestEvent, Scope

if TYPE_CHECKING:
    from weasyprint import CSS
    from weasyprint.text.fonts import FontConfiguration

# Bump when the layout changes: cached PDFs of the old layout are then ignored.
LAYOUT_VERSION = 2
# Bump only if the canonical content changes shape; it is hashed, so old
# fingerprints stay valid (they are stored), new ones differ.
CONTENT_VERSION = 2
# Seconds a render may take. A normal receipt takes well under 0.2 s and the
# worst input the form accepts under 2 s; gunicorn kills a worker after 30 s.
DEFAULT_TIME_LIMIT = 10.0
# Users in these countries print on US Letter; everyone else on A4.
LETTER_COUNTRIES = frozenset({"US", "CA"})

STYLESHEET_PATH = Path(settings.BASE_DIR) / "templates" / "receipts" / "receipt.css"
TEMPLATE_NAME = "receipts/receipt.html"
FINGERPRINT_RE = re.compile(r"[0-9a-f]{64}")
# Spaces, colons and dashes a person may type between the printed groups.
_FINGERPRINT_SEPARATORS = re.compile(r"[\s:\-]+")

T = TypeVar("T")


class ReceiptError(Exception):
    """The receipt could not be rendered."""


class ReceiptTimeout(ReceiptError):
    """A render took longer than its time limit and was stopped."""


class FetchRefused(ValueError):
    """The receipt tried to load something other than a data: URI."""


# --------------------------------------------------------------------------- content and fingerprint


# The events a receipt shows: what happened between the user and LinkedIn.
# Events about LinkedOut itself (link emailed, reminders on or off) are left
# out; they would change the fingerprint without changing the request.
RECEIPT_EVENT_KINDS = (
    RequestEvent.Kind.CREATED,
    RequestEvent.Kind.AI_SETTING_OFF,
    RequestEvent.Kind.SUBMITTED,
    RequestEvent.Kind.EXTENDED,
    RequestEvent.Kind.ANSWERED,
)


def receipt_events(request: DeletionRequest) -> list[RequestEvent]:
    """The timeline a receipt shows, oldest first."""
    return list(request.events.filter(kind__in=RECEIPT_EVENT_KINDS).order_by("at", "id"))


def letter_date(request: DeletionRequest) -> date:
    """The date printed on the letter in the receipt: the day it went to
    LinkedIn once known, else the day it was written. Never "today", so an
    unchanged request keeps its fingerprint (and its cached PDF)."""
    return request.submitted_on or request.created_at.date()


def page_size(country: str) -> str:
    return "letter" if country.upper() in LETTER_COUNTRIES else "A4"


def receipt_language(request: DeletionRequest) -> str:
    return request.language or settings.LANGUAGE_CODE


def canonical_content(request: DeletionRequest, *, events: Sequence[RequestEvent]) -> dict[str, Any]:
    """Everything the receipt shows, as plain JSON values. The fingerprint is
    the hash of this, so any change to what is printed changes it. Texts are
    taken in the receipt's language, as printed (some regime texts are
    translated)."""
    with translation.override(receipt_language(request)):
        return _canonical_content(request, events=events)


def _canonical_content(request: DeletionRequest, *, events: Sequence[RequestEvent]) -> dict[str, Any]:
    regime = jurisdictions.regime_by_code(request.regime_code)
    clock = explain.request_clock(request, today=letter_date(request))
    letters = build_letters(request, today=letter_date(request))
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
        "ai_setting_off_on": _iso(request.ai_setting_off_on),
        "case_number": request.linkedin_case_number,
        "deadline": {
            "due_on": _iso(clock.due_on) if clock else None,
            "extended_on": _iso(request.extended_on),
            "extended_due_on": _iso(clock.extended_due_on) if clock else None,
            "possible_extended_due_on": _iso(_possible_extension(request)),
        },
        "answer": {"answered_on": _iso(request.answered_on), "outcome": request.answer_outcome},
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


def receipt_fingerprint(request: DeletionRequest, *, events: Sequence[RequestEvent]) -> str:
    return hashlib.sha256(canonical_json(canonical_content(request, events=events))).hexdigest()


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


def cache_key(fingerprint: str) -> str:
    # The verify link is printed on the PDF, so a new SITE_URL needs new PDFs.
    site = hashlib.sha256(settings.SITE_URL.encode()).hexdigest()[:8]
    return f"receipt-pdf:{LAYOUT_VERSION}:{site}:{fingerprint}"


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _possible_extension(request: DeletionRequest) -> date | None:
    if request.submitted_on is None or request.extended_on is not None:
        return None
    return jurisdictions.extended_due_date(jurisdictions.regime_by_code(request.regime_code), request.submitted_on)


# --------------------------------------------------------------------------- fetching


class DataOnlyFetcher:
    """Stand-in for weasyprint.URLFetcher: answers ``data:`` URIs and refuses
    everything else with an error that stops the render.

    It never opens a connection or a file: nothing of the urllib machinery of
    WeasyPrint's own fetcher is used. ``requested`` lists every URL asked for
    (tests assert on it).
    """

    # Read by weasyprint.urls.fetch(): a refusal raises FatalURLFetchingError,
    # which stops the render instead of becoming a logged warning.
    _fail_on_errors = True

    def __init__(self) -> None:
        self.requested: list[str] = []

    def __call__(self, url: str):
        return self.fetch(url)

    def fetch(self, url: str, headers: dict | None = None):
        from weasyprint.urls import URLFetcherResponse

        self.requested.append(url)
        if not url[:5].lower() == "data:":
            raise FetchRefused(f"a receipt loads only data: URIs; refused {url[:100]!r}")
        # The stdlib's data: decoder (RFC 2397), used on its own: no opener, so
        # no other scheme can sneak in through a redirect or a handler.
        response = urllib.request.DataHandler().data_open(urllib.request.Request(url))  # noqa: S310 (data: only, checked above)
        return URLFetcherResponse(url, response.read(), headers={"Content-Type": response.headers["Content-type"]})


# --------------------------------------------------------------------------- time limit


class _Expired(BaseException):
    # BaseException: WeasyPrint catches Exception in places (image and font
    # loading) and would swallow a plain Exception, then carry on.
    pass


def run_with_time_limit(func: Callable[[], T], seconds: float) -> T:
    """Run ``func()`` in this thread; stop it with ReceiptTimeout after ``seconds``.

    Why this way: gunicorn's sync workers, Celery's prefork children and the
    tests render on the main thread; runserver and gthread workers on others.
    A SIGALRM alarm works only on the main thread and shares one process-wide
    timer with the host; rendering in a helper thread and abandoning it on
    timeout would leave it burning CPU while holding WeasyPrint's shared font
    state. Instead a watchdog thread raises an exception *in the rendering
    thread* (CPython's PyThreadState_SetAsyncExc), on any thread. Like a signal
    handler it takes effect at the next bytecode boundary: it stops WeasyPrint's
    layout (pure Python), not one long C call, which a render does not make.
    It is raised again every 0.25 s in case some code swallowed it (WeasyPrint
    catches BaseException around SVG drawing).
    """
    thread_id = ctypes.c_ulong(threading.get_ident())
    lock = threading.Lock()
    stop = threading.Event()
    state = {"done": False, "fired": False}

    def watchdog() -> None:
        if stop.wait(seconds):
            return
        while True:
            with lock:
                if state["done"]:
                    return
                state["fired"] = True
                ctypes.pythonapi.PyThreadState_SetAsyncExc(thread_id, ctypes.py_object(_Expired))
            if stop.wait(0.25):
                return

    threading.Thread(target=watchdog, name="receipt-time-limit", daemon=True).start()
    try:
        try:
            return func()
        finally:
            with lock:
                state["done"] = True
            stop.set()
            if state["fired"]:
                # Fired just as func() returned: the exception may still be
                # pending; clear it so it cannot surface in unrelated code.
                ctypes.pythonapi.PyThreadState_SetAsyncExc(thread_id, None)
    except _Expired:
        raise ReceiptTimeout(f"the receipt took longer than {seconds:g} s to render") from None


# --------------------------------------------------------------------------- rendering


@dataclass
class _Engine:
    font_config: FontConfiguration
    stylesheet: CSS
    page_sizes: dict[str, CSS]


_engine: _Engine | None = None
_engine_lock = threading.Lock()
# Pango's font map behind the shared FontConfiguration is not thread-safe:
# one render at a time per process (threaded servers queue here).
_render_lock = threading.Lock()


def _get_engine() -> _Engine:
    global _engine
    if _engine is None:
        with _engine_lock:
            if _engine is None:
                from weasyprint import CSS
                from weasyprint.text.fonts import FontConfiguration

                font_config = FontConfiguration()
                fetcher = DataOnlyFetcher()
                stylesheet = CSS(
                    string=STYLESHEET_PATH.read_text(encoding="utf-8"), font_config=font_config, url_fetcher=fetcher
                )
                page_sizes = {
                    size: CSS(string=f"@page {{ size: {size} }}", font_config=font_config, url_fetcher=fetcher)
                    for size in ("A4", "letter")
                }
                _engine = _Engine(font_config=font_config, stylesheet=stylesheet, page_sizes=page_sizes)
    return _engine


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


def receipt_context(request: DeletionRequest, *, events: Iterable[RequestEvent], fingerprint: str) -> dict[str, Any]:
    regime = jurisdictions.regime_by_code(request.regime_code)
    labels = dict(DataCategory.choices)
    clock = explain.request_clock(request, today=letter_date(request))
    return {
        "request_obj": request,
        "regime": regime,
        "place": explain.place_name(request.country, request.subdivision),
        "categories": [labels[code] for code in request.data_categories if code in labels],
        "scope": dict(Scope.choices).get(request.scope, ""),
        "clock": clock,
        "possible_extended_due_on": _possible_extension(request),
        "letter": build_letters(request, today=letter_date(request)).letter,
        "events": list(events),
        "fingerprint": fingerprint,
        # Two lines of eight groups: the same break on every receipt.
        "fingerprint_lines": [format_fingerprint(fingerprint[:32]), format_fingerprint(fingerprint[32:])],
        "verify_url": verify_url(request.reference),
        "qr_data_uri": qr_data_uri(f"{verify_url(request.reference)}?fingerprint={fingerprint}"),
        "page_size": page_size(request.country),
    }


def render_receipt_html(request: DeletionRequest, *, events: Iterable[RequestEvent], fingerprint: str) -> str:
    with translation.override(receipt_language(request)):
        return render_to_string(TEMPLATE_NAME, receipt_context(request, events=events, fingerprint=fingerprint))


def render_receipt(
    request: DeletionRequest,
    *,
    events: Sequence[RequestEvent],
    fingerprint: str | None = None,
    url_fetcher: DataOnlyFetcher | None = None,
    time_limit: float | None = None,
) -> bytes:
    """The receipt of ``request`` as PDF bytes. Pure: reads nothing but its
    arguments and settings (SITE_URL), writes nothing.

    ``events`` is the timeline to print (see `receipt_events`); ``fingerprint``
    may be passed when the caller has computed it already.
    """
    from weasyprint.urls import FatalURLFetchingError

    fingerprint = fingerprint or receipt_fingerprint(request, events=events)
    markup = render_receipt_html(request, events=events, fingerprint=fingerprint)
    fetcher = url_fetcher or DataOnlyFetcher()
    limit = DEFAULT_TIME_LIMIT if time_limit is None else time_limit

    def render() -> bytes:
        from weasyprint import HTML

        engine = _get_engine()
        # A render allocates some hundred thousand short-lived objects; the
        # cyclic GC would run dozens of times during it for nothing (about 5%
        # of the render). Paused for these ~0.1 s, it collects right after.
        gc_was_enabled = gc.isenabled()
        gc.disable()
        try:
            document = HTML(string=markup, url_fetcher=fetcher).render(
                font_config=engine.font_config,
                stylesheets=[engine.stylesheet, engine.page_sizes[page_size(request.country)]],
            )
            return document.write_pdf()
        finally:
            if gc_was_enabled:
                gc.enable()

    # The lock is taken outside the time-limited part, so the timeout's
    # exception can never land between acquiring and releasing it.
    if not _render_lock.acquire(timeout=limit):
        raise ReceiptTimeout("another receipt is still rendering")
    try:
        return run_with_time_limit(render, limit)
    except FatalURLFetchingError as error:
        raise ReceiptError(str(error.__cause__ or error)) from error
    finally:
        _render_lock.release()
