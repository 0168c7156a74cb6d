"""The yardstick of bench/pages.py: LinkedOut's first form step written as
plain Django would write it, in one file (settings, form, views, URLs, WSGI).

Same fields as `requests_app.forms.YouForm` (all 249 countries, the grouped
state/province/Land list, languages, letter language), rendered by Django's
own form renderer (`{{ form }}`), choices built on every instantiation as
plain code does; SessionMiddleware with the database backend: GET fills the
form from the session, a valid POST stores it there and redirects (a wizard's
round trip). The same middleware a plain project has (sessions, locale,
common, CSRF), DEBUG off, SQLite.

Not part of `make bench` on its own (the leading underscore): bench/pages.py
migrates it into its temp dir and serves it with gunicorn
(`DJANGO_SETTINGS_MODULE=_plain_site`, `_plain_site:application`, cwd bench/).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from django import forms
from django.core.wsgi import get_wsgi_application
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext_lazy as _

# The subdivision lists are LinkedOut's own data (a pure module, no models).
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

# --- settings -------------------------------------------------------------------
DEBUG = False
SECRET_KEY = os.environ["SECRET_KEY"]
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
ROOT_URLCONF = __name__
INSTALLED_APPS = ["django.contrib.sessions", "django_countries"]
MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
]
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": os.environ["PLAIN_SITE_DB"]}}
PAGE = """<!doctype html>
<html lang="{{ LANGUAGE_CODE }}"><head><meta charset="utf-8"><title>About you</title></head>
<body><main><h1>About you</h1>
<form method="post" novalidate>{% csrf_token %}{{ form }}<button type="submit">Next</button></form>
</main></body></html>
"""
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "OPTIONS": {
            "context_processors": ["django.template.context_processors.i18n"],
            "loaders": [
                ("django.template.loaders.cached.Loader", [("django.template.loaders.locmem.Loader", {"page": PAGE})])
            ],
        },
    }
]
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("de", "German"), ("fr", "French"), ("es", "Spanish")]
LANGUAGES += [("it", "Italian"), ("nl", "Dutch"), ("pl", "Polish")]
USE_I18N = True
USE_TZ = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
SESSION_ENGINE = "django.contrib.sessions.backends.db"

# --- the form and its views (imported once settings exist) ------------------------
application = get_wsgi_application()

from django_countries import countries  # noqa: E402

from requests_app.jurisdictions import COUNTRIES_WITH_SUBDIVISIONS  # noqa: E402


class PlainYouForm(forms.Form):
    first_name = forms.CharField(label=_("First name"), max_length=100, help_text=_("As on your LinkedIn profile."))
    last_name = forms.CharField(label=_("Last name"), required=False, max_length=100)
    email = forms.EmailField(label=_("Email address of your LinkedIn account"), max_length=254)
    profile_url = forms.CharField(label=_("Your LinkedIn profile address (optional)"), required=False)
    postal_address = forms.CharField(
        label=_("Your postal address (optional)"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    country = forms.ChoiceField(label=_("Where do you live?"), help_text=_("This decides which law protects you."))
    subdivision = forms.ChoiceField(label=_("State, province or Land"), required=False)
    language = forms.ChoiceField(label=_("Your language"), choices=LANGUAGES)
    letter_language = forms.ChoiceField(
        label=_("Language of the letter to LinkedIn"),
        choices=[("en", _("English")), ("own", _("My language"))],
        initial="en",
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        names = dict(countries)
        self.fields["country"].choices = [("", _("Choose your country"))] + list(countries)
        self.fields["subdivision"].choices = [("", "—")] + [
            (str(names[code]), choices) for code, choices in COUNTRIES_WITH_SUBDIVISIONS.items()
        ]


def you(request):
    if request.method == "POST":
        form = PlainYouForm(request.POST)
        if form.is_valid():
            request.session["you"] = form.cleaned_data
            return redirect("you")
    else:
        form = PlainYouForm(initial=request.session.get("you"))
    return render(request, "page", {"form": form})


urlpatterns = [path("you/", you, name="you")]
