"""Does a planned reminder still apply when it is sent? Tasks take ids and
decide again at run time (ENGINEERING.md): the recipient must still take
part or be entitled, and a reminder about a case whose consent was withdrawn
is not sent (R8)."""

from __future__ import annotations

import datetime

from django.utils import timezone

from casefiles import selectors as casefile_selectors
from casefiles import wvp
from casefiles.models import AbsenceCase, Organisation
from consent import services as consent
from consent.services import Reason
from smo import permissions
from smo.roles import Role, roles_of

from ..models import ActionPoint, AgendaItem, FollowUpObligation, Meeting, Reminder
from ..services.actions import action_points_visible_to
from ..services.common import meeting_context
from . import batch
from .common import (
    AGENDA_CASE_KINDS,
    CALENDAR_KINDS,
    CONSENT_REASONS,
    MEETING_KINDS,
    SOON,
    Kind,
    Skip,
    in_employer_scope,
    procedure_evaluation_due,
)


def skip_reason(reminder: Reminder, now: datetime.datetime, facts: batch.Facts | None = None) -> str | None:
    """None when the reminder is to be sent now, else why not. ``facts``:
    what a batch read for all its reminders at once (``batch.load``)."""
    if facts is None:
        facts = batch.load([reminder])
    user = reminder.recipient
    if not user.is_active:
        return Skip.NOT_AUTHORISED
    if not user.email:
        return Skip.NO_EMAIL
    if reminder.kind in MEETING_KINDS:
        return _meeting(reminder, user, now, facts)
    if reminder.kind in AGENDA_CASE_KINDS:
        return _agenda_case(reminder, user, now, facts)
    today = timezone.localdate(now)
    if reminder.kind == Kind.PROCEDURE_EVALUATION:
        return _procedure(reminder, user, today, facts)
    return {
        Kind.ACTION_POINT_DUE: _action_point,
        Kind.FOLLOW_UP_DUE: _follow_up,
        Kind.WVP_MILESTONE: _wvp_milestone,
    }[reminder.kind](reminder, user, today)


def _meeting_state(meeting: Meeting, now) -> str | None:
    if meeting.status == Meeting.Status.CANCELLED:
        return Skip.MEETING_CANCELLED
    if meeting.status != Meeting.Status.PLANNED or meeting.starts_at <= now:
        return Skip.MEETING_PAST
    return None


def _meeting(reminder: Reminder, user, now, facts: batch.Facts) -> str | None:
    meeting = reminder.meeting
    if not facts.is_member(user, meeting.organisation_id):
        return Skip.NOT_AUTHORISED
    participant = facts.is_participant(meeting, user)
    if reminder.kind == Kind.MEETING_CANCELLED:
        # Invited again after all: the planner sends an update instead.
        if participant and meeting.status == Meeting.Status.PLANNED:
            return Skip.SUPERSEDED
        return None
    state = _meeting_state(meeting, now)
    if state is not None:
        return state
    if not participant:
        return Skip.NOT_PARTICIPANT
    if reminder.kind in CALENDAR_KINDS and facts.has_newer_calendar_message(reminder):
        return Skip.SUPERSEDED
    return None


def _agenda_case(reminder: Reminder, user, now, facts: batch.Facts) -> str | None:
    """R6/R8: run the gate again. A withdrawn consent ends the reminder
    (and the reason is recorded for the outbox only, never shown)."""
    meeting = reminder.meeting
    state = _meeting_state(meeting, now)
    if state is not None:
        return state
    item = (
        AgendaItem.objects.filter(pk=reminder.object_id, meeting=meeting, kind=AgendaItem.Kind.CASE)
        .select_related("case__employee")
        .first()
    )
    if item is None:
        return Skip.NO_LONGER_APPLIES
    decision = consent.discussion_permission(case=item.case, meeting=meeting_context(meeting))
    if Reason.CONSENT_WITHDRAWN in decision.reasons:
        return Skip.CONSENT_WITHDRAWN
    employee = item.case.employee
    if reminder.kind == Kind.CONSENT_MISSING:
        if not facts.is_participant(meeting, user):
            return Skip.NOT_PARTICIPANT
        if not permissions.can_view_medical_file(user, employee):
            return Skip.NOT_AUTHORISED
        if decision.allowed or not set(decision.reasons) & CONSENT_REASONS:
            return Skip.NO_LONGER_APPLIES
        return None
    if not in_employer_scope(user, employee.pk):
        return Skip.NOT_AUTHORISED
    if Reason.NO_NOTIFICATION not in decision.reasons:
        return Skip.NO_LONGER_APPLIES
    return None


def _still_due(reminder: Reminder, due: datetime.date, today: datetime.date) -> bool:
    """Same due date as planned; "binnenkort" only while not yet overdue."""
    return due == reminder.object_date and not (reminder.variant == SOON and due < today)


def _action_point(reminder: Reminder, user, today) -> str | None:
    point = ActionPoint.objects.filter(pk=reminder.object_id).first()
    if (
        point is None
        or point.status != ActionPoint.Status.OPEN
        or point.owner_id != user.pk
        or not _still_due(reminder, point.due, today)
    ):
        return Skip.NO_LONGER_APPLIES
    if not action_points_visible_to(user).filter(pk=point.pk).exists():
        return Skip.NOT_AUTHORISED
    return None


def _follow_up(reminder: Reminder, user, today) -> str | None:
    obligation = FollowUpObligation.objects.filter(pk=reminder.object_id).first()
    if (
        obligation is None
        or obligation.done_at is not None
        or obligation.manager_id != user.pk
        or not _still_due(reminder, obligation.due, today)
    ):
        return Skip.NO_LONGER_APPLIES
    return None


def _wvp_milestone(reminder: Reminder, user, today) -> str | None:
    case = casefile_selectors.cases_with_wvp_facts(AbsenceCase.objects.filter(pk=reminder.object_id)).first()
    if case is None or not case.is_open:
        return Skip.NO_LONGER_APPLIES
    if not in_employer_scope(user, case.employee_id):
        return Skip.NOT_AUTHORISED
    still_open = any(
        str(m.step) == reminder.variant and m.due == reminder.object_date and m.status != wvp.Status.DONE
        for m in wvp.milestones(wvp.facts_of(case), today)
    )
    return None if still_open else Skip.NO_LONGER_APPLIES


def _procedure(reminder: Reminder, user, today, facts: batch.Facts) -> str | None:
    organisation = Organisation.objects.filter(pk=reminder.object_id).first()
    if organisation is None or not procedure_evaluation_due(organisation, today):
        return Skip.NO_LONGER_APPLIES
    if Role.HR not in roles_of(user) or not facts.is_member(user, organisation.pk):
        return Skip.NOT_AUTHORISED
    return None
