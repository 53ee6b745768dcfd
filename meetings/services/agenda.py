"""The agenda (R1, R3, R20): case items with the manager's questions,
general items in an SRO, theme items in a beleids-/thema-SMT; the R8 status
of each case item; cases proposed by their WVP milestones."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from casefiles import medical, selectors, wvp
from casefiles.medical_terms import check_no_medical_terms
from casefiles.models import AbsenceCase
from consent import services as consent
from consent.types import MeetingType
from smo import permissions
from smo.roles import Role, roles_of

from ..models import AgendaItem, Meeting, Participant
from .common import meeting_context, meeting_for, participant_role

PROPOSE_AFTER_DAYS = 21  # R20: milestones up to three weeks after the meeting


# R1: which meeting types take topic items, and which kind.
TOPIC_KINDS = {MeetingType.SRO: AgendaItem.Kind.GENERAL, MeetingType.THEME: AgendaItem.Kind.THEME}


def may_prepare(user, meeting: Meeting) -> bool:
    """The organiser, the chair or HR of the organisation prepares the agenda."""
    if meeting.created_by_id == user.pk:
        return True
    if participant_role(user, meeting) == Participant.Role.CHAIR:
        return True
    return Role.HR in roles_of(user) and meeting.organisation_id in permissions.organisation_ids(user)


def _require_preparer(user, meeting: Meeting) -> None:
    if not may_prepare(user, meeting):
        raise PermissionDenied


def cases_to_bring_in(user, meeting: Meeting):
    """Open cases of the user's own employees (the employer side) in the
    meeting's organisation, not yet on its agenda."""
    return (
        permissions.cases_in_reintegration_scope(user)
        .filter(
            employee__in=permissions.employees_in_employer_scope(user),
            employee__organisation=meeting.organisation,
            end_date__isnull=True,
        )
        .exclude(agenda_items__meeting=meeting)
    )


def _require_planned(meeting: Meeting) -> None:
    if meeting.status not in {Meeting.Status.PLANNED, Meeting.Status.OPEN}:
        raise ValidationError(_("De agenda van een gesloten of geannuleerd overleg ligt vast."))


def _next_position(meeting: Meeting) -> int:
    return (meeting.items.aggregate(m=Max("position"))["m"] or 0) + 1


@transaction.atomic
def add_case_item(*, user, meeting_id: int, case_id: int, questions: str = "") -> AgendaItem:
    meeting = meeting_for(user, meeting_id, lock=True)
    # Any participant brings in cases of their own employees (in an SRO the
    # managers bring them in); the organiser, chair and HR prepare as well.
    if not meeting.participants.filter(user=user).exists():
        _require_preparer(user, meeting)
    _require_planned(meeting)
    if not meeting.is_case_meeting:
        raise ValidationError(_("In een beleids-/thema-SMT worden geen individuele casussen besproken (R1)."))
    if meeting.items.filter(case_id=case_id).exists():
        raise ValidationError(_("Deze casus staat al op de agenda."))
    case = (
        cases_to_bring_in(user, meeting).select_related("employee__organisation").filter(pk=case_id).first()
    )
    if case is None:
        raise ValidationError(
            _("U kunt alleen casussen inbrengen van medewerkers voor wie u verantwoordelijk bent.")
        )
    if meeting.meeting_type == MeetingType.SMO_WITH_EMPLOYEE:
        _check_smo_with_employee(meeting, case)
    check_no_medical_terms(questions, meeting.organisation)
    return AgendaItem.objects.create(
        meeting=meeting,
        kind=AgendaItem.Kind.CASE,
        case=case,
        questions=questions,
        position=_next_position(meeting),
    )


def _check_smo_with_employee(meeting: Meeting, case: AbsenceCase) -> None:
    """R3: exactly one case; the employee takes part; a recent consultation."""
    if meeting.items.filter(kind=AgendaItem.Kind.CASE).exists():
        raise ValidationError(_("Een SMO met medewerker bespreekt precies één casus (R3)."))
    employee = case.employee
    if employee.user_id is None or not meeting.participants.filter(user_id=employee.user_id).exists():
        raise ValidationError(_("De medewerker moet deelnemer zijn van een SMO met medewerker (R3)."))
    last = medical.last_consultation_date(employee)
    weeks = employee.organisation.consultation_recency_weeks
    if last is None or last < meeting.date - datetime.timedelta(weeks=weeks) or last > meeting.date:
        raise ValidationError(
            _("Een SMO met medewerker vereist een spreekuurcontact in de %(weeks)s weken ervoor (R3).")
            % {"weeks": weeks}
        )


@transaction.atomic
def add_topic_item(*, user, meeting_id: int, title: str) -> AgendaItem:
    """General items (statistics, themes) in an SRO; theme items in a
    beleids-/thema-SMT (R1). Titles never name an individual (checked)."""
    meeting = meeting_for(user, meeting_id, lock=True)
    _require_preparer(user, meeting)
    _require_planned(meeting)
    kind = TOPIC_KINDS.get(meeting.meeting_type)
    if kind is None:
        raise ValidationError(_("Dit soort overleg heeft alleen casussen op de agenda."))
    if not title.strip():
        raise ValidationError(_("Geef het onderwerp op."))
    check_no_medical_terms(title, meeting.organisation)
    return AgendaItem.objects.create(
        meeting=meeting, kind=kind, title=title, position=_next_position(meeting)
    )


@transaction.atomic
def reorder(*, user, meeting_id: int, item_ids: list[int]) -> None:
    meeting = meeting_for(user, meeting_id, lock=True)
    _require_preparer(user, meeting)
    items = {i.pk: i for i in meeting.items.all()}
    if set(item_ids) != set(items):
        raise ValidationError(_("De nieuwe volgorde moet alle agendapunten bevatten."))
    for position, pk in enumerate(item_ids, start=1):
        items[pk].position = position
    AgendaItem.objects.bulk_update(items.values(), ["position"])


@transaction.atomic
def remove_item(*, user, item_id: int) -> None:
    item = AgendaItem.objects.select_related("meeting").filter(pk=item_id).first()
    if item is None:
        raise ValidationError(_("Dit agendapunt bestaat niet meer."))
    meeting = meeting_for(user, item.meeting_id, lock=True)
    _require_preparer(user, meeting)
    if item.status != AgendaItem.Status.PENDING:
        raise ValidationError(_("Een besproken agendapunt blijft op de agenda."))
    item.delete()


@dataclass(frozen=True)
class ItemReadiness:
    item: AgendaItem
    decision: consent.Decision | None  # None for topic items

    @property
    def ready(self) -> bool:
        return self.decision is None or self.decision.allowed


def readiness(meeting: Meeting) -> list[ItemReadiness]:
    """R8 status of every item, for preparing (shown as ready / not available
    plus what to do next — never why a consent ended)."""
    context = meeting_context(meeting)
    items = list(meeting.items.select_related("case__employee__department"))
    consent.load_gate_records([item.case for item in items if item.case_id])
    return [
        ItemReadiness(
            item, consent.discussion_permission(case=item.case, meeting=context) if item.case_id else None
        )
        for item in items
    ]


def proposed_cases(user, meeting: Meeting) -> list[tuple[AbsenceCase, wvp.Milestone]]:
    """R20: open cases of the user's employees whose next WVP milestone falls
    before or soon after the meeting, not yet on its agenda."""
    if not meeting.is_case_meeting:
        return []
    cases = selectors.cases_with_wvp_facts(
        permissions.cases_in_reintegration_scope(user).filter(
            end_date__isnull=True,
            employee__in=permissions.employees_in_employer_scope(user),
            employee__organisation=meeting.organisation,
        )
    ).exclude(agenda_items__meeting=meeting)
    horizon = meeting.date + datetime.timedelta(days=PROPOSE_AFTER_DAYS)
    proposals = []
    for case in cases.select_related("employee"):
        milestone = wvp.next_milestone(wvp.facts_of(case), meeting.date)
        if milestone is not None and milestone.due <= horizon:
            proposals.append((case, milestone))
    return sorted(proposals, key=lambda pair: pair[1].due)
