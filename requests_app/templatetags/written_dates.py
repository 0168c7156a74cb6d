"""Dates in the emails written as the letters write them ("1er décembre
2026", "1 dicembre 2026", "March 19, 2026" for a US member): Django's date
formats cannot write the French first of the month or lower-case Italian
months, and the member reads the email beside the letter."""

from __future__ import annotations

from datetime import date

from django import template
from django.utils import translation

from .. import letters

register = template.Library()


@register.filter
def written_date(day: date | None, country: str = "") -> str:
    if not day:
        return ""
    return letters.written_date(day, language=translation.get_language() or "en", country=country or "")
