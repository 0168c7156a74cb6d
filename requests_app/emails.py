"""Emails: one function per kind, three templates per kind
(`emails/<kind>-subject.txt`, `-body.txt`, `-body.html`), rendered in the
request's language. Links use SITE_URL, never the Host of a web request."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from .models import DeletionRequest


def absolute_url(path: str) -> str:
    return settings.SITE_URL + path


def make_message(kind: str, *, to: str, language: str, context: dict) -> EmailMultiAlternatives:
    with translation.override(language):
        context = {**context, "site_url": settings.SITE_URL}
        # One line, whatever the template does: a subject is a header.
        subject = " ".join(render_to_string(f"emails/{kind}-subject.txt", context).split())
        text = render_to_string(f"emails/{kind}-body.txt", context)
        html = render_to_string(f"emails/{kind}-body.html", context)
    message = EmailMultiAlternatives(subject=subject, body=text, to=[to])
    message.attach_alternative(html, "text/html")
    return message


def send_private_link_email(*, request: DeletionRequest, token: str) -> None:
    link = absolute_url(reverse("requests_app:detail", args=[token]))
    message = make_message(
        "private_link",
        to=request.email,
        language=request.language,
        context={"request": request, "link": link},
    )
    message.send()
