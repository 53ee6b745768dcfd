"""Shared vocabulary of the reminders: settings, kinds, recipients."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.utils import timezone

from consent.services import Reason
from smo import permissions
from smo.roles import Role, roles_of

from ..models import Meeting, Reminder

Kind = Reminder.Kind
Skip = Reminder.SkipReason

# The iCalendar kinds: each carries the meeting as an .ics (R12).
CALENDAR_KINDS = frozenset({Kind.MEETING_INVITATION, Kind.MEETING_UPDATE, Kind.MEETING_CANCELLED})
MEETING_KINDS = CALENDAR_KINDS | {Kind.MEETING_REMINDER}
# Reminders about a case on a meeting's agenda (R6, R8).
AGENDA_CASE_KINDS = frozenset({Kind.CONSENT_MISSING, Kind.EMPLOYEE_NOT_INFORMED})

# What the bedrijfsarts can resolve by recording a consent (R7/R8). A
# withdrawal is not among them: nobody is asked to obtain consent again.
CONSENT_REASONS = frozenset(
    {Reason.NO_CONSENT, Reason.SCOPE_MEETING_TYPE, Reason.CONSENT_EXPIRED, Reason.PARTICIPANT_NOT_COVERED}
)

CASE_CHECK_DAYS = 7  # consent missing / employee not informed: meetings this close
DUE_SOON_DAYS = 2  # action points and follow-ups: "binnenkort" this close
PROCEDURE_EVALUATION_YEARS = 3  # R21, seed 004
SOON, OVERDUE = "binnenkort", "te_laat"


def reminder_days() -> tuple[int, ...]:
    """Days before a meeting to remind its participants (largest first)."""
    days = getattr(settings, "SMO_MEETING_REMINDER_DAYS", (7, 1))
    return tuple(sorted({int(d) for d in days if int(d) > 0}, reverse=True))


def base_url() -> str:
    return str(getattr(settings, "SMO_BASE_URL", "http://127.0.0.1:8000")).rstrip("/")


def absolute(path: str) -> str:
    return base_url() + path


def is_upcoming(meeting: Meeting, now: datetime.datetime) -> bool:
    return meeting.status == Meeting.Status.PLANNED and meeting.starts_at > now


def managers_of(employee) -> list:
    """The employee's manager: the direct manager when recorded, otherwise
    the managers of the employee's department or a department above it."""
    from guardian.shortcuts import get_users_with_perms

    if employee.manager_id is not None:
        candidates = [employee.manager]
    else:
        candidates, seen, department = [], set(), employee.department
        while department is not None and department.pk not in seen:
            seen.add(department.pk)
            candidates += list(
                get_users_with_perms(
                    department, with_group_users=False, only_with_perms_in=["manage_department"]
                )
            )
            department = department.parent
    result, ids = [], set()
    for user in candidates:
        if user.pk not in ids and user.is_active and Role.LEIDINGGEVENDE in roles_of(user):
            ids.add(user.pk)
            result.append(user)
    return result


def in_employer_scope(user, employee_id: int) -> bool:
    return permissions.employees_in_employer_scope(user).filter(pk=employee_id).exists()


def procedure_evaluation_due(organisation, today: datetime.date) -> bool:
    """R21: never evaluated, or longer than three years ago."""
    last = organisation.procedure_evaluated_on
    if last is None:
        return True
    try:
        limit = today.replace(year=today.year - PROCEDURE_EVALUATION_YEARS)
    except ValueError:  # 29 February
        limit = today.replace(year=today.year - PROCEDURE_EVALUATION_YEARS, day=28)
    return last < limit


def now() -> datetime.datetime:
    return timezone.now()
