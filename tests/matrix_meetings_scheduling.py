"""Permission-matrix entries of the scheduling and agenda pages
(meetings/views/scheduling.py).

The meeting of the matrix: a casus-specifiek SMO of our organisation,
organised and chaired by the manager, with the physician as adviser and the
casemanager as participant, and the employee's case on the agenda.

- "Mijn overleggen" is for every signed-in user (empty without meetings).
- Planning is for organisers (manager, HR, arbeidsdeskundige, R4); others 403.
- A meeting exists only for those who see it (R4): its participants, its
  organiser and HR of the organisation. Everybody else gets 404, the other
  organisation's powerful user included.
- Of those, changing and cancelling is for the organiser or the chair (the
  manager); preparing the agenda also for HR. Others who see it get 403.
"""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils import timezone

from consent.types import MeetingType
from meetings.models import AgendaItem, Meeting, Participant
from meetings.services import agenda, scheduling

from .matrix_support import Entry, logged_in, only, statuses

SEES_IT = ("manager", "hr", "physician", "casemanager")


def meeting_of(c) -> Meeting:
    existing = Meeting.objects.filter(organisation=c.organisation, title="SMT Verpleging").first()
    if existing is not None:
        return existing
    manager = c.users["manager"]
    meeting = scheduling.schedule_meeting(
        user=manager,
        organisation=c.organisation,
        data=scheduling.MeetingData(
            meeting_type=MeetingType.CASE_SMO,
            title="SMT Verpleging",
            starts_at=timezone.now() + datetime.timedelta(days=7),
            location="Kamer 2.14",
        ),
        chair=manager,
        invitees=[
            scheduling.Invitee(c.users["physician"], Participant.Role.ADVISER),
            scheduling.Invitee(c.users["casemanager"], Participant.Role.PARTICIPANT),
        ],
    )
    agenda.add_case_item(user=manager, meeting_id=meeting.pk, case_id=c.case.pk)
    return meeting


def discussed_item(c) -> AgendaItem:
    """An item already discussed: removing it is refused (a message), so
    every role's answer is the same whichever role asks first."""
    item = meeting_of(c).items.get()
    item.status = AgendaItem.Status.DONE
    item.save(update_fields=["status"])
    return item


def meeting_page(status: int = 200, **overrides: int) -> dict[str, int]:
    """``status`` for everyone who sees the meeting, 404 for the rest."""
    return statuses(404, **{"anonymous": 302, **dict.fromkeys(SEES_IT, status), **overrides})


def _url(name: str):
    return lambda c: reverse(name, args=[meeting_of(c).pk])


ENTRIES: dict[str, Entry] = {
    "meeting_list": Entry(lambda c: reverse("meeting_list"), logged_in(200)),
    "meeting_create": Entry(
        lambda c: reverse("meeting_create"),
        only(("manager", "other_manager", "hr", "arbeidsdeskundige", "other_org_user")),
    ),
    "meeting_detail": Entry(_url("meeting_detail"), meeting_page()),
    # The organiser and chair only; HR and the other participants see it (403).
    "meeting_edit": Entry(_url("meeting_edit"), meeting_page(403, manager=200)),
    "meeting_cancel": Entry(_url("meeting_cancel"), meeting_page(403, manager=200)),
    # The organiser, the chair and HR prepare the agenda.
    "agenda_add_case": Entry(_url("agenda_add_case"), meeting_page(403, manager=200, hr=200)),
    "agenda_add_topic": Entry(_url("agenda_add_topic"), meeting_page(403, manager=200, hr=200)),
    # POST only; an incomplete order is refused with a message (302 back).
    "agenda_reorder": Entry(_url("agenda_reorder"), meeting_page(403, manager=302, hr=302), method="post"),
    "agenda_remove": Entry(
        lambda c: reverse("agenda_remove", args=[discussed_item(c).pk]),
        meeting_page(403, manager=302, hr=302),
        method="post",
    ),
}
