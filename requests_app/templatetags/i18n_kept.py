"""Django's `i18n` tag library, registered under its name (settings.TEMPLATES
"libraries"), with one change: `{% translate "a literal" %}` is looked up once
per language and process instead of on every render.

A literal's translation is the same for every visitor; Django builds a lazy
string, looks it up in the catalogs and escapes it each time (the request page
has some eighty of them). Everything else (a variable, a filter, `as`,
`context`, `noop`, `blocktranslate`) is Django's own tag, unchanged. Kept
texts are forgotten when a setting changes (tests) and when the development
server sees a file change (a recompiled catalog); RENDER_CACHE=0 turns it off.
"""

from __future__ import annotations

import itertools

from django import template
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.template.base import Variable
from django.templatetags.i18n import TranslateNode, do_translate
from django.templatetags.i18n import register as django_i18n
from django.utils.autoreload import file_changed
from django.utils.translation import get_language

register = template.Library()
register.tags.update(django_i18n.tags)
register.filters.update(django_i18n.filters)

_generations = itertools.count()
_generation = next(_generations)


@receiver(setting_changed)
@receiver(file_changed)
def forget_kept_translations(**kwargs) -> None:
    global _generation
    _generation = next(_generations)


class KeptTranslateNode(TranslateNode):
    def __init__(self, filter_expression, noop, asvar=None, message_context=None):
        super().__init__(filter_expression, noop, asvar, message_context)
        variable = self.filter_expression.var
        self.constant = (
            isinstance(variable, Variable)
            and variable.literal is not None
            and not self.filter_expression.filters
            and not (noop or asvar or message_context)
        )
        self.kept: dict[tuple, str] = {}
        self.kept_generation = _generation

    def render(self, context):
        if not self.constant or not settings.RENDER_CACHE:
            return super().render(context)
        if self.kept_generation != _generation:
            self.kept, self.kept_generation = {}, _generation
        # What Django's rendering of a literal depends on: the catalogs (the
        # generation), the language, autoescaping.
        key = (get_language(), context.autoescape)
        text = self.kept.get(key)
        if text is None:
            text = self.kept[key] = super().render(context)
        return text


def translate(parser, token):
    node = do_translate(parser, token)
    return KeptTranslateNode(node.filter_expression, node.noop, node.asvar, node.message_context)


register.tag("translate", translate)
register.tag("trans", translate)
