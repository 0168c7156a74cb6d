"""The request's deadlines as an iCalendar file. UIDs are stable per request
and kind, so downloading the file again updates the events instead of
adding copies."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from django.utils import timezone, translation
from django.utils.translation import gettext as _
from icalendar import Alarm, Calendar, Event

from . import dates, jurisdictions

if TYPE_CHECKING:
    from .models import DeletionRequest

UID_DOMAIN = "linkedout"


def deadlines_calendar(request: DeletionRequest, *, link: str) -> bytes:
    regime = jurisdictions.regime_by_code(request.regime_code)
    with translation.override(request.language):
        titles = {
            "deadline": _("LinkedIn must answer your request %(reference)s"),
            "extended_deadline": _("Extended deadline: LinkedIn must answer your request %(reference)s"),
            "escalation": _("No answer from LinkedIn? Complain to the authority (%(reference)s)"),
        }
        if regime.deadline_is_ours:
            titles["deadline"] = _("Date we suggested for LinkedIn's answer to %(reference)s (no legal deadline)")
        elif regime.deadline_unverified:
            titles["deadline"] = _("LinkedIn should answer your request %(reference)s (period not verified)")
        calendar = Calendar()
        calendar.add("prodid", "-//LinkedOut//Deadlines//EN")
        calendar.add("version", "2.0")
        calendar.add("method", "PUBLISH")
        for kind, day in dates.calendar_dates(request).items():
            event = Event()
            event.add("uid", f"{request.reference}-{kind}@{UID_DOMAIN}")
            event.add("summary", titles[kind] % {"reference": request.reference})
            event.add("dtstart", day)
            event.add("dtend", day + timedelta(days=1))
            event.add("dtstamp", timezone.now())
            event.add("description", _("Your request: %(link)s") % {"link": link})
            alarm = Alarm()
            alarm.add("action", "DISPLAY")
            alarm.add("description", titles[kind] % {"reference": request.reference})
            alarm.add("trigger", timedelta(days=-1))
            event.add_component(alarm)
            calendar.add_component(event)
    return calendar.to_ical()
