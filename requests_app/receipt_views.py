"""The PDF receipt's two pages: its download (private link) and its public check."""

from __future__ import annotations

import logging
import re

from django import forms
from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django_ratelimit.decorators import ratelimit

from . import receipts
from .access import link_key, private_link
from .models import DeletionRequest, ReceiptFingerprint
from .services.receipts import NoComplaint, complaint_pack_issue, receipt_issue
from .services.requests import REFERENCE_ALPHABET

logger = logging.getLogger(__name__)

# The shape services.requests.new_reference() makes; anything else is not ours.
# Always fullmatch: "$" would also accept a trailing "\n" (/verify/LO-...%0A/).
REFERENCE_RE = re.compile(rf"LO-[{REFERENCE_ALPHABET}]{{4}}-[{REFERENCE_ALPHABET}]{{4}}")


@never_cache
@require_GET
@private_link
def receipt_download(request: HttpRequest, token: str, request_obj: DeletionRequest) -> HttpResponse:
    try:
        issued = receipt_issue(request=request_obj, wait_for_worker=True)
    except receipts.ReceiptError:
        # Logged without the token or any content: the reference is enough.
        logger.exception("receipt for %s could not be rendered", request_obj.reference)
        return _try_again(_("Your receipt could not be made just now. Please try again in a minute."))
    return _pdf_response(issued)


def _pdf_response(issued: receipts.IssuedReceipt) -> HttpResponse:
    return _pdf_attachment(issued.pdf, issued.filename)


def _pdf_attachment(pdf: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Content-Length"] = str(len(pdf))
    return response


def _try_again(message: str) -> HttpResponse:
    return HttpResponse(message, status=503, content_type="text/plain; charset=utf-8", headers={"Retry-After": "60"})


@never_cache
@require_GET
@ratelimit(key=link_key, rate="10/h", method="GET", block=True)
@private_link
def complaint_pack_download(
    request: HttpRequest, token: str, request_obj: DeletionRequest, authority: str
) -> HttpResponse:
    try:
        issued = complaint_pack_issue(request=request_obj, authority_key=authority)
    except NoComplaint:
        # A response, not Http404: never_cache then applies to it as to the pack.
        return render(request, "404.html", status=404)
    except receipts.ReceiptError:
        logger.exception("complaint pack for %s could not be rendered", request_obj.reference)
        return _try_again(_("Your complaint pack could not be made just now. Please try again in a minute."))
    return _pdf_response(issued)


@never_cache
@require_GET
@ratelimit(key=link_key, rate="20/h", method="GET", block=True)
@private_link
def letter_pdf_download(request: HttpRequest, token: str, request_obj: DeletionRequest) -> HttpResponse:
    try:
        pdf = receipts.render_letter_isolated(request_obj, time_limit=settings.RECEIPT_TIME_LIMIT_SECONDS)
    except receipts.ReceiptError:
        logger.exception("letter PDF for %s could not be rendered", request_obj.reference)
        return _try_again(_("Your letter could not be made just now. Please try again in a minute."))
    return _pdf_attachment(pdf, f"{request_obj.reference}-letter.pdf")


class VerifyForm(forms.Form):
    fingerprint = forms.CharField(
        label=gettext_lazy("Fingerprint printed on the receipt"),
        max_length=200,
        help_text=gettext_lazy("64 characters, 0–9 and a–f. Spaces between the groups do not matter."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false", "class": "font-monospace"}),
    )

    def clean_fingerprint(self) -> str:
        fingerprint = receipts.normalise_fingerprint(self.cleaned_data["fingerprint"])
        if fingerprint is None:
            raise forms.ValidationError(
                _("This is not a fingerprint: it must be 64 characters, digits 0–9 and letters a–f."),
                code="malformed",
            )
        return fingerprint


# Says whether and when a receipt was issued: nothing for a shared cache to keep.
@never_cache
@require_GET
@ratelimit(key="ip", rate="60/m", method="GET", block=True)
def receipt_verify(request: HttpRequest, reference: str) -> HttpResponse:
    """Anyone holding a receipt can check it here. The answer says only whether
    LinkedOut issued a receipt with this fingerprint for this reference, and
    when: no name, no content, and the same words for an unknown reference as
    for a wrong fingerprint. A GET form: checking changes nothing, and the QR
    code on the receipt links straight to the answer."""
    reference = reference.upper()
    if not REFERENCE_RE.fullmatch(reference):
        raise Http404
    form = VerifyForm(request.GET if "fingerprint" in request.GET else None)
    context = {"reference": reference, "form": form}
    status = 200
    if form.is_bound:
        if form.is_valid():
            issued = list(ReceiptFingerprint.objects.filter(reference=reference).order_by("issued_at", "id"))
            match = next((row for row in issued if row.fingerprint == form.cleaned_data["fingerprint"]), None)
            context["checked"] = True
            context["match"] = match
            if match is None:
                status = 404
            else:
                later = [row for row in issued if row.issued_at > match.issued_at]
                context["later_count"] = len(later)
                context["latest_issued_at"] = later[-1].issued_at if later else None
        else:
            status = 400
    return render(request, "requests_app/verify.html", context, status=status)
