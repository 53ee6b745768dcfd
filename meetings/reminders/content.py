"""What a reminder says, in the email and in the app (R12).

Composed when it is shown or sent, from the current state, and only from
what may travel outside the application: the meeting type, the organisation,
date and time, place or video link, and a link into the application. Never
the employee of a case, never a case detail, never a meeting title (it may
name someone), never an action point's text.
"""

from __future__ import annotations

from dataclasses import dataclass
from email.mime.text import MIMEText
from email.utils import make_msgid
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format, time_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from casefiles.models import Organisation

from ..models import Meeting, Reminder
from . import ics
from .common import AGENDA_CASE_KINDS, MEETING_KINDS, OVERDUE, Kind, absolute, base_url

TEMPLATE = "meetings/reminders/email.txt"


@dataclass(frozen=True)
class Message:
    subject: str
    lines: tuple[str, ...]
    link: str
    calendar_method: str | None = None  # REQUEST or CANCEL: an .ics goes with it


def _when(meeting: Meeting) -> str:
    start = timezone.localtime(meeting.starts_at)
    return _("%(date)s om %(time)s") % {
        "date": date_format(start, "j F Y"),
        "time": time_format(start, "H:i"),
    }


def meeting_details(meeting: Meeting) -> list[str]:
    start, end = timezone.localtime(meeting.starts_at), timezone.localtime(meeting.ends_at)
    lines = [
        _("Soort overleg: %(type)s") % {"type": meeting.get_meeting_type_display()},
        _("Organisatie: %(name)s") % {"name": meeting.organisation.name},
        _("Datum: %(date)s") % {"date": date_format(start, "l j F Y")},
        _("Tijd: %(start)s tot %(end)s")
        % {"start": time_format(start, "H:i"), "end": time_format(end, "H:i")},
    ]
    if meeting.location:
        lines.append(_("Locatie: %(place)s") % {"place": meeting.location})
    if meeting.video_link:
        lines.append(_("Videolink: %(link)s") % {"link": meeting.video_link})
    return lines


def _meeting_message(reminder: Reminder) -> Message:
    meeting = reminder.meeting
    label, when = meeting.get_meeting_type_display(), _when(meeting)
    link = ics.meeting_url(meeting)
    details = meeting_details(meeting)
    if reminder.kind == Kind.MEETING_INVITATION:
        subject = _("Uitnodiging: %(type)s op %(when)s") % {"type": label, "when": when}
        intro = _("U bent uitgenodigd voor een overleg.")
        method = ics.REQUEST
    elif reminder.kind == Kind.MEETING_UPDATE:
        subject = _("Gewijzigd: %(type)s op %(when)s") % {"type": label, "when": when}
        intro = _("Een overleg waarvoor u bent uitgenodigd is gewijzigd. Dit zijn de nieuwe gegevens.")
        method = ics.REQUEST
    elif reminder.kind == Kind.MEETING_CANCELLED:
        subject = _("Geannuleerd: %(type)s op %(when)s") % {"type": label, "when": when}
        if meeting.status == Meeting.Status.CANCELLED:
            intro = _("Dit overleg gaat niet door.")
        else:
            intro = _("U staat niet meer op de deelnemerslijst van dit overleg.")
        method = ics.CANCEL
    else:
        days = int(reminder.variant or 0)
        subject = _("Herinnering: %(type)s op %(when)s") % {"type": label, "when": when}
        intro = ngettext(
            "Over %(days)s dag vindt dit overleg plaats.",
            "Over %(days)s dagen vindt dit overleg plaats.",
            days,
        ) % {"days": days}
        method = ics.REQUEST
    lines = (intro, "", *details, "", _("De agenda en de deelnemers ziet u na inloggen:"))
    return Message(subject, lines, link, method)


def _agenda_case_message(reminder: Reminder) -> Message:
    meeting = reminder.meeting
    values = {"type": meeting.get_meeting_type_display(), "when": _when(meeting)}
    if reminder.kind == Kind.CONSENT_MISSING:
        subject = _("Toestemming ontbreekt nog: %(type)s op %(when)s") % values
        intro = _(
            "Voor een casus op de agenda van dit overleg is nog geen toestemming vastgelegd die de "
            "bespreking dekt. Zonder toestemming wordt de casus niet besproken."
        )
    else:
        subject = _("Melding aan medewerker ontbreekt nog: %(type)s op %(when)s") % values
        intro = _(
            "Voor een casus op de agenda van dit overleg is nog niet vastgelegd dat de medewerker over "
            "de bespreking is geïnformeerd. Zonder die melding wordt de casus niet besproken."
        )
    lines = (intro, "", *meeting_details(meeting), "", _("Om welke casus het gaat, ziet u na inloggen:"))
    return Message(subject, lines, ics.meeting_url(meeting))


def _other_message(reminder: Reminder, organisation: Organisation | None = None) -> Message:
    overdue = reminder.variant == OVERDUE
    if reminder.kind == Kind.ACTION_POINT_DUE:
        if overdue:
            subject = _("Actiepunt te laat")
            intro = _("De termijn van een actiepunt dat op uw naam staat is verstreken.")
        else:
            subject = _("Actiepunt verloopt binnenkort")
            intro = _("Een actiepunt dat op uw naam staat moet binnenkort klaar zijn.")
        return Message(
            subject,
            (intro, "", _("Bekijk uw actiepunten na inloggen:")),
            absolute(reverse("action_point_list")),
        )
    if reminder.kind == Kind.FOLLOW_UP_DUE:
        subject = (
            _("Terugkoppeling aan medewerker te laat") if overdue else _("Terugkoppeling aan medewerker")
        )
        intro = _(
            "Na een multidisciplinaire consultatie informeert u de medewerker over de uitkomst. "
            "Dat staat nog open."
        )
        return Message(
            subject, (intro, "", _("Bekijk het na inloggen:")), absolute(reverse("action_point_list"))
        )
    if reminder.kind == Kind.WVP_MILESTONE:
        subject = _("Termijn Wet verbetering poortwachter nadert")
        intro = _(
            "Voor een verzuimgeval in uw team valt binnen twee weken een termijn uit de Wet verbetering "
            "poortwachter."
        )
        return Message(
            subject, (intro, "", _("Bekijk het overzicht na inloggen:")), absolute(reverse("employee_list"))
        )
    organisation = organisation or Organisation.objects.filter(pk=reminder.object_id).first()
    name = organisation.name if organisation else ""
    subject = _("Evaluatie SMO-procedure %(organisation)s") % {"organisation": name}
    intro = _(
        "De SMO-procedure van %(organisation)s is in de afgelopen drie jaar niet geëvalueerd. Evalueer de "
        "procedure en de ondersteunende maatregelen, en leg de datum vast."
    ) % {"organisation": name}
    return Message(subject, (intro, "", _("Meer in het SMO-platform:")), absolute(reverse("my_reminders")))


def describe(reminder: Reminder, *, organisation: Organisation | None = None) -> Message:
    """The private-data-free text of a reminder, in the active language."""
    if reminder.kind in {
        Kind.MEETING_INVITATION,
        Kind.MEETING_UPDATE,
        Kind.MEETING_CANCELLED,
        Kind.MEETING_REMINDER,
    }:
        return _meeting_message(reminder)
    if reminder.kind in {Kind.CONSENT_MISSING, Kind.EMPLOYEE_NOT_INFORMED}:
        return _agenda_case_message(reminder)
    return _other_message(reminder, organisation)


def message_id_domain() -> str:
    """The host of SMO_BASE_URL: a stable domain for Message-IDs, instead of
    whatever name the sending machine has."""
    return urlsplit(base_url()).hostname or "smo-platform"


class Composer:
    """Composes the emails of a batch of reminders. What a reminder says
    depends on its kind, variant and subject only, never on the recipient
    (R12), so each text is rendered once per batch; the .ics differs per
    recipient only in the ATTENDEE line."""

    def __init__(self, connection=None):
        self.connection = connection
        self.domain = message_id_domain()
        self._texts: dict[tuple, tuple[Message, str]] = {}
        self._calendars: dict[tuple, ics.CalendarTemplate] = {}

    def _text(self, reminder: Reminder) -> tuple[Message, str]:
        if reminder.kind in MEETING_KINDS | AGENDA_CASE_KINDS:
            key = (reminder.kind, reminder.variant, reminder.meeting_id)
        else:
            key = (reminder.kind, reminder.variant, reminder.object_id)
        if key not in self._texts:
            message = describe(reminder)
            self._texts[key] = message, render_to_string(TEMPLATE, {"message": message})
        return self._texts[key]

    def _calendar(self, meeting: Meeting, method: str, attendee_email: str) -> bytes:
        key = (meeting.pk, method)
        if key not in self._calendars:
            self._calendars[key] = ics.CalendarTemplate(meeting, method=method)
        return self._calendars[key].for_attendee(attendee_email)

    def email_for(self, reminder: Reminder) -> EmailMessage:
        """The email of a reminder, in Dutch, with the .ics for meeting kinds."""
        with translation.override(settings.LANGUAGE_CODE):
            message, body = self._text(reminder)
            email = EmailMessage(
                subject=message.subject,
                body=body,
                from_email=settings.DEFAULT_FROM_EMAIL,
                to=[reminder.recipient.email],
                headers={
                    "Auto-Submitted": "auto-generated",
                    "X-Auto-Response-Suppress": "All",
                    "Message-ID": make_msgid(domain=self.domain),
                },
                connection=self.connection,
            )
            if message.calendar_method:
                data = self._calendar(reminder.meeting, message.calendar_method, reminder.recipient.email)
                part = MIMEText(data.decode(), "calendar", "utf-8")
                part.set_param("method", message.calendar_method)
                filename = "annulering.ics" if message.calendar_method == ics.CANCEL else "uitnodiging.ics"
                part.add_header("Content-Disposition", "attachment", filename=filename)
                email.attach(part)
        return email


def email_for(reminder: Reminder) -> EmailMessage:
    """The email of one reminder (see :class:`Composer` for a batch)."""
    return Composer().email_for(reminder)
