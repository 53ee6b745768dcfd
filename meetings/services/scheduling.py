"""Scheduling (R2, R4): create, change, cancel meetings and series, and
their participants with stated roles."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from casefiles.models import Department, Membership, Organisation
from consent.types import MeetingType
from smo import permissions
from smo.roles import PHYSICIAN_ROLES, Role, roles_of

from ..models import Meeting, MeetingSeries, Participant
from .closing import traceable_names
from .common import check_version, meeting_for, participant_role

# R4: who organises (initiates) meetings: the employer side; an SRO also the
# arbeidsdeskundige who leads it.
ORGANISER_ROLES = frozenset({Role.LEIDINGGEVENDE, Role.HR, Role.ARBEIDSDESKUNDIGE})

# R4 and the DOMAIN table: which roles may chair which meeting type.
CHAIR_ROLES = {
    MeetingType.CASE_SMO: frozenset({Role.LEIDINGGEVENDE, Role.HR}),
    MeetingType.SMO_WITH_EMPLOYEE: frozenset({Role.LEIDINGGEVENDE, Role.BEDRIJFSARTS, Role.POB}),
    MeetingType.MULTIDISCIPLINARY: frozenset({Role.LEIDINGGEVENDE}),
    MeetingType.SRO: frozenset({Role.ARBEIDSDESKUNDIGE}),
    MeetingType.THEME: frozenset({Role.LEIDINGGEVENDE, Role.HR}),
}


@dataclass(frozen=True)
class Invitee:
    user: object
    role: str  # Participant.Role


@dataclass(frozen=True)
class MeetingData:
    meeting_type: str
    title: str
    starts_at: datetime.datetime
    duration_minutes: int = 60
    location: str = ""
    video_link: str = ""
    department_ids: tuple[int, ...] = ()


def _check_organiser(user, organisation: Organisation) -> None:
    if (
        not roles_of(user) & ORGANISER_ROLES
        or not permissions.organisations_of(user).filter(pk=organisation.pk).exists()
    ):
        raise PermissionDenied


def validate_circle(meeting_type: str, organisation: Organisation, chair, invitees: list[Invitee]) -> None:
    """R2 (no physician in an SRO), R4 (one chair with a fitting role, every
    participant a member of the organisation with a stated role)."""
    errors: list[str] = []
    people = [Invitee(chair, Participant.Role.CHAIR), *[i for i in invitees if i.user != chair]]
    if any(i.role == Participant.Role.CHAIR for i in invitees if i.user != chair):
        errors.append(_("Een overleg heeft precies één voorzitter (R4)."))
    if not roles_of(chair) & CHAIR_ROLES[meeting_type]:
        errors.append(_("Deze persoon kan dit soort overleg niet voorzitten (R4)."))
    members = set(
        Membership.objects.filter(organisation=organisation, user__in=[i.user for i in people]).values_list(
            "user_id", flat=True
        )
    )
    if any(i.user.pk not in members for i in people):
        errors.append(_("Alle deelnemers moeten bij deze organisatie horen."))
    if meeting_type == MeetingType.SRO and any(roles_of(i.user) & PHYSICIAN_ROLES for i in people):
        errors.append(_("In een SRO neemt geen bedrijfsarts of POB deel, ook niet als gast (R2)."))
    if len({i.user.pk for i in people}) != len(people):
        errors.append(_("Iedere deelnemer staat één keer op de lijst."))
    if errors:
        raise ValidationError(errors)


def check_outside_texts(organisation: Organisation, data: MeetingData) -> None:
    """R12: the title and location travel outside the application (invitations,
    reminders, calendar entries), so they must not name an employee of the
    organisation nor a personnel number."""
    errors = {}
    for field in ("title", "location"):
        found = traceable_names(getattr(data, field), organisation)
        if found:
            errors[field] = [
                _(
                    "Deze tekst komt in uitnodigingen, herinneringen en agenda's en noemt %(found)s: "
                    "noem geen medewerker en geen personeelsnummer (R12)."
                )
                % {"found": ", ".join(found)}
            ]
    if errors:
        raise ValidationError(errors)


def _departments(organisation: Organisation, ids) -> list[Department]:
    departments = list(Department.objects.filter(organisation=organisation, pk__in=ids))
    if len(departments) != len(set(ids)):
        raise ValidationError({"department_ids": [_("Kies afdelingen van deze organisatie.")]})
    return departments


@transaction.atomic
def schedule_meeting(
    *, user, organisation: Organisation, data: MeetingData, chair, invitees: list[Invitee], series=None
) -> Meeting:
    _check_organiser(user, organisation)
    check_outside_texts(organisation, data)
    validate_circle(data.meeting_type, organisation, chair, invitees)
    meeting = Meeting.objects.create(
        organisation=organisation,
        meeting_type=data.meeting_type,
        title=data.title,
        starts_at=data.starts_at,
        duration_minutes=data.duration_minutes,
        location=data.location,
        video_link=data.video_link,
        series=series,
        created_by=user,
    )
    meeting.departments.set(_departments(organisation, data.department_ids))
    Participant.objects.create(meeting=meeting, user=chair, role=Participant.Role.CHAIR)
    Participant.objects.bulk_create(
        Participant(meeting=meeting, user=i.user, role=i.role) for i in invitees if i.user != chair
    )
    return meeting


@transaction.atomic
def schedule_series(
    *,
    user,
    organisation: Organisation,
    data: MeetingData,
    chair,
    invitees: list[Invitee],
    interval_weeks: int,
    count: int,
) -> MeetingSeries:
    """A recurring meeting (e.g. an SMT every 6 weeks; 2x SRO + 2x SMT a year)."""
    if not 1 <= interval_weeks <= 52 or not 2 <= count <= 52:
        raise ValidationError(_("Kies een interval van 1 tot 52 weken en 2 tot 52 overleggen."))
    series = MeetingSeries.objects.create(
        organisation=organisation,
        meeting_type=data.meeting_type,
        title=data.title,
        interval_weeks=interval_weeks,
    )
    for n in range(count):
        starts = data.starts_at + datetime.timedelta(weeks=interval_weeks * n)
        one = MeetingData(**{**data.__dict__, "starts_at": starts})
        schedule_meeting(
            user=user, organisation=organisation, data=one, chair=chair, invitees=invitees, series=series
        )
    return series


def may_change(user, meeting: Meeting) -> bool:
    """The organiser or the chair changes or cancels a meeting."""
    return meeting.created_by_id == user.pk or participant_role(user, meeting) == Participant.Role.CHAIR


def _require_change(user, meeting: Meeting) -> None:
    if not may_change(user, meeting):
        raise PermissionDenied


@transaction.atomic
def update_meeting(
    *, user, meeting_id: int, expected_version: int, data: MeetingData, chair, invitees
) -> Meeting:
    meeting = meeting_for(user, meeting_id, lock=True)
    _require_change(user, meeting)
    check_version(meeting, expected_version)
    if meeting.status != Meeting.Status.PLANNED:
        raise ValidationError(_("Alleen een gepland overleg kan nog worden gewijzigd."))
    if data.meeting_type != meeting.meeting_type and meeting.items.exists():
        raise ValidationError(_("Het soort overleg kan niet meer veranderen zodra er agendapunten zijn."))
    check_outside_texts(meeting.organisation, data)
    validate_circle(data.meeting_type, meeting.organisation, chair, invitees)
    for field in ("meeting_type", "title", "starts_at", "duration_minutes", "location", "video_link"):
        setattr(meeting, field, getattr(data, field))
    meeting.version += 1
    meeting.save()
    meeting.departments.set(_departments(meeting.organisation, data.department_ids))
    meeting.participants.all().delete()
    Participant.objects.create(meeting=meeting, user=chair, role=Participant.Role.CHAIR)
    Participant.objects.bulk_create(
        Participant(meeting=meeting, user=i.user, role=i.role) for i in invitees if i.user != chair
    )
    return meeting


@transaction.atomic
def cancel_meeting(*, user, meeting_id: int) -> Meeting:
    meeting = meeting_for(user, meeting_id, lock=True)
    _require_change(user, meeting)
    if meeting.status != Meeting.Status.PLANNED:
        raise ValidationError(_("Alleen een gepland overleg kan worden geannuleerd."))
    meeting.status = Meeting.Status.CANCELLED
    meeting.cancelled_at = timezone.now()
    meeting.version += 1
    meeting.save(update_fields=["status", "cancelled_at", "version"])
    return meeting
