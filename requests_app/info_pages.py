"""What the FAQ, the privacy policy and the accessibility statement state,
taken from the rules the code acts on.

Every period the privacy policy names is read here from the setting or
constant that drives the behaviour (the purge, the session, the links, the
cookies), so the page changes when the code does; every LinkedIn fact the FAQ
relies on comes from data/facts.json with its checked-on date. Templates
format, they hold no number of their own.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from . import dates, facts, jurisdictions, site_operator, tokens

FAQ_FACTS = ("deletion_form", "opt_out_is_future_only", "ai_setting", "account_closure", "account_closure_keeps_data")


def duration_words(seconds: float | None) -> str:
    """'90 days', '24 hours', or 'until you close your browser' for None
    (a cookie without an age)."""
    if seconds is None:
        return _("until you close your browser")
    seconds = int(seconds)
    day, hour = 24 * 60 * 60, 60 * 60
    if seconds >= day and seconds % day == 0:
        days = seconds // day
        return ngettext("%(count)d day", "%(count)d days", days) % {"count": days}
    if seconds >= hour and seconds % hour == 0:
        hours = seconds // hour
        return ngettext("%(count)d hour", "%(count)d hours", hours) % {"count": hours}
    minutes = max(1, seconds // 60)
    return ngettext("%(count)d minute", "%(count)d minutes", minutes) % {"count": minutes}


@dataclass(frozen=True)
class Retention:
    """How long LinkedOut keeps what, in days or words."""

    days_after_close: int  # dates.purge_on, settled requests
    days_inactive: int  # dates.purge_on, everything else
    purge_warning_days: int
    form_session: str  # the half-filled guided form and the session cookie
    confirmation_link_days: int
    email_link_days: int


@dataclass(frozen=True)
class Cookie:
    name: str
    kept: str  # duration_words


@dataclass(frozen=True)
class Cookies:
    csrf: Cookie
    session: Cookie
    language: Cookie
    messages: Cookie


def retention() -> Retention:
    return Retention(
        days_after_close=settings.RETENTION_DAYS_AFTER_CLOSE,
        days_inactive=settings.RETENTION_DAYS_INACTIVE,
        purge_warning_days=dates.PURGE_WARNING_DAYS,
        form_session=duration_words(settings.SESSION_COOKIE_AGE),
        confirmation_link_days=tokens.CONFIRMATION_VALID_FOR.days,
        email_link_days=tokens.EMAIL_LINK_VALID_FOR.days,
    )


def cookies() -> Cookies:
    """The cookies this site sets, named and aged as Django sets them."""
    return Cookies(
        csrf=Cookie(settings.CSRF_COOKIE_NAME, duration_words(settings.CSRF_COOKIE_AGE)),
        session=Cookie(settings.SESSION_COOKIE_NAME, duration_words(settings.SESSION_COOKIE_AGE)),
        language=Cookie(settings.LANGUAGE_COOKIE_NAME, duration_words(settings.LANGUAGE_COOKIE_AGE)),
        # A notice ("Saved") waits in this cookie until the next page shows it
        # (Django's default FallbackStorage tries the cookie first).
        messages=Cookie(CookieStorage.cookie_name, kept=""),
    )


@dataclass(frozen=True)
class Privacy:
    operator: site_operator.Operator
    retention: Retention
    cookies: Cookies
    # The data-protection authority of the operator's place, if LinkedOut knows it.
    authority: jurisdictions.Authority | None


def privacy() -> Privacy:
    operator = site_operator.current()
    authority = jurisdictions.member_authority(operator.country, operator.subdivision) if operator.country else None
    return Privacy(operator=operator, retention=retention(), cookies=cookies(), authority=authority)


@dataclass(frozen=True)
class Faq:
    deletion_form_name: str
    deletion_form_url: str
    ai_setting_url: str
    account_closure_url: str
    account_closure_days: int
    closure_keeps_data: bool
    retention: Retention
    facts: facts.FactSet


def faq() -> Faq:
    closure = facts.value("account_closure")
    return Faq(
        deletion_form_name=facts.value("deletion_form")["name"],
        deletion_form_url=jurisdictions.linkedin_url("deletion_form"),
        ai_setting_url=facts.value("ai_setting")["url"],
        account_closure_url=closure["url"],
        account_closure_days=int(closure["deletion_days"]),
        closure_keeps_data=bool(facts.value("account_closure_keeps_data")),
        retention=retention(),
        facts=facts.fact_set(FAQ_FACTS),
    )
