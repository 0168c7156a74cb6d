"""Sentences that tell the user, in their language, what applies to them."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_countries import countries

from . import dates, jurisdictions

if TYPE_CHECKING:
    from .models import DeletionRequest


def place_name(country: str, subdivision: str = "") -> str:
    name = countries.name(country) or country
    subdivisions = dict(jurisdictions.COUNTRIES_WITH_SUBDIVISIONS.get(country, []))
    if subdivision in subdivisions:
        return f"{subdivisions[subdivision]}, {name}"
    return str(name)


def regime_explanation(regime: jurisdictions.Regime, country: str, subdivision: str = "", *,
                       made_on: date | None = None) -> str:  # fmt: skip
    """'You live in France, so the GDPR applies; LinkedIn Ireland must answer
    within one month of receiving your request.' ``regime`` is the one the
    request has (or would get if made on ``made_on``)."""
    place = place_name(country, subdivision)
    if regime.deadline_is_ours:
        later = jurisdictions.law_in_force_later(country, subdivision, on=made_on)
        if later is not None and later.in_force_from is not None:
            return _(
                "You live in %(place)s. Its privacy law, the %(law)s, gives a right to deletion only from "
                "%(date)s; for a request made before that day your request relies on LinkedIn's own privacy "
                "policy, and we suggest %(controller)s answers within %(words)s, a period of ours, not the law's."
            ) % {
                "place": place,
                "law": later.short_name,
                "date": formats.date_format(later.in_force_from, "DATE_FORMAT"),
                "controller": regime.controller.name,
                "words": regime.deadline_words,
            }
        current = jurisdictions.regime_for(country, subdivision)
        if made_on is not None and not current.deadline_is_ours:
            # Made before LinkedOut knew the place's law: say so rather than "no law".
            return _(
                "You live in %(place)s. When you made this request LinkedOut did not yet apply the %(law)s there, so "
                "it relies on LinkedIn's own privacy policy. The %(law)s gives you a right to deletion and a legal "
                "deadline: start a new request to use it."
            ) % {"place": place, "law": current.short_name}
        return _(
            "You live in %(place)s. We know of no data-protection law there that gives you a deadline, "
            "so your request relies on LinkedIn's own privacy policy; we suggest %(controller)s answers "
            "within %(words)s, a period of ours, not the law's."
        ) % {"place": place, "controller": regime.controller.name, "words": regime.deadline_words}
    if regime.deadline_unverified:
        return _(
            "You live in %(place)s, so the %(law)s applies; we ask %(controller)s to answer within %(words)s "
            "of receiving your request. This period is not verified for deletion requests: the law may set "
            "another one."
        ) % {
            "place": place,
            "law": regime.short_name,
            "controller": regime.controller.name,
            "words": regime.deadline_words,
        }
    text = _(
        "You live in %(place)s, so the %(law)s applies; %(controller)s must answer within %(words)s "
        "of receiving your request."
    ) % {"place": place, "law": regime.short_name, "controller": regime.controller.name, "words": regime.deadline_words}
    if regime.extension_words:
        text = _("%(explanation)s It may extend this by %(words)s if it tells you so in time.") % {
            "explanation": text,
            "words": regime.extension_words,
        }
    return text


def days_in_words(days: int) -> str:
    if days > 1:
        return ngettext("%(n)d day left", "%(n)d days left", days) % {"n": days}
    if days == 1:
        return _("1 day left (due tomorrow)")
    if days == 0:
        return _("due today")
    return ngettext("%(n)d day overdue", "%(n)d days overdue", -days) % {"n": -days}


@dataclass(frozen=True)
class Clock:
    """The request's dates (`dates.RequestDates`: due_on, current_due_on,
    can_extend...) with the days left as of one day, in words."""

    dates: dates.RequestDates
    days_left: int
    words: str

    def __getattr__(self, name: str):
        # Only for names Clock itself lacks: the dates answer them. ("dates"
        # itself is missing only while copying or unpickling.)
        if name == "dates":
            raise AttributeError(name)
        return getattr(self.dates, name)


def request_clock(request: DeletionRequest, *, today: date | None = None) -> Clock | None:
    """The deadline once the request was submitted; None before."""
    request_dates = dates.request_dates(request)
    if request_dates is None:
        return None
    days_left = request_dates.days_left(today or timezone.localdate())
    if request_dates.paused:
        # UK: no time runs until the member gives the ID LinkedIn asked for.
        return Clock(dates=request_dates, days_left=days_left, words=_("paused until you give the proof of identity"))
    return Clock(dates=request_dates, days_left=days_left, words=days_in_words(days_left))


@dataclass(frozen=True)
class Milestone:
    kind: str  # created, submitted, deadline, extended_deadline, answered, today
    label: str
    day: date | None
    state: str  # "done", "today", "upcoming" or "missed"


def request_milestones(request: DeletionRequest, *, today: date | None = None) -> list[Milestone]:
    """The request's clock as a row of milestones with today placed among
    them: created, sent, deadline, extended deadline, answer."""
    today = today or timezone.localdate()
    clock = request_clock(request, today=today)
    points: list[tuple[str, str, date | None]] = [
        ("created", _("Created"), request.created_at.date()),
        ("submitted", _("Sent to LinkedIn"), request.submitted_on),
    ]
    if clock and not clock.paused:
        points.append(("deadline", _("Deadline"), clock.due_on))
        if clock.extended_due_on:
            points.append(("extended_deadline", _("Extended deadline"), clock.extended_due_on))
    if request.answered_on:
        points.append(("answered", _("LinkedIn answered"), request.answered_on))
    milestones: list[Milestone] = []
    today_mark = Milestone("today", _("Today"), today, "today")
    for kind, label, day in points:
        if today_mark not in milestones and (day is None or day > today):
            milestones.append(today_mark)
        if day is None or day > today:
            state = "upcoming"
        elif kind in ("deadline", "extended_deadline") and request.answered_on is None and day < today:
            state = "missed"
        else:
            state = "done"
        milestones.append(Milestone(kind, label, day, state))
    if today_mark not in milestones:
        milestones.append(today_mark)
    return milestones


@dataclass(frozen=True)
class LawOverview:
    """One row of the /laws/ page: a regime as LinkedOut believes it."""

    regime: jurisdictions.Regime
    places: list[str]
    authorities: tuple[jurisdictions.Authority, ...]
    adds_member_authority: bool


def law_overview() -> list[LawOverview]:
    """Every regime of the data file with the places it covers, in the active
    language, for the page that shows what LinkedOut applies and why."""
    rows = []
    for regime in jurisdictions.REGIMES.values():
        places = sorted(
            (place_name(*place.split("-", 1)) if "-" in place else place_name(place) for place in regime.applies_to),
            key=_collation_key,
        )
        rows.append(
            LawOverview(
                regime=regime,
                places=places,
                authorities=regime.authorities,
                adds_member_authority=jurisdictions.MEMBER_AUTHORITY in regime.authority_keys,
            )
        )
    return rows


def member_authorities_overview() -> list[tuple[str, jurisdictions.Authority]]:
    """Each place's own authority (EU/EEA countries, German Länder), by place name."""
    return sorted(
        (
            (place_name(*place.split("-", 1)) if "-" in place else place_name(place), authority)
            for place, authority in jurisdictions.MEMBER_AUTHORITIES.items()
        ),
        key=lambda row: _collation_key(row[0]),
    )


def _collation_key(name: str) -> str:
    # "Österreich" sorts with the Os, not after Z.
    return unicodedata.normalize("NFKD", name).casefold()
