"""`{% cached_crispy form %}`: `{% crispy form %}`, kept per process while the
form carries nothing of a visitor (requests_app/form_cache.py)."""

from __future__ import annotations

from django import template

from .. import form_cache

register = template.Library()


@register.simple_tag(takes_context=True)
def cached_crispy(context, form):
    return form_cache.crispy_html(form, context)
