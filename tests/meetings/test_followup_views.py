"""After the meeting: the minutes (R10, R11), the action points with their
status (R22, optimistic locking) and the manager's R5 follow-ups."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from consent.types import MeetingType
from meetings.models import ActionPoint, AgendaItem, Decision, FollowUpObligation, Meeting
from meetings.services import agenda, closing, running

from ..factories import AbsenceCaseFactory
from .conftest import allow, schedule

pytestmark = pytest.mark.django_db

HX = {"HX-Request": "true"}
TODAY = timezone.localdate()
STALE = "Iemand anders heeft dit actiepunt intussen gewijzigd"


def url(name, *args):
    return reverse(name, args=args)


def closed_meeting(cast, invitees=(("physician", "adviseur"), ("casemanager", "notulist"))) -> Meeting:
    """A case SMO that discussed the employee's case (through the services)
    and, entered directly, a colleague's case from the other department."""
    meeting = schedule(cast, invitees=invitees)
    manager = cast.users["manager"]
    item = agenda.add_case_item(
        user=manager, meeting_id=meeting.pk, case_id=cast.case.pk, questions="Welke taken kunnen weer?"
    )
    allow(cast, roles=("leidinggevende", "casemanager"))
    running.open_meeting(user=manager, meeting_id=meeting.pk)
    running.confirm_roles(
        user=manager,
        meeting_id=meeting.pk,
        present_user_ids={manager.pk, *(cast.users[r].pk for r, _role in invitees)},
    )
    running.open_item(user=manager, item_id=item.pk)
    running.record_decision(user=manager, item_id=item.pk, text="Start met halve dagen")
    running.add_action_point(
        user=manager,
        item_id=item.pk,
        what="Rooster aanpassen",
        due=meeting.date + datetime.timedelta(days=14),
        type=ActionPoint.Type.WORK_ADAPTATION,
        owner=cast.users["employee_concerned"],
    )
    colleague_case = cast.other_employee_record.absence_cases.get()
    other = AgendaItem.objects.create(
        meeting=meeting, kind=AgendaItem.Kind.CASE, case=colleague_case, status=AgendaItem.Status.DONE
    )
    Decision.objects.create(item=other, text="Collega: contact over werkplek", created_by=manager)
    closing.close_meeting(user=manager, meeting_id=meeting.pk)
    return meeting


# --- minutes (R10, R11) -------------------------------------------------------------------


def test_R10_minutes_hold_decisions_and_action_points_only(cast):
    meeting = closed_meeting(cast)
    response = cast.client("casemanager").get(url("meeting_minutes_view", meeting.pk))
    assert response.status_code == 200
    text = response.text
    assert "Vertrouwelijk" in text
    assert "Start met halve dagen" in text and "Rooster aanpassen" in text and "Werkaanpassing" in text
    assert "Collega: contact over werkplek" in text  # participants see every item
    assert "Notulist" in text and "Voorzitter" in text  # participants with their roles
    # Never what was said (the shareable summary), nor the questions.
    assert "Mantelzorg" not in text and "Wat gedeeld mag worden" not in text
    assert "Welke taken kunnen weer?" not in text


def test_R10_the_employee_concerned_sees_only_their_own_items(cast):
    meeting = closed_meeting(cast)
    response = cast.client("employee_concerned").get(url("meeting_minutes_view", meeting.pk))
    assert response.status_code == 200
    assert "Start met halve dagen" in response.text
    assert "Collega" not in response.text and cast.other_employee_record.full_name not in response.text
    response = cast.client("other_employee").get(url("meeting_minutes_view", meeting.pk))
    assert response.status_code == 200
    assert "Collega: contact over werkplek" in response.text and "Start met halve dagen" not in response.text


def test_R10_minutes_do_not_exist_for_non_participants(cast):
    meeting = closed_meeting(cast)
    # HR plans every meeting of the organisation but did not take part in this one.
    for role in ("hr", "other_manager", "arbeidsdeskundige", "privacy_officer", "admin", "other_org_user"):
        assert cast.client(role).get(url("meeting_minutes_view", meeting.pk)).status_code == 404, role
    assert cast.client("anonymous").get(url("meeting_minutes_view", meeting.pk)).status_code == 302


def test_minutes_of_a_meeting_that_is_not_closed_do_not_exist_yet(cast, meeting):
    assert cast.client("manager").get(url("meeting_minutes_view", meeting.pk)).status_code == 404


def test_R11_theme_minutes_are_shared_in_full_without_the_confidential_mark(cast):
    theme = schedule(
        cast, MeetingType.THEME, invitees=(("hr", "deelnemer"),), title="Thema psychosociale arbeidsbelasting"
    )
    agenda.add_topic_item(user=cast.users["manager"], meeting_id=theme.pk, title="Werkdruk in de zorg")
    running.open_meeting(user=cast.users["manager"], meeting_id=theme.pk)
    theme.refresh_from_db()
    closing.save_theme_minutes(
        user=cast.users["manager"],
        meeting_id=theme.pk,
        text="Werkdruk besproken.",
        expected_version=theme.version,
    )
    closing.close_meeting(user=cast.users["manager"], meeting_id=theme.pk)
    response = cast.client("other_employee").get(url("meeting_minutes_view", theme.pk))
    assert response.status_code == 200
    assert "Werkdruk besproken." in response.text and "Vertrouwelijk</strong>" not in response.text
    assert cast.client("other_org_user").get(url("meeting_minutes_view", theme.pk)).status_code == 404


# --- action points ---------------------------------------------------------------------------


def point(cast, meeting, *, owner, case=None, due_days=14, what="Actie") -> ActionPoint:
    item = meeting.items.filter(case=case or cast.case).first() or meeting.items.first()
    return ActionPoint.objects.create(
        item=item,
        case=case or cast.case,
        what=what,
        owner=owner,
        owner_label="" if owner else "Teamleider",
        due=TODAY + datetime.timedelta(days=due_days),
        created_by=cast.users["manager"],
    )


def listing(cast, role, scope=None) -> str:
    response = cast.client(role).get(url("action_point_list"), {"selectie": scope} if scope else {})
    assert response.status_code == 200
    return response.text


def test_action_point_tabs_mine_department_and_overdue(cast):
    meeting = closed_meeting(cast)
    colleague_case = cast.other_employee_record.absence_cases.get()
    point(cast, meeting, owner=cast.users["manager"], what="Gesprek plannen")
    point(cast, meeting, owner=cast.users["casemanager"], what="Werkplekbezoek", due_days=-3)
    point(cast, meeting, owner=cast.users["casemanager"], case=colleague_case, what="Collega bellen")

    mine = listing(cast, "manager")
    assert "Gesprek plannen" in mine and "Werkplekbezoek" not in mine
    assert "Mijn afdeling" in mine
    department = listing(cast, "manager", "department")
    assert (
        "Gesprek plannen" in department
        and "Werkplekbezoek" in department
        and "Rooster aanpassen" in department
    )
    assert "Collega bellen" not in department  # another department's employee
    overdue = listing(cast, "casemanager", "overdue")
    assert "Werkplekbezoek" in overdue and "te laat" in overdue and "Collega bellen" not in overdue
    # The employee's own action point; no department tab for an employee.
    own = listing(cast, "employee_concerned")
    assert "Rooster aanpassen" in own and "Mijn afdeling" not in own
    assert "Gesprek plannen" not in listing(cast, "other_manager", "department")


def test_action_point_list_costs_a_constant_number_of_queries(cast):
    meeting = closed_meeting(cast)
    client = cast.client("manager")
    client.get(url("action_point_list"), {"selectie": "department"})

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url("action_point_list"), {"selectie": "department"}).status_code == 200
        return len(queries)

    few = count()
    for n in range(20):
        point(cast, meeting, owner=cast.users["manager"], what=f"Actie {n}")
    assert count() == few


def test_status_change_with_version_and_conflict(cast):
    meeting = closed_meeting(cast)
    action = point(cast, meeting, owner=cast.users["manager"], what="Gesprek plannen")
    client = cast.client("manager")
    data = {"status": "gedaan", "version": action.version, "selectie": "mine"}
    response = client.post(url("action_point_status", action.pk), data)
    assert response.status_code == 302 and response["Location"].startswith(url("action_point_list"))
    action.refresh_from_db()
    assert action.status == "gedaan" and action.done_at is not None and action.version == 2

    # Somebody else changed it meanwhile: 409 and the current state.
    stale = {"status": "open", "version": 1, "selectie": "mine"}
    response = client.post(url("action_point_status", action.pk), stale)
    assert response.status_code == 409 and STALE in response.text and "<html" in response.text
    response = client.post(url("action_point_status", action.pk), stale, headers=HX)
    assert response.status_code == 409 and STALE in response.text
    assert response.text.startswith(f'<tr id="actiepunt-{action.pk}"')
    assert 'value="gedaan" selected' in response.text
    action.refresh_from_db()
    assert action.status == "gedaan"

    response = client.post(
        url("action_point_status", action.pk), {"status": "open", "version": 2}, headers=HX
    )
    assert response.status_code == 200 and "Opgeslagen." in response.text
    action.refresh_from_db()
    assert action.status == "open" and action.done_at is None


def test_status_change_is_for_who_may_change_it(cast):
    meeting = closed_meeting(cast)
    action = point(cast, meeting, owner=cast.users["manager"], what="Gesprek plannen")
    data = {"status": "vervallen"}
    # Sees it (took part) but neither owns nor created it, nor is employer: 403.
    assert cast.client("casemanager").post(url("action_point_status", action.pk), data).status_code == 403
    # Does not see it at all: 404.
    for role in ("other_manager", "arbeidsdeskundige", "other_org_user"):
        assert cast.client(role).post(url("action_point_status", action.pk), data).status_code == 404, role
    # The employer side of the employee may (HR of the organisation).
    assert cast.client("hr").post(url("action_point_status", action.pk), data).status_code == 302
    assert cast.client("manager").get(url("action_point_status", action.pk)).status_code == 405


# --- R5 follow-ups ------------------------------------------------------------------------------


def test_R5_open_follow_ups_are_listed_and_marked_done(cast):
    mdc = schedule(cast, MeetingType.MULTIDISCIPLINARY, title="MDC")
    item = agenda.add_case_item(user=cast.users["manager"], meeting_id=mdc.pk, case_id=cast.case.pk)
    allow(cast, MeetingType.MULTIDISCIPLINARY)
    running.open_meeting(user=cast.users["manager"], meeting_id=mdc.pk)
    running.confirm_roles(
        user=cast.users["manager"],
        meeting_id=mdc.pk,
        present_user_ids={cast.users[r].pk for r in ("manager", "physician", "hr")},
    )
    running.open_item(user=cast.users["manager"], item_id=item.pk)
    closing.close_meeting(user=cast.users["manager"], meeting_id=mdc.pk)
    obligation = FollowUpObligation.objects.get()

    text = listing(cast, "manager")
    assert "Uitkomst terugkoppelen aan de medewerker (R5)" in text and "Canary Pietersen" in text
    assert url("follow_up_done", obligation.pk) in text
    assert "Uitkomst terugkoppelen" not in listing(cast, "hr")

    for role in ("hr", "other_manager", "employee_concerned", "physician"):
        assert cast.client(role).post(url("follow_up_done", obligation.pk)).status_code == 404, role
    response = cast.client("manager").post(url("follow_up_done", obligation.pk), headers=HX)
    assert response.status_code == 200 and response.text.startswith(
        '<section class="card" id="terugkoppelingen"'
    )
    assert "Geen open terugkoppelingen." in response.text
    obligation.refresh_from_db()
    assert obligation.done_at is not None
    # Marking again changes nothing; a browser is sent back to the list.
    response = cast.client("manager").post(url("follow_up_done", obligation.pk))
    assert response.status_code == 302 and response["Location"] == url("action_point_list")
    assert "Uitkomst terugkoppelen" not in listing(cast, "manager")


def test_follow_up_of_a_case_in_another_organisation_does_not_exist(cast):
    other_case = AbsenceCaseFactory(employee__organisation=cast.other_organisation)
    theirs = schedule(cast, title="Ander overleg")
    obligation = FollowUpObligation.objects.create(
        meeting=theirs, case=other_case, manager=cast.users["other_org_user"], due=TODAY
    )
    assert cast.client("manager").post(url("follow_up_done", obligation.pk)).status_code == 404
