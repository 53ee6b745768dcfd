"""iCalendar (RFC 5545) for meetings, built with the maintained
``icalendar`` library: the email attachment (METHOD:REQUEST, or CANCEL with
STATUS:CANCELLED) and the personal feed carry the same event.

R12: an event names the meeting type, the organisation, the time, the place
and a link. Never the meeting's title (it may name someone), the agenda, the
participants or anything of a case.
"""

from __future__ import annotations

import datetime
from email.utils import parseaddr

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Alarm, Calendar, Event, vCalAddress, vText

from ..models import Meeting
from .common import absolute

PRODID = "-//SMO-platform//Overleggen//NL"
ALARM_BEFORE = datetime.timedelta(minutes=15)
REQUEST, CANCEL = "REQUEST", "CANCEL"


def uid(meeting: Meeting) -> str:
    """Stable per meeting: updates and cancellations replace the entry."""
    return f"meeting-{meeting.pk}@smo-platform"


def summary(meeting: Meeting) -> str:
    return _("Overleg: %(type)s (%(organisation)s)") % {
        "type": meeting.get_meeting_type_display(),
        "organisation": meeting.organisation.name,
    }


def meeting_url(meeting: Meeting) -> str:
    return absolute(reverse("meeting_detail", args=[meeting.pk]))


def _utc(value: datetime.datetime) -> datetime.datetime:
    return value.astimezone(datetime.UTC)


def event(meeting: Meeting, *, cancelled: bool = False, attendee_email: str | None = None) -> Event:
    url = meeting_url(meeting)
    description = [_("Overleg in het SMO-platform. Agenda en deelnemers ziet u na inloggen:"), url]
    if meeting.video_link:
        description += ["", _("Videolink: %(link)s") % {"link": meeting.video_link}]
    entry = Event()
    entry.add("uid", uid(meeting))
    entry.add("sequence", meeting.version)
    entry.add("dtstamp", _utc(timezone.now()))
    entry.add("dtstart", _utc(meeting.starts_at))
    entry.add("dtend", _utc(meeting.ends_at))
    entry.add("summary", summary(meeting))
    entry.add("description", "\n".join(description))
    location = meeting.location or meeting.video_link
    if location:
        entry.add("location", location)
    entry.add("url", url)
    entry.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    if attendee_email is not None:
        name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
        organizer = vCalAddress(f"mailto:{address or 'noreply@localhost'}")
        organizer.params["cn"] = vText(name or "SMO-platform")
        entry.add("organizer", organizer)
        entry.add("attendee", _attendee(attendee_email))
    if not cancelled:
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", summary(meeting))
        alarm.add("trigger", -ALARM_BEFORE)
        entry.add_component(alarm)
    return entry


def _attendee(attendee_email: str) -> vCalAddress:
    # Only the recipient: the other participants are nobody's business
    # outside the application (an employee may be one of them).
    attendee = vCalAddress(f"mailto:{attendee_email}")
    attendee.params["role"] = vText("REQ-PARTICIPANT")
    attendee.params["partstat"] = vText("NEEDS-ACTION")
    attendee.params["rsvp"] = vText("FALSE")
    return attendee


def _attendee_lines(attendee_email: str) -> bytes:
    """The (folded) ATTENDEE content line of one recipient."""
    entry = Event()
    entry.add("attendee", _attendee(attendee_email))
    lines = entry.to_ical().split(b"\r\n")
    return b"\r\n".join(lines[1:-2]) + b"\r\n"  # without BEGIN:/END:VEVENT


class CalendarTemplate:
    """The .ics of one meeting and method, serialised once for a batch; each
    recipient's copy differs only in its ATTENDEE line (R12: only the
    recipient is named, never the other participants)."""

    PLACEHOLDER = "attendee@placeholder.invalid"

    def __init__(self, meeting: Meeting, *, method: str):
        whole = meeting_calendar(meeting, method=method, attendee_email=self.PLACEHOLDER)
        placeholder = _attendee_lines(self.PLACEHOLDER)
        if whole.count(placeholder) != 1:  # pragma: no cover - icalendar changed its output
            raise ValueError("attendee line not found in the calendar")
        self.head, self.tail = whole.split(placeholder)

    def for_attendee(self, attendee_email: str) -> bytes:
        return self.head + _attendee_lines(attendee_email) + self.tail


def _calendar(method: str | None = None) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    if method:
        calendar.add("method", method)
    return calendar


def meeting_calendar(meeting: Meeting, *, method: str, attendee_email: str) -> bytes:
    """The .ics of an invitation, update or reminder (REQUEST) or of a
    cancellation (CANCEL)."""
    calendar = _calendar(method)
    calendar.add_component(event(meeting, cancelled=method == CANCEL, attendee_email=attendee_email))
    return calendar.to_ical()


def feed_calendar(meetings) -> bytes:
    calendar = _calendar("PUBLISH")
    calendar.add("x-wr-calname", _("SMO-platform: mijn overleggen"))
    for meeting in meetings:
        calendar.add_component(event(meeting))
    return calendar.to_ical()
