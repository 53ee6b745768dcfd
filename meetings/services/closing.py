"""After the meeting (R5, R10, R11, R21): closing with the minutes checks,
the MDC follow-up obligation, the chair's evaluation, and who sees minutes."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from casefiles.medical_terms import check_no_medical_terms, find_medical_terms
from casefiles.models import Employee
from consent.types import MeetingType
from smo import audit, permissions
from smo.roles import Role, roles_of

from ..models import ActionPoint, AgendaItem, Decision, FollowUpObligation, Meeting, Participant
from .common import check_version, meeting_for, require_chair

FOLLOW_UP_DAYS = 7  # R5: inform the employee of the outcome within a week


class MinutesWarning(Exception):
    """R11: the minutes of a beleids-/thema-SMT name people or numbers."""

    def __init__(self, found: list[str]):
        super().__init__(found)
        self.found = found


def traceable_names(text: str, organisation) -> list[str]:
    """R11: employee names and personnel numbers of the organisation in text."""
    if not text:
        return []
    lowered = text.lower()
    found: list[str] = []
    for first, last, number in Employee.objects.filter(organisation=organisation).values_list(
        "first_name", "last_name", "personnel_number"
    ):
        for needle in (f"{first} {last}", last if len(last) > 3 else None, number):
            if (
                needle
                and re.search(rf"(?<!\w){re.escape(needle.lower())}(?!\w)", lowered)
                and needle not in found
            ):
                found.append(needle)
    return found


def _case_texts(meeting: Meeting) -> list[str]:
    decisions = Decision.objects.filter(item__meeting=meeting).values_list("text", flat=True)
    actions = ActionPoint.objects.filter(item__meeting=meeting).values_list("what", flat=True)
    return [*decisions, *actions]


@transaction.atomic
def save_theme_minutes(*, user, meeting_id: int, text: str, expected_version: int) -> Meeting:
    meeting = meeting_for(user, meeting_id, lock=True)
    require_chair(user, meeting)
    check_version(meeting, expected_version)
    if meeting.meeting_type != MeetingType.THEME:
        raise ValidationError(_("Alleen een beleids-/thema-SMT heeft een volledig verslag (R10, R11)."))
    meeting.minutes_text = text
    meeting.version += 1
    meeting.save(update_fields=["minutes_text", "version"])
    return meeting


@transaction.atomic
def close_meeting(*, user, meeting_id: int, override_reason: str = "") -> Meeting:
    """Close: case minutes hold only decisions and action points without
    medical terms (R10, R7a); theme minutes name nobody unless the chair
    overrides with a logged reason (R11); after a multidisciplinaire
    consultatie the manager must inform the employee (R5)."""
    meeting = meeting_for(user, meeting_id, lock=True)
    require_chair(user, meeting)
    if meeting.status != Meeting.Status.OPEN:
        raise ValidationError(_("Alleen een lopend overleg kan worden gesloten."))
    flagged = sorted(
        {w for text in _case_texts(meeting) for w in find_medical_terms(text, meeting.organisation)}
    )
    if flagged:
        raise ValidationError(
            _(
                "Het verslag bevat mogelijk medische termen (%(w)s). Pas de besluiten of actiepunten aan (R7a)."
            )
            % {"w": ", ".join(flagged)}
        )
    if meeting.meeting_type == MeetingType.THEME:
        found = traceable_names(meeting.minutes_text, meeting.organisation)
        if found and not override_reason.strip():
            raise MinutesWarning(found)
        if found:
            meeting.minutes_override_reason = override_reason.strip()
            audit.log_access(meeting, actor=user, what="minutes_override")
    now = timezone.now()
    AgendaItem.objects.filter(meeting=meeting, status=AgendaItem.Status.OPEN).update(
        status=AgendaItem.Status.DONE, closed_at=now
    )
    AgendaItem.objects.filter(meeting=meeting, status=AgendaItem.Status.PENDING).update(
        status=AgendaItem.Status.SKIPPED
    )
    if meeting.meeting_type == MeetingType.MULTIDISCIPLINARY:
        _create_follow_ups(meeting, user)
    meeting.status = Meeting.Status.CLOSED
    meeting.closed_at = now
    meeting.version += 1
    meeting.save(update_fields=["status", "closed_at", "version", "minutes_override_reason"])
    return meeting


def _create_follow_ups(meeting: Meeting, chair) -> None:
    due = meeting.date + datetime.timedelta(days=FOLLOW_UP_DAYS)
    for item in meeting.items.filter(kind=AgendaItem.Kind.CASE, status=AgendaItem.Status.DONE).select_related(
        "case__employee"
    ):
        FollowUpObligation.objects.get_or_create(
            meeting=meeting,
            case=item.case,
            defaults={"manager": item.case.employee.manager or chair, "due": due},
        )


@transaction.atomic
def mark_follow_up_done(*, user, obligation_id: int) -> FollowUpObligation:
    obligation = FollowUpObligation.objects.select_for_update().filter(pk=obligation_id, manager=user).first()
    if obligation is None:
        raise PermissionDenied
    if obligation.done_at is None:
        obligation.done_at = timezone.now()
        obligation.save(update_fields=["done_at"])
    return obligation


@transaction.atomic
def record_evaluation(*, user, meeting_id: int, stayed_in_frame: bool, note: str = "") -> Meeting:
    """R21: what kind of meeting was this, and did we stay within its frame?"""
    meeting = meeting_for(user, meeting_id, lock=True)
    require_chair(user, meeting)
    if meeting.status != Meeting.Status.CLOSED:
        raise ValidationError(_("Evalueer het overleg nadat het is gesloten."))
    check_no_medical_terms(note, meeting.organisation)
    meeting.evaluation_stayed_in_frame = stayed_in_frame
    meeting.evaluation_note = note
    meeting.save(update_fields=["evaluation_stayed_in_frame", "evaluation_note"])
    return meeting


@dataclass
class Minutes:
    meeting: Meeting
    items: list[AgendaItem]
    participants: list[Participant]
    full_text: str  # theme meetings only


def minutes_for(user, meeting_id: int) -> Minutes:
    """R10: case minutes of a closed meeting to its participants (all items)
    and to each employee concerned (their own items only); theme minutes to
    the participants and everyone of the organisation (R11)."""
    meeting = (
        Meeting.objects.filter(
            pk=meeting_id, status=Meeting.Status.CLOSED, organisation__in=permissions.organisations_of(user)
        )
        .select_related("organisation")
        .first()
    )
    if meeting is None:
        raise Http404
    items: QuerySet[AgendaItem] = (
        meeting.items.filter(status=AgendaItem.Status.DONE)
        .select_related("case__employee")
        .prefetch_related(
            "decisions", Prefetch("action_points", queryset=ActionPoint.objects.select_related("owner"))
        )
    )
    participant = meeting.participants.filter(user=user).exists()
    if meeting.meeting_type == MeetingType.THEME:
        pass  # freely shareable within the organisation (R11)
    elif not participant:
        items = items.filter(Q(case__employee__user=user))
        if not items.exists():
            raise Http404
    return Minutes(
        meeting=meeting,
        items=list(items),
        participants=list(meeting.participants.select_related("user")),
        full_text=meeting.minutes_text,
    )


def minutes_document_for(user, meeting_id: int):
    """Which minutes document a user may download (R10, R11; issue 6): the
    full minutes for participants, for HR of the organisation (they keep the
    reintegration file) and for theme meetings; for the employee concerned
    only the extract of their own items. Returns (meeting, employee or None
    for the full minutes); Http404 for anyone else."""
    if Role.HR in roles_of(user):
        meeting = (
            Meeting.objects.filter(
                pk=meeting_id,
                status=Meeting.Status.CLOSED,
                organisation__in=permissions.organisations_of(user),
            )
            .select_related("organisation")
            .first()
        )
        if meeting is not None:
            return meeting, None
    minutes = minutes_for(user, meeting_id)
    meeting = minutes.meeting
    if not meeting.is_case_meeting or meeting.participants.filter(user=user).exists():
        return meeting, None
    # Not a participant: minutes_for kept only the user's own items.
    employees = {item.case.employee for item in minutes.items if item.case_id}
    if len(employees) != 1:
        raise Http404
    return meeting, employees.pop()
