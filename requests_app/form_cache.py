"""What the form pages render alike for every visitor, kept once per process.

Three things, all keyed so that a page looks byte for byte as it would
without them (tests/test_form_cache.py renders each form with the cache on
and off):

- **Choice lists** built once per language (the 249 countries sorted in the
  reader's language, the grouped state/province/Land list): `FrozenChoices`,
  which Django's fields and widgets take as they are instead of normalising
  them again on every form instance, GET and POST alike.
- **The options of a long `<select>`**: `Select` renders its options
  once per (choice list, name, attributes) with none selected, and marks the
  visitor's option in that text as Django would (the first option whose value
  is the visitor's).
- **Unbound forms**: `crispy_html` keeps the rendering of a form that carries
  nothing of a visitor (unbound, initial values that are dates, flags or
  choices: never typed text), per form class, prefix, fields, initial values
  and language. A bound form (a visitor's values, errors) is rendered anew
  every time.

Per process (plain dictionaries: each gunicorn worker fills its own), emptied
when a setting changes (tests) and when the development server sees a
template or translation file change. `RENDER_CACHE = False` turns all
three renderings off (the choice lists stay: they are the same values).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable
from datetime import date

from crispy_forms.templatetags.crispy_forms_tags import CrispyFormNode
from django import forms
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.template import Context
from django.utils.autoreload import file_changed
from django.utils.choices import BaseChoiceIterator, normalize_choices
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

# Enough for every form of every language, with a few days' dates in their initial values.
MAX_UNBOUND_FORMS = 512

_lock = threading.Lock()
_per_language: dict[tuple[str, str], object] = {}
_unbound_forms: OrderedDict[Hashable, SafeString] = OrderedDict()


def enabled() -> bool:
    return settings.RENDER_CACHE


@receiver(setting_changed)
@receiver(file_changed)
def clear(**kwargs) -> None:
    """Forget everything: the next page builds and renders afresh. Returns
    None, so the development server still reloads as it would have."""
    with _lock:
        _per_language.clear()
        _unbound_forms.clear()


def kept() -> dict[str, int]:
    """How many renderings and lists this process keeps (for tests and a curious operator)."""
    lists = [value for value in _per_language.values() if isinstance(value, FrozenChoices)]
    return {
        "per-language values": len(_per_language),
        "rendered selects": sum(len(choices.rendered) for choices in lists),
        "unbound forms": len(_unbound_forms),
    }


class FrozenChoices(BaseChoiceIterator):
    """A choice list normalised once, with the rendered options of the
    selects that show it. Django keeps a choice iterator as it is (no copy,
    no normalisation per form); copying one gives the same list back."""

    def __init__(self, choices: Iterable):
        self.items = tuple(normalize_choices(list(choices)))
        self.rendered: dict[Hashable, SafeString] = {}

    def __iter__(self):
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def __copy__(self) -> FrozenChoices:
        return self

    def __deepcopy__(self, memo) -> FrozenChoices:
        return self


def per_language(name: str, build: Callable[[], object]) -> object:
    """`build()` for the active language, built once per process."""
    key = (name, get_language() or settings.LANGUAGE_CODE)
    found = _per_language.get(key)
    if found is None:
        found = build()
        with _lock:
            found = _per_language.setdefault(key, found)
    return found


def choices_for_language(name: str, build: Callable[[], Iterable]) -> FrozenChoices:
    """`build()`'s choices for the active language, built once. Labels are
    made text here, in that language (a lazy label would otherwise be
    translated again at every render)."""
    return per_language(name, lambda: FrozenChoices(_as_text(build())))


def _as_text(choices: Iterable) -> list:
    return [
        (value, _as_text(label) if isinstance(label, list | tuple) else str(label))
        for value, label in normalize_choices(list(choices))
    ]


class Select(forms.Select):
    """A single `<select>` whose options are rendered once per choice list:
    only the `selected` mark differs between visitors. Named as Django's
    (crispy writes the widget's class name into the HTML: class="select")."""

    # A value no option has: the options rendered with it have none selected.
    _NO_OPTION = "\x00"

    def render(self, name, value, attrs=None, renderer=None):
        rendered = getattr(self.choices, "rendered", None)
        if rendered is None or self.allow_multiple_selected or not enabled():
            return super().render(name, value, attrs, renderer)
        final_attrs = self.build_attrs(self.attrs, attrs)
        key = (
            type(self),
            self.template_name,
            self.option_template_name,
            name,
            self.is_required,
            tuple(final_attrs.items()),
            type(renderer),
        )
        html = rendered.get(key)
        if html is None:
            html = rendered.setdefault(key, super().render(name, self._NO_OPTION, attrs, renderer))
        # Django's own rendering, with the literal " selected" inserted in one tag.
        return mark_safe(_mark_selected(html, self.format_value(value)))  # noqa: S308


def _mark_selected(html: str, values: list[str]) -> str:
    """Django's Select marks the first option, in document order, whose value
    is among `values`; option values are escaped the way its template does."""
    first = -1
    for value in values:
        tag = f'<option value="{escape(value)}">'
        at = html.find(tag)
        if at != -1 and (first == -1 or at < first):
            first, first_tag = at, tag
    if first == -1:
        return html
    end = first + len(first_tag) - 1
    return html[:end] + " selected" + html[end:]


# --- whole unbound forms ----------------------------------------------------------

_KEEPABLE_INITIAL = (bool, int, date, type(None))


def _unbound_key(form: forms.BaseForm) -> Hashable | None:
    """What an unbound form's rendering depends on, or None when it is not
    to be kept: bound, opted out, or an initial value a visitor typed."""
    if form.is_bound or not getattr(form, "cache_unbound", False) or not enabled():
        return None
    initial = []
    for name, value in sorted(form.initial.items()):
        field = form.fields.get(name)
        if not isinstance(value, _KEEPABLE_INITIAL) and not _is_a_choice(field, value) and value != "":
            return None
        initial.append((name, type(value), value))
    return (
        type(form),
        form.prefix,
        form.auto_id,
        form.label_suffix,
        form.use_required_attribute,
        tuple(form.fields),
        tuple(initial),
        get_language(),
    )


def _is_a_choice(field: forms.Field | None, value) -> bool:
    if not isinstance(field, forms.ChoiceField) or not isinstance(value, str):
        return False
    return any(str(option) == value for option, _label in field.choices)


def crispy_html(form: forms.BaseForm, context: Context) -> SafeString:
    """What `{% crispy form %}` renders in `context`: from the cache for an
    unbound form that carries nothing of a visitor, else rendered now."""
    key = _unbound_key(form)
    if key is None:
        with context.push(form=form):
            return _render_crispy(context)
    html = _unbound_forms.get(key)
    if html is None:
        # Rendered apart from the page, so that nothing of this visitor's page
        # (its CSRF token, its messages) can end up in another's.
        html = _render_crispy(Context({"form": form}, autoescape=context.autoescape))
        with _lock:
            _unbound_forms[key] = html
            if len(_unbound_forms) > MAX_UNBOUND_FORMS:
                _unbound_forms.popitem(last=False)
    return html


def _render_crispy(context: Context) -> SafeString:
    # A node per rendering: crispy's node keeps the form's helper on itself.
    return CrispyFormNode("form", None).render(context)
