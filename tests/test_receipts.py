"""The PDF receipt: content, scripts, safety against hostile input, caching,
erasure and public verification. Assertions read the PDF back: its text
(pdftotext), page count, metadata and embedded files (pypdf)."""

from __future__ import annotations

import io
import re
import subprocess
import threading
import time
from datetime import UTC, date, datetime

import pytest
from django.db import connection
from pypdf import PdfReader

from requests_app import pdf_engine, receipts
from requests_app.lifecycle import InvalidTransition
from requests_app.models import DeletionRequest, ReceiptFingerprint, RequestEvent, StoredReceipt
from requests_app.services import receipts as receipt_services
from requests_app.services import requests as request_services
from requests_app.tokens import token_issue
from tests.conftest import needs_pdf, require_packages
from tests.factories import DeletionRequestFactory

# Every test here renders or reads a PDF.
pytestmark = needs_pdf

CREATED = datetime(2026, 1, 30, 9, 15, tzinfo=UTC)
BIDI_MARKS = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069]")

# The "Bad input" section of the receipt issue, plus a few more.
PAYLOADS = [
    "<link rel=attachment href=file:///etc/passwd>",
    "</style><style>@import url(http://127.0.0.1:9/)",
    "<img src=file:///etc/hostname>",
    "<script>alert(1)</script>",
    '"><svg onload=alert(1)><image href="http://127.0.0.1:9/x.png"/>',
    "url(file:///etc/shadow) {{ request }} {% debug %}",
]


class ReceiptRequestFactory(DeletionRequestFactory):
    """A request as the receipt sees it: created on a known day, sent to
    LinkedIn, a few specific URLs and a case number."""

    full_name = "Anna Müller"
    profile_url = "https://www.linkedin.com/in/anna-mueller"
    created_at = CREATED
    status = DeletionRequest.Status.SUBMITTED
    submitted_on = date(2026, 1, 31)
    ai_setting_off_on = date(2026, 1, 30)
    linkedin_case_number = "260131-001234"
    specific_urls = [
        "https://www.linkedin.com/posts/anna-mueller_activity-7400000000",
        "https://www.linkedin.com/posts/anna-mueller_activity-7410000000",
    ]


def add_timeline(request: DeletionRequest) -> None:
    RequestEvent.objects.create(request=request, kind=RequestEvent.Kind.CREATED, at=CREATED)
    if request.ai_setting_off_on:
        RequestEvent.objects.create(
            request=request, kind=RequestEvent.Kind.AI_SETTING_OFF, at=CREATED, on_date=request.ai_setting_off_on
        )
    if request.submitted_on:
        RequestEvent.objects.create(
            request=request,
            kind=RequestEvent.Kind.SUBMITTED,
            at=CREATED,
            on_date=request.submitted_on,
            detail=request.linkedin_case_number,
        )


def unsaved_request(**fields) -> tuple[DeletionRequest, list[RequestEvent]]:
    """For rendering only: no database, so no column limits either."""
    request = ReceiptRequestFactory.build(**fields)
    events = [
        RequestEvent(kind=RequestEvent.Kind.CREATED, at=CREATED),
        RequestEvent(kind=RequestEvent.Kind.SUBMITTED, at=CREATED, on_date=date(2026, 1, 31), detail="260131-001234"),
    ]
    return request, events


def pdf_text(pdf: bytes) -> str:
    require_packages("poppler-utils")
    result = subprocess.run(["pdftotext", "-enc", "UTF-8", "-", "-"], input=pdf, capture_output=True, check=True)
    return BIDI_MARKS.sub("", result.stdout.decode("utf-8"))


FOOTER = re.compile(r"^(LinkedOut · LO-[0-9A-Z-]+|Page \d+ of \d+)$", re.MULTILINE)


def squashed(text: str) -> str:
    """Text without whitespace and page footers: long values wrap over lines
    and pages in the PDF."""
    return re.sub(r"\s+", "", FOOTER.sub("", text))


def reader(pdf: bytes) -> PdfReader:
    return PdfReader(io.BytesIO(pdf))


def embedded_files(pdf: bytes) -> list[str]:
    document = reader(pdf)
    found = list(document.attachments)
    names = document.trailer["/Root"].get("/Names")
    if names is not None and "/EmbeddedFiles" in names.get_object():
        found.append("/EmbeddedFiles")
    for page in document.pages:
        for annotation in page.get("/Annots") or []:
            if annotation.get_object().get("/Subtype") == "/FileAttachment":
                found.append("/FileAttachment")
    return found


def download(client, request: DeletionRequest):
    token = token_issue(request=request)
    return client.get(f"/r/{token}/receipt.pdf"), token


# --------------------------------------------------------------------------- content


@pytest.mark.django_db
def test_receipt_holds_the_whole_request_with_page_numbers(client):
    request = ReceiptRequestFactory()
    add_timeline(request)
    response, _ = download(client, request)
    pdf = response.content
    text = pdf_text(pdf)
    flat = " ".join(text.split())

    assert pdf.startswith(b"%PDF-")
    assert len(reader(pdf).pages) == 2
    # The letter starts on a page of its own, so it can be printed alone.
    assert reader(pdf).pages[1].extract_text().lstrip().startswith("The letter")
    assert "Page 1 of 2" in flat and "Page 2 of 2" in flat
    for expected in (
        request.reference,
        "Jan. 30, 2026",  # created
        "Jan. 31, 2026",  # sent to LinkedIn
        "260131-001234",
        "Anna Müller",
        request.email,
        "https://www.linkedin.com/in/anna-mueller",
        "LinkedIn Ireland Unlimited Company",
        "Wilton Plaza",
        "Article 17 GDPR",
        "Article 21(1) GDPR",
        "Article 12(3) GDPR",
        "My posts and comments",
        "Take my data out of AI training.",
        "Article 17(1)(c) GDPR",
        "c/o Data Protection Officer",
        "Switched off on Jan. 30, 2026",
        "LinkedIn must answer by March 2, 2026",  # GDPR: one month from receipt, 28 Feb is a Saturday
        "to April 30, 2026",  # the possible extension
        "Request created",
        "Sent to LinkedIn (on Jan. 31, 2026)",
        "Dear Sir or Madam,",
        "Yours faithfully,",
    ):
        assert expected in flat, expected
    for url in request.specific_urls:
        assert url in flat
    fingerprint = receipts.receipt_fingerprint(request, events=receipts.receipt_events(request))
    assert receipts.format_fingerprint(fingerprint) in flat
    assert "testserver" not in flat


@pytest.mark.django_db
def test_fingerprint_and_verify_link_are_printed(client, settings):
    settings.SITE_URL = "https://linkedout.example"
    request = ReceiptRequestFactory()
    add_timeline(request)
    response, _ = download(client, request)
    text = squashed(pdf_text(response.content))
    fingerprint = ReceiptFingerprint.objects.get(reference=request.reference).fingerprint
    assert fingerprint in text
    assert f"https://linkedout.example/verify/{request.reference}/" in text


def test_qr_code_opens_the_check_with_the_fingerprint_filled_in(monkeypatch, settings):
    settings.SITE_URL = "https://linkedout.example"
    encoded = []
    real_qr = receipts.qr_data_uri
    monkeypatch.setattr(receipts, "qr_data_uri", lambda url: encoded.append(url) or real_qr(url))
    request, events = unsaved_request()
    fingerprint = receipts.receipt_fingerprint(request, events=events)
    receipts.render_receipt(request, events=events)
    assert encoded == [f"https://linkedout.example/verify/{request.reference}/?fingerprint={fingerprint}"]


@pytest.mark.django_db
def test_verify_link_uses_site_url_never_the_host_header(client, settings):
    settings.SITE_URL = "https://linkedout.example"
    settings.ALLOWED_HOSTS = ["evil.example", "testserver"]
    request = ReceiptRequestFactory()
    token = token_issue(request=request)
    response = client.get(f"/r/{token}/receipt.pdf", HTTP_HOST="evil.example")
    assert response.status_code == 200
    text = pdf_text(response.content)
    assert "evil.example" not in text
    assert "https://linkedout.example/verify/" in squashed(text)
    uris = [
        annotation.get_object()["/A"]["/URI"]
        for page in reader(response.content).pages
        for annotation in page.get("/Annots") or []
        if "/A" in annotation.get_object()
    ]
    assert uris == [f"https://linkedout.example/verify/{request.reference}/"]


@pytest.mark.django_db
def test_metadata_holds_the_reference_and_no_personal_data(client):
    request = ReceiptRequestFactory(full_name="Wilhelmina Quartermaine")
    response, _ = download(client, request)
    document = reader(response.content)
    metadata = dict(document.metadata)
    assert metadata["/Title"] == request.reference
    assert set(metadata) <= {"/Title", "/Producer", "/Creator", "/CreationDate", "/ModDate"}
    assert document.xmp_metadata is None
    everything = repr(metadata) + repr(document.outline)
    for personal in ("Wilhelmina", "Quartermaine", request.email, "260131-001234", "anna-mueller"):
        assert personal not in everything


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("country", "subdivision", "size"),
    [("DE", "", (595, 842)), ("JP", "", (595, 842)), ("US", "CA", (612, 792)), ("CA", "ON", (612, 792))],
)
def test_a4_everywhere_but_us_letter_in_the_us_and_canada(client, country, subdivision, size):
    request = ReceiptRequestFactory(country=country, subdivision=subdivision)
    response, _ = download(client, request)
    for page in reader(response.content).pages:
        box = page.mediabox
        assert (round(float(box.width)), round(float(box.height))) == size


def test_receipt_is_in_the_request_language():
    request, events = unsaved_request(language="de")
    html = receipts.render_receipt_html(request, events=events, fingerprint="0" * 64)
    assert '<html lang="de"' in html
    text = " ".join(pdf_text(receipts.render_receipt(request, events=events)).split())
    # The footer's words come from the translated page, its numbers from CSS counters.
    pages = len(reader(receipts.render_receipt(request, events=events)).pages)
    assert f"Seite 1 von {pages}" in text and f"Seite {pages} von {pages}" in text
    assert "31. Januar 2026" in text


# --------------------------------------------------------------------------- scripts

NAMES = {
    "Latin with accents": "Zoë Ångström-Łukasiewicz Ñúñez",
    "Greek": "Ελένη Παπαδοπούλου",
    "Cyrillic": "Дмитрий Иванов",
    "Arabic": "محمد العلي",
    "Hebrew": "דוד כהן",
    "Chinese": "王小明",
    "Japanese": "山田太郎 やまだ",
    "Korean": "김민준",
}
CJK = {"Chinese", "Japanese", "Korean"}


@pytest.mark.parametrize(
    "script",
    [
        pytest.param(script, marks=pytest.mark.needs_package("fonts-noto-cjk" if script in CJK else "fonts-noto-core"))
        for script in NAMES
    ],
)
def test_names_in_every_script_render_as_real_glyphs(script, caplog):
    name = NAMES[script]
    request, events = unsaved_request(full_name=name, letter_language="en")
    with caplog.at_level("WARNING", logger="weasyprint"):
        pdf = receipts.render_receipt(request, events=events)
    # Text comes back out (so it was laid out as text, in order) ...
    text = pdf_text(pdf)
    for word in name.split():
        assert word in text, (script, word)
    # ... and no character fell back to the .notdef box.
    assert not [record for record in caplog.records if ".notdef" in record.getMessage()]


@pytest.mark.needs_package("fonts-noto-core", "fonts-noto-color-emoji")
def test_right_to_left_text_and_emoji_do_not_break_the_receipt():
    name = "سارة 😀 שרה 🎉 Sarah"
    request, events = unsaved_request(full_name=name)
    pdf = receipts.render_receipt(request, events=events)
    text = pdf_text(pdf)
    assert "سارة" in text and "שרה" in text and "Sarah" in text
    assert "😀" in text and "🎉" in text


# --------------------------------------------------------------------------- bad input


def test_hostile_input_is_printed_literally_and_nothing_is_fetched():
    description = ("Ein sehr langer Text über meine Daten. " * 300)[:8000] + "x" * 2000
    assert len(description) == 10_000
    urls = [f"https://www.linkedin.com/posts/item-{n}" for n in range(194)] + [
        f"https://www.linkedin.com/posts/{payload}" for payload in PAYLOADS
    ]
    assert len(urls) == 200
    request, events = unsaved_request(
        full_name=PAYLOADS[0] + " " + description + " مرحبا שלום 😀",
        linkedin_case_number=PAYLOADS[1],
        profile_url="https://www.linkedin.com/in/" + PAYLOADS[2],
        specific_urls=urls,
    )
    events.append(RequestEvent(kind=RequestEvent.Kind.SUBMITTED, at=CREATED, detail=PAYLOADS[1]))
    fetcher = receipts.DataOnlyFetcher()

    pdf = receipts.render_receipt(request, events=events, url_fetcher=fetcher)

    # The only thing fetched is the QR code, a data: URI made by us.
    assert len(fetcher.requested) == 1 and fetcher.requested[0].startswith("data:image/png;base64,")
    assert embedded_files(pdf) == []
    text = pdf_text(pdf)
    flat = squashed(text)
    for payload in PAYLOADS:
        assert squashed(payload) in flat, payload
    assert squashed(description) in flat
    for url in urls:
        assert url.replace(" ", "") in flat
    # Nothing of the files the payloads name made it in: pdftotext would not
    # show an attached or embedded file, so every object of the PDF is read,
    # streams decompressed (an attached /etc/passwd is found there).
    document = reader(pdf)
    stored = [pdf]
    for number in range(1, int(document.trailer["/Size"])):
        item = document.get_object(number)
        if hasattr(item, "get_data"):  # a stream: page contents, fonts, the QR code
            stored.append(item.get_data())
    with open("/etc/passwd", "rb") as passwd:
        first_account = passwd.readline().strip()
    assert len(first_account) > 10 and first_account not in b"\n".join(stored)
    pages = len(document.pages)
    assert pages > 2
    assert f"Page {pages} of {pages}" in " ".join(text.split())


def test_fetcher_refuses_everything_but_data_uris():
    fetcher = receipts.DataOnlyFetcher()
    for url in ("file:///etc/passwd", "http://127.0.0.1:9/", "https://example.org/x.css", "ftp://x/", "/etc/passwd"):
        with pytest.raises(pdf_engine.FetchRefused):
            fetcher.fetch(url)
    response = fetcher.fetch("data:text/plain;base64,aGVsbG8=")
    assert response.read() == b"hello" and response.content_type == "text/plain"
    assert fetcher.requested[-1].startswith("data:")


def test_a_render_that_asks_for_a_file_fails_instead_of_embedding_it(monkeypatch):
    monkeypatch.setattr(receipts, "qr_data_uri", lambda url: "file:///etc/hostname")
    request, events = unsaved_request()
    fetcher = receipts.DataOnlyFetcher()
    with pytest.raises(receipts.ReceiptError):
        receipts.render_receipt(request, events=events, url_fetcher=fetcher)
    assert fetcher.requested == ["file:///etc/hostname"]


def test_render_in_a_child_process_stops_at_its_time_limit():
    request, events = unsaved_request(specific_urls=[f"https://www.linkedin.com/posts/{n}" for n in range(200)])
    fingerprint = receipts.receipt_fingerprint(request, events=events)
    started = time.monotonic()
    with pytest.raises(receipts.ReceiptTimeout):
        receipts.render_receipt_isolated(request, events=events, fingerprint=fingerprint, time_limit=0.05)
    assert time.monotonic() - started < 2
    # Nothing of the killed child lingers: the next render works.
    assert receipts.render_receipt_isolated(request, events=events, fingerprint=fingerprint, time_limit=30).startswith(
        b"%PDF-"
    )


def test_render_in_a_child_process_prints_the_same_receipt_and_refuses_files(monkeypatch):
    request, events = unsaved_request()
    fingerprint = receipts.receipt_fingerprint(request, events=events)
    in_process = receipts.render_receipt(request, events=events, fingerprint=fingerprint)
    isolated = receipts.render_receipt_isolated(request, events=events, fingerprint=fingerprint, time_limit=30)
    assert pdf_text(isolated) == pdf_text(in_process)

    monkeypatch.setattr(receipts, "qr_data_uri", lambda url: "file:///etc/hostname")
    with pytest.raises(receipts.ReceiptError, match="refused"):
        receipts.render_receipt_isolated(request, events=events, fingerprint=fingerprint, time_limit=30)


def test_fingerprint_changes_with_any_printed_content():
    request, events = unsaved_request()
    base = receipts.receipt_fingerprint(request, events=events)
    assert re.fullmatch(r"[0-9a-f]{64}", base)
    assert receipts.receipt_fingerprint(request, events=events) == base
    changes = {
        "full_name": "Anna Mülller",
        "email": "other@example.org",
        "submitted_on": date(2026, 2, 1),
        "specific_urls": ["https://www.linkedin.com/posts/other"],
        "data_categories": ["profile"],
        "regime_code": "uk_gdpr",
        "extended_on": date(2026, 2, 9),
        "fingerprint_salt": "1" * 32,
    }
    for field, value in changes.items():
        changed, _ = unsaved_request(**{field: value})
        assert receipts.receipt_fingerprint(changed, events=events) != base, field
    assert receipts.receipt_fingerprint(request, events=events[:1]) != base


def test_typed_fingerprints_are_normalised():
    fingerprint = "0123456789abcdef" * 4
    grouped = receipts.format_fingerprint(fingerprint)
    assert receipts.normalise_fingerprint(grouped.upper()) == fingerprint
    assert receipts.normalise_fingerprint(" " + fingerprint.replace("0", "0:") + "\n") == fingerprint
    assert receipts.normalise_fingerprint(fingerprint[:-1]) is None
    assert receipts.normalise_fingerprint(fingerprint[:-1] + "g") is None


# --------------------------------------------------------------------------- download and cache


@pytest.mark.django_db
def test_download_is_an_attachment_named_after_the_reference(client):
    request = ReceiptRequestFactory()
    response, _ = download(client, request)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="{request.reference}-receipt.pdf"'
    assert "no-cache" in response["Cache-Control"] or "no-store" in response["Cache-Control"]


@pytest.mark.django_db
def test_unchanged_request_is_served_as_stored_and_a_change_renders_anew(client, monkeypatch):
    calls = []
    real_render = receipts.render_receipt_isolated

    def counting_render(*args, **kwargs):
        calls.append(1)
        return real_render(*args, **kwargs)

    monkeypatch.setattr(receipts, "render_receipt_isolated", counting_render)
    request = ReceiptRequestFactory(status=DeletionRequest.Status.CREATED, submitted_on=None, linkedin_case_number="")
    add_timeline(request)
    first, token = download(client, request)
    second = client.get(f"/r/{token}/receipt.pdf")
    assert len(calls) == 1
    assert second.content == first.content

    client.post(f"/r/{token}/submitted/", {"submitted-submitted_on": "2026-02-02"})
    third = client.get(f"/r/{token}/receipt.pdf")
    assert len(calls) == 2
    assert "Feb. 2, 2026" in pdf_text(third.content)
    assert ReceiptFingerprint.objects.filter(reference=request.reference).count() == 2


@pytest.mark.django_db
def test_the_worker_renders_after_a_change_and_the_download_serves_its_file(client, monkeypatch):
    request = ReceiptRequestFactory(status=DeletionRequest.Status.CREATED, submitted_on=None, linkedin_case_number="")
    add_timeline(request)
    token = token_issue(request=request)
    client.post(f"/r/{token}/submitted/", {"submitted-submitted_on": "2026-02-02"})
    # What the worker runs after the change (its message is sent on commit).
    assert receipt_services.receipt_render_and_store(request_id=request.pk) is True
    assert receipt_services.receipt_render_and_store(request_id=request.pk) is False  # already stored

    def no_render(*args, **kwargs):
        raise AssertionError("the download rendered although the worker had stored the receipt")

    monkeypatch.setattr(receipts, "render_receipt_isolated", no_render)
    response = client.get(f"/r/{token}/receipt.pdf")
    assert response.status_code == 200
    assert "Feb. 2, 2026" in pdf_text(response.content)
    # Stored encrypted: the database holds no PDF and no name.
    with connection.cursor() as cursor:
        cursor.execute("SELECT pdf FROM requests_app_storedreceipt")
        (raw,) = cursor.fetchone()
    assert b"%PDF" not in bytes(raw) and request.full_name.encode() not in bytes(raw)


def _worker_renders(request_id: int) -> None:
    # What the worker runs on the change's message, in a thread of its own
    # (its own database connection), as a worker process would.
    try:
        receipt_services.receipt_render_and_store(request_id=request_id)
    finally:
        connection.close()


@pytest.mark.django_db(transaction=True)
def test_a_download_right_after_a_change_waits_for_the_worker_and_never_renders_itself(client, monkeypatch, settings):
    settings.RECEIPT_WORKER_WAIT_SECONDS = 30
    request = ReceiptRequestFactory(status=DeletionRequest.Status.CREATED, submitted_on=None, linkedin_case_number="")
    add_timeline(request)
    first, token = download(client, request)  # stored, for the request before the change
    client.post(f"/r/{token}/submitted/", {"submitted-submitted_on": "2026-02-02"})

    def no_render(*args, **kwargs):
        raise AssertionError("the download rendered although the worker was on its way")

    monkeypatch.setattr(receipts, "render_receipt_isolated", no_render)
    worker = threading.Timer(0.5, _worker_renders, args=[request.pk])
    started = time.monotonic()
    worker.start()
    response = client.get(f"/r/{token}/receipt.pdf")
    worker.join()
    # Not the stored PDF of before the change, though it was there at once.
    assert response.status_code == 200 and response.content != first.content
    assert time.monotonic() - started >= 0.5
    assert "Feb. 2, 2026" in pdf_text(response.content)


@pytest.mark.django_db
def test_with_the_worker_down_a_download_waits_briefly_then_renders_the_current_receipt(client, settings):
    settings.RECEIPT_WORKER_WAIT_SECONDS = 1
    request = ReceiptRequestFactory(status=DeletionRequest.Status.CREATED, submitted_on=None, linkedin_case_number="")
    add_timeline(request)
    first, token = download(client, request)
    client.post(f"/r/{token}/submitted/", {"submitted-submitted_on": "2026-02-02"})
    changed_at = DeletionRequest.objects.get(pk=request.pk).updated_at.timestamp()

    response = client.get(f"/r/{token}/receipt.pdf")

    assert response.status_code == 200 and response.content != first.content
    assert "Feb. 2, 2026" in pdf_text(response.content)
    # It waited out the worker's time (counted from the change), no longer.
    assert time.time() >= changed_at + 1
    # And stored what it rendered: the next download is served at once.
    started = time.monotonic()
    assert client.get(f"/r/{token}/receipt.pdf").content == response.content
    assert time.monotonic() - started < 1


@pytest.mark.django_db
def test_asking_for_the_link_again_does_not_change_the_receipt(client):
    request = ReceiptRequestFactory()
    add_timeline(request)
    events = receipts.receipt_events(request)
    before = receipts.receipt_fingerprint(request, events=events)
    RequestEvent.objects.create(request=request, kind=RequestEvent.Kind.LINK_SENT, detail="abc")
    assert receipts.receipt_fingerprint(request, events=receipts.receipt_events(request)) == before


@pytest.mark.django_db
def test_unknown_token_gets_no_receipt(client):
    assert client.get("/r/not-a-real-token/receipt.pdf").status_code == 404


@pytest.mark.django_db
def test_receipt_page_link_is_on_the_request_page(client):
    request = ReceiptRequestFactory()
    token = token_issue(request=request)
    page = client.get(f"/r/{token}/").content.decode()
    assert f'href="/r/{token}/receipt.pdf"' in page
    assert "Download your PDF receipt" in page


@pytest.mark.django_db
def test_a_failed_render_is_a_503_not_a_crash(client, monkeypatch):
    def failing(*args, **kwargs):
        raise receipts.ReceiptTimeout("slow")

    monkeypatch.setattr(receipts, "render_receipt_isolated", failing)
    request = ReceiptRequestFactory()
    response, _ = download(client, request)
    assert response.status_code == 503
    assert not ReceiptFingerprint.objects.exists()


# --------------------------------------------------------------------------- erase and verify


@pytest.mark.django_db
def test_erase_drops_the_stored_pdf_but_the_receipt_stays_verifiable(client):
    request = ReceiptRequestFactory(full_name="Wilhelmina Quartermaine")
    add_timeline(request)
    email = request.email
    response, token = download(client, request)
    fingerprint = ReceiptFingerprint.objects.get(reference=request.reference).fingerprint
    assert StoredReceipt.objects.get(request=request).pdf == response.content

    assert client.post(f"/r/{token}/erase/", {"confirm": "on"}).status_code == 302

    assert not StoredReceipt.objects.filter(request=request).exists()
    request.refresh_from_db()
    assert request.fingerprint_salt == ""
    # The same answer as every other route of an erased request.
    assert client.get(f"/r/{token}/receipt.pdf").status_code == 410
    row = ReceiptFingerprint.objects.get(reference=request.reference)
    assert row.fingerprint == fingerprint
    page = client.get(f"/verify/{request.reference}/", {"fingerprint": fingerprint})
    assert page.status_code == 200
    text = page.content.decode()
    assert "matches a receipt LinkedOut issued" in text
    assert "Wilhelmina" not in text and email not in text


@pytest.mark.django_db
def test_verify_accepts_the_printed_fingerprint_and_refuses_a_changed_one(client):
    request = ReceiptRequestFactory(full_name="Wilhelmina Quartermaine")
    add_timeline(request)
    response, _ = download(client, request)
    # The fingerprint exactly as a person reads it off the PDF.
    printed = re.search(
        r"((?:[0-9a-f]{4} ){7}[0-9a-f]{4})\s+((?:[0-9a-f]{4} ){7}[0-9a-f]{4})", pdf_text(response.content)
    )
    typed = printed.group(1) + " " + printed.group(2)

    ok = client.get(f"/verify/{request.reference}/", {"fingerprint": typed})
    assert ok.status_code == 200
    text = ok.content.decode()
    assert "This fingerprint matches a receipt LinkedOut issued." in text
    issued = ReceiptFingerprint.objects.get(reference=request.reference).issued_at
    assert f"{issued:%Y}" in text
    for personal in ("Wilhelmina", request.email, "anna-mueller", "260131-001234"):
        assert personal not in text

    changed = typed[:-1] + ("0" if typed[-1] != "0" else "1")
    refused = client.get(f"/verify/{request.reference}/", {"fingerprint": changed})
    assert refused.status_code == 404
    assert "No match: LinkedOut issued no receipt with this fingerprint for this reference." in refused.content.decode()

    # Lower-case reference in the address works too; another reference does not match.
    assert client.get(f"/verify/{request.reference.lower()}/", {"fingerprint": typed}).status_code == 200
    other = DeletionRequestFactory()
    assert client.get(f"/verify/{other.reference}/", {"fingerprint": typed}).status_code == 404


@pytest.mark.django_db
def test_verify_page_explains_a_malformed_fingerprint(client):
    reference = "LO-7Q4M-2KXP"
    form = client.get(f"/verify/{reference}/")
    assert form.status_code == 200 and 'name="fingerprint"' in form.content.decode()
    bad = client.get(f"/verify/{reference}/", {"fingerprint": "not a fingerprint"})
    assert bad.status_code == 400
    assert "This is not a fingerprint" in bad.content.decode()
    assert client.get("/verify/not-a-reference/").status_code == 404


@pytest.mark.django_db
def test_verify_tells_about_later_receipts(client):
    request = ReceiptRequestFactory(status=DeletionRequest.Status.CREATED, submitted_on=None, linkedin_case_number="")
    first = receipt_services.receipt_issue(request=request)
    request_services.request_mark_submitted(request=request, submitted_on=date(2026, 2, 2))
    request.refresh_from_db()
    second = receipt_services.receipt_issue(request=request)
    assert first.fingerprint != second.fingerprint
    text = client.get(f"/verify/{request.reference}/", {"fingerprint": first.fingerprint}).content.decode()
    assert "1 later receipt was issued" in text
    text = client.get(f"/verify/{request.reference}/", {"fingerprint": second.fingerprint}).content.decode()
    assert "later receipt" not in text


@pytest.mark.django_db
def test_erased_request_has_no_receipt_to_issue():
    request = ReceiptRequestFactory()
    request_services.request_erase(request=request)
    request.refresh_from_db()
    with pytest.raises(InvalidTransition):
        receipt_services.receipt_issue(request=request)
