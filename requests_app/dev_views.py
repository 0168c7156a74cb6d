"""The development outbox pages (/dev/outbox/): the emails `make run` kept
instead of sending (dev_outbox.py). DEBUG only: 404 otherwise, so a
production site never shows them whatever its email backend."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable

from csp.decorators import csp_replace
from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import content_disposition_header
from django.views.decorators.cache import never_cache
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET

from .dev_outbox import StoredEmail, outbox_list, outbox_message

# The HTML part is an email, not a page of the site: it is shown in a
# sandboxed frame of the message page, under a policy of its own that runs
# no script, loads nothing, submits nothing and can only be framed by us.
# Inline styles are what emails are made of. A click on a link opens it in
# the whole tab (the site's own pages refuse to be framed).
EMAIL_HTML_POLICY = {
    "default-src": ["'none'"],
    "style-src": ["'unsafe-inline'"],
    "img-src": ["data:"],
    "base-uri": ["'none'"],
    "form-action": ["'none'"],
    "frame-ancestors": ["'self'"],
    "sandbox": ["allow-top-navigation-by-user-activation"],
}
# csp_replace drops a directive set to None: all of the site's go, and the
# email's own policy is what remains.
EMAIL_HTML_CSP = {**dict.fromkeys(settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]), **EMAIL_HTML_POLICY}
LINKS_OPEN_IN_THE_TAB = '<base target="_top">'
OPENING_HEAD = re.compile(r"<head\b[^>]*>", re.IGNORECASE)
OPENING_HTML = re.compile(r"<html\b[^>]*>", re.IGNORECASE)


def debug_only(view: Callable) -> Callable:
    """404 unless DEBUG: the one gate of every /dev/ page. Never cached:
    the emails carry private links."""

    @functools.wraps(view)
    def gated(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not settings.DEBUG:
            raise Http404
        return view(request, *args, **kwargs)

    return never_cache(require_GET(gated))


def _message_or_404(message_id: str) -> StoredEmail:
    message = outbox_message(message_id)
    if message is None:
        raise Http404
    return message


@debug_only
def outbox(request: HttpRequest) -> HttpResponse:
    return render(request, "requests_app/dev_outbox.html", {"emails": outbox_list()})


@debug_only
def outbox_email(request: HttpRequest, message_id: str) -> HttpResponse:
    return render(request, "requests_app/dev_outbox_email.html", {"email": _message_or_404(message_id)})


@debug_only
@xframe_options_sameorigin
@csp_replace(EMAIL_HTML_CSP)
def outbox_email_html(request: HttpRequest, message_id: str) -> HttpResponse:
    html = _message_or_404(message_id).html
    if html is None:
        raise Http404
    return HttpResponse(_links_open_in_the_tab(html), content_type="text/html; charset=utf-8")


def _links_open_in_the_tab(html: str) -> str:
    # Right after <head> (or <html>: the parser then makes the head), so the
    # doctype stays first and the page is not rendered in quirks mode.
    for opening in (OPENING_HEAD, OPENING_HTML):
        match = opening.search(html)
        if match:
            return html[: match.end()] + LINKS_OPEN_IN_THE_TAB + html[match.end() :]
    return LINKS_OPEN_IN_THE_TAB + html


@debug_only
def outbox_attachment(request: HttpRequest, message_id: str, number: str) -> HttpResponse:
    attachments = _message_or_404(message_id).attachments
    if not 1 <= int(number) <= len(attachments):
        raise Http404
    attachment = attachments[int(number) - 1]
    response = HttpResponse(attachment.content, content_type=attachment.content_type)
    response["Content-Disposition"] = content_disposition_header(True, attachment.filename)
    return response
