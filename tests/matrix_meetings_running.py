"""Permission-matrix entries of the meeting mode, the minutes and the action
points (meetings/views/running.py, meetings/views/followup.py).

The meeting of these entries: a casus-specifiek SMO of our organisation,
chaired by the manager, with the physician as adviser, HR as minute taker
and the casemanager as participant, and the employee's case on the agenda.

- The meeting mode exists only for its participants (R4); everybody else
  gets 404, HR of the organisation included when not taking part.
- Of the participants: opening, confirming roles, taking items and closing
  is the chair's; recording decisions, action points and SRO factors is the
  chair's and the minute taker's; the physician's note is the physician's.
  Other participants get 403. The meeting of the matrix is not running, so
  an allowed POST is refused with a message and a redirect (302).
- Minutes (R10): the participants and the employee concerned; others 404.
- Action points: the list for every signed-in user (scoped); a status
  change for whoever sees the point and may change it (owner, creator,
  employer side), 403 for others who see it, 404 for the rest.
- R5 follow-ups: only the manager whose obligation it is; others 404.
"""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils import timezone

from consent.types import MeetingType
from meetings.models import ActionPoint, AgendaItem, Decision, FollowUpObligation, Meeting, Participant
from meetings.services import agenda, scheduling

from .matrix_support import Entry, logged_in, statuses

PARTICIPANTS = ("manager", "physician", "hr", "casemanager")
TITLE = "SMT Verpleging (vergadermodus)"
CLOSED_TITLE = "SMT Verpleging (gesloten)"


def _schedule(c, title: str) -> Meeting:
    existing = Meeting.objects.filter(organisation=c.organisation, title=title).first()
    if existing is not None:
        return existing
    manager = c.users["manager"]
    meeting = scheduling.schedule_meeting(
        user=manager,
        organisation=c.organisation,
        data=scheduling.MeetingData(
            meeting_type=MeetingType.CASE_SMO,
            title=title,
            starts_at=timezone.now() + datetime.timedelta(days=1),
        ),
        chair=manager,
        invitees=[
            scheduling.Invitee(c.users["physician"], Participant.Role.ADVISER),
            scheduling.Invitee(c.users["hr"], Participant.Role.MINUTE_TAKER),
            scheduling.Invitee(c.users["casemanager"], Participant.Role.PARTICIPANT),
        ],
    )
    agenda.add_case_item(user=manager, meeting_id=meeting.pk, case_id=c.case.pk)
    return meeting


def planned(c) -> Meeting:
    return _schedule(c, TITLE)


def planned_item(c) -> AgendaItem:
    return planned(c).items.get()


def closed(c) -> Meeting:
    """A closed meeting with a decision and an action point (the manager's)."""
    meeting = _schedule(c, CLOSED_TITLE)
    if meeting.status != Meeting.Status.CLOSED:
        item = meeting.items.get()
        AgendaItem.objects.filter(pk=item.pk).update(status=AgendaItem.Status.DONE)
        Decision.objects.create(item=item, text="Gesprek over passende taken", created_by=c.users["manager"])
        ActionPoint.objects.create(
            item=item,
            case=c.case,
            what="Rooster aanpassen",
            owner=c.users["manager"],
            due=timezone.localdate() + datetime.timedelta(days=14),
            created_by=c.users["manager"],
        )
        Meeting.objects.filter(pk=meeting.pk).update(status=Meeting.Status.CLOSED, closed_at=timezone.now())
        meeting.refresh_from_db()
    return meeting


def action_point(c) -> ActionPoint:
    return ActionPoint.objects.get(item__meeting=closed(c))


def follow_up(c) -> FollowUpObligation:
    obligation, _created = FollowUpObligation.objects.get_or_create(
        meeting=closed(c),
        case=c.case,
        defaults={"manager": c.users["manager"], "due": timezone.localdate() + datetime.timedelta(days=7)},
    )
    return obligation


def meeting_page(status: int = 200, **overrides: int) -> dict[str, int]:
    """``status`` for the participants, 404 for everyone else."""
    return statuses(404, **{"anonymous": 302, **dict.fromkeys(PARTICIPANTS, status), **overrides})


def chair_only() -> dict[str, int]:
    return meeting_page(403, manager=302)


def recorders() -> dict[str, int]:
    return meeting_page(403, manager=302, hr=302)


def _meeting_url(name: str, get=planned):
    return lambda c: reverse(name, args=[get(c).pk])


def _item_url(name: str):
    return lambda c: reverse(name, args=[planned_item(c).pk])


TOMORROW = (datetime.date.today() + datetime.timedelta(days=2)).isoformat()

ENTRIES: dict[str, Entry] = {
    # --- meetings/views/running.py -------------------------------------------
    "meeting_run": Entry(_meeting_url("meeting_run"), meeting_page()),
    "meeting_run_state": Entry(_meeting_url("meeting_run_state"), meeting_page()),
    "meeting_open": Entry(_meeting_url("meeting_open"), chair_only(), method="post"),
    "meeting_confirm_roles": Entry(_meeting_url("meeting_confirm_roles"), chair_only(), method="post"),
    "meeting_minutes": Entry(
        _meeting_url("meeting_minutes"), chair_only(), method="post", data={"text": "", "version": 1}
    ),
    "meeting_close": Entry(_meeting_url("meeting_close"), chair_only(), method="post"),
    "meeting_evaluation": Entry(
        _meeting_url("meeting_evaluation"), chair_only(), method="post", data={"stayed_in_frame": "ja"}
    ),
    "item_open": Entry(_item_url("item_open"), chair_only(), method="post"),
    "item_close": Entry(_item_url("item_close"), chair_only(), method="post"),
    "item_decision": Entry(
        _item_url("item_decision"), recorders(), method="post", data={"text": "Afspraak over de taken"}
    ),
    "item_action_point": Entry(
        _item_url("item_action_point"),
        recorders(),
        method="post",
        data={"what": "Rooster bespreken", "owner_label": "Teamleider", "due": TOMORROW, "type": "overig"},
    ),
    "item_sro_factors": Entry(_item_url("item_sro_factors"), recorders(), method="post", data={"version": 1}),
    # The physician's note for the medical file: the physician taking part only.
    "item_physician_note": Entry(
        _item_url("item_physician_note"),
        meeting_page(403, physician=302),
        method="post",
        data={"text": "Eigen aantekening"},
    ),
    # --- meetings/views/followup.py ------------------------------------------
    # R10: the participants, and the employee concerned for their own item.
    "meeting_minutes_view": Entry(
        _meeting_url("meeting_minutes_view", closed), meeting_page(employee_concerned=200)
    ),
    "action_point_list": Entry(lambda c: reverse("action_point_list"), logged_in(200)),
    # Seen by the employee concerned (own case), the participants and the
    # employer side; changed by the owner/creator (manager) and HR.
    "action_point_status": Entry(
        lambda c: reverse("action_point_status", args=[action_point(c).pk]),
        meeting_page(403, manager=302, hr=302, employee_concerned=403),
        method="post",
        data={"status": "gedaan"},
    ),
    "follow_up_done": Entry(
        lambda c: reverse("follow_up_done", args=[follow_up(c).pk]),
        statuses(404, anonymous=302, manager=302),
        method="post",
    ),
}
