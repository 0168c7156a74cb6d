"""HTML to PDF with WeasyPrint, and nothing else: no Django, no database.

The receipt's markup is made by `receipts.py`; this module lays it out. It
runs in two places:

* in the Celery worker, which renders every receipt after each change
  (`html_to_pdf`, in-process, with a warm engine, under the task's time limits);
* as a child process of the web server (`python -m requests_app.pdf_engine`),
  when a member downloads a receipt the worker has not stored yet. A child can
  be killed at its time limit whatever it is doing, and a crash or leak in the
  layout engine stays out of the web process.

Security: a fetcher that loads nothing but ``data:`` URIs (WeasyPrint's default
one opens ``file://``, ``http://`` and ``ftp://`` and embeds local files named
by ``<link rel=attachment>``).
"""

from __future__ import annotations

import gc
import sys
import threading
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from weasyprint import CSS
    from weasyprint.text.fonts import FontConfiguration

STYLESHEET_PATH = Path(__file__).resolve().parent.parent / "templates" / "receipts" / "receipt.css"
PAGE_SIZES = ("A4", "letter")
# Exit statuses of the child process: the markup asked for something other
# than a data: URI; any other error (only its class is printed).
EXIT_FETCH_REFUSED = 3
EXIT_RENDER_FAILED = 4


class FetchRefused(ValueError):
    """The receipt tried to load something other than a data: URI."""


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


@dataclass
class _Engine:
    font_config: FontConfiguration
    stylesheet: CSS
    page_sizes: dict[str, CSS]


_engine: _Engine | None = None
# Pango's font map behind the shared FontConfiguration is not thread-safe, so
# a process lays out one receipt at a time (matters only for a threaded worker
# pool; prefork children and the web's child processes are single-threaded).
_engine_lock = threading.Lock()


def _get_engine() -> _Engine:
    # One FontConfiguration and the parsed stylesheet, built on first use and
    # reused: parsing the CSS and setting up fonts is a large part of a naive
    # render's time. Called with _engine_lock held.
    global _engine
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
            for size in PAGE_SIZES
        }
        _engine = _Engine(font_config=font_config, stylesheet=stylesheet, page_sizes=page_sizes)
    return _engine


def html_to_pdf(markup: str, *, page_size: str, url_fetcher: DataOnlyFetcher | None = None) -> bytes:
    """Lay out `markup` with the receipt stylesheet on `page_size` paper.
    Raises FetchRefused (through WeasyPrint's FatalURLFetchingError) if the
    markup asks for anything but a data: URI."""
    from weasyprint import HTML

    with _engine_lock:
        engine = _get_engine()
        # A render allocates some hundred thousand short-lived objects; the
        # cyclic GC would run dozens of times during it for nothing (about 5%
        # of the render). Paused for these ~0.1 s, it collects right after.
        gc_was_enabled = gc.isenabled()
        gc.disable()
        try:
            document = HTML(string=markup, url_fetcher=url_fetcher or DataOnlyFetcher()).render(
                font_config=engine.font_config, stylesheets=[engine.stylesheet, engine.page_sizes[page_size]]
            )
            return document.write_pdf()
        finally:
            if gc_was_enabled:
                gc.enable()


def main(argv: list[str]) -> int:
    """Child-process entry: markup (UTF-8) on stdin, page size as the only
    argument, PDF bytes on stdout."""
    from weasyprint.urls import FatalURLFetchingError

    page_size = argv[1] if len(argv) > 1 and argv[1] in PAGE_SIZES else "A4"
    markup = sys.stdin.buffer.read().decode("utf-8")
    try:
        pdf = html_to_pdf(markup, page_size=page_size)
    except FatalURLFetchingError:
        print("FetchRefused", file=sys.stderr)
        return EXIT_FETCH_REFUSED
    except Exception as error:
        # The class only: a message may quote the receipt's text.
        print(type(error).__name__, file=sys.stderr)
        return EXIT_RENDER_FAILED
    sys.stdout.buffer.write(pdf)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
