"""Shared helpers of the meeting services: who may act, the meeting's
context for the consent gate, optimistic locking."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from consent.types import MeetingContext
from consent.types import Participant as GateParticipant
from smo import permissions
from smo.roles import Role, roles_of

from ..models import AgendaItem, Meeting, Participant


class StaleEdit(Exception):
    """Someone else saved this since it was opened (optimistic locking)."""

    message = _("Iemand anders heeft dit intussen gewijzigd. Bekijk de nieuwe versie en probeer het opnieuw.")


def meetings_visible_to(user) -> QuerySet[Meeting]:
    """Meetings the user takes part in or organised, and for HR all meetings
    of their organisations (R4: the circle stays small)."""
    orgs = permissions.organisation_ids(user)
    if Role.HR in roles_of(user):
        return Meeting.objects.filter(organisation__in=orgs)
    # EXISTS rather than a join: one row per meeting without DISTINCT (over
    # every column, the minutes' text included).
    takes_part = Exists(Participant.objects.filter(meeting=OuterRef("pk"), user=user))
    return Meeting.objects.filter(Q(takes_part) | Q(created_by=user), organisation__in=orgs)


def meeting_for(user, pk: int, *, lock: bool = False) -> Meeting:
    qs = meetings_visible_to(user)
    try:
        if lock:
            return Meeting.objects.select_for_update().get(pk=qs.get(pk=pk).pk)
        return qs.select_related("organisation", "created_by").get(pk=pk)
    except Meeting.DoesNotExist:
        raise Http404 from None


def participant_role(user, meeting: Meeting) -> str | None:
    shared = meeting.__dict__.get(_SHARED_PARTICIPANTS)
    if shared is not None:  # a page that shows the meeting (share_participants)
        return next((p.role for p in shared if p.user_id == user.pk), None)
    return meeting.participants.filter(user=user).values_list("role", flat=True).first()


def require_chair(user, meeting: Meeting) -> None:
    if participant_role(user, meeting) != Participant.Role.CHAIR:
        raise PermissionDenied


def require_recorder(user, meeting: Meeting) -> None:
    """The chair or the minute taker records decisions and action points."""
    if participant_role(user, meeting) not in {Participant.Role.CHAIR, Participant.Role.MINUTE_TAKER}:
        raise PermissionDenied


# Where share_participants() keeps the participants on the meeting object.
_SHARED_PARTICIPANTS = "_smo_shared_participants"


def participants_with_roles(meeting: Meeting) -> list[Participant]:
    """The participants with their user and the user's groups (``role_groups``).
    Read from the database, unless share_participants() loaded them for this
    meeting object already."""
    shared = meeting.__dict__.get(_SHARED_PARTICIPANTS)
    if shared is not None:
        return list(shared)
    return _load_participants(meeting)


def _load_participants(meeting: Meeting) -> list[Participant]:
    from django.contrib.auth.models import Group

    return list(
        meeting.participants.select_related("user").prefetch_related(
            Prefetch("user__groups", queryset=Group.objects.only("name"), to_attr="role_groups")
        )
    )


def share_participants(meeting: Meeting) -> list[Participant]:
    """Load the participants once for everything that shows ``meeting`` in
    this request: every later participants_with_roles(), participant_role()
    and meeting_context() (the consent gate's view of who is present, R8,
    R21) of this meeting object reuses them instead of asking the database
    again.

    Only for reading, after the request's last write: the vergadermodus
    shows the state after an action, and its GET views write nothing. The
    services that change participants (confirm_roles, scheduling) and every
    write's consent check load their own meeting object, which shares
    nothing, so the gate never decides on a stale list.
    """
    shared = meeting.__dict__.get(_SHARED_PARTICIPANTS)
    if shared is None:
        shared = _load_participants(meeting)
        meeting.__dict__[_SHARED_PARTICIPANTS] = shared
    return list(shared)


def meeting_context(meeting: Meeting) -> MeetingContext:
    """What the consent gate needs. Once the chair confirmed who is present
    (R21), only those present count; before that, everyone invited."""
    people = participants_with_roles(meeting)
    if meeting.roles_confirmed_at is not None:
        people = [p for p in people if p.present]
    return MeetingContext(
        meeting_type=meeting.meeting_type,
        date=meeting.date,
        meeting_id=meeting.pk,
        participants=tuple(
            GateParticipant(p.user_id, frozenset(g.name for g in p.user.role_groups)) for p in people
        ),
    )


def check_version(obj, expected_version: int | None) -> None:
    if expected_version is not None and obj.version != expected_version:
        raise StaleEdit


def item_for(user, item_id: int, *, lock: bool = False) -> AgendaItem:
    qs = AgendaItem.objects.filter(meeting__in=meetings_visible_to(user))
    try:
        item = qs.select_related("meeting", "case__employee__organisation").get(pk=item_id)
    except AgendaItem.DoesNotExist:
        raise Http404 from None
    if lock:
        locked = AgendaItem.objects.select_for_update().get(pk=item.pk)
        locked.meeting, locked.case = item.meeting, item.case
        return locked
    return item
