"""Action points after the meeting (R10, R22): lists per person, department
and case, and status updates; and the open R5 obligations of a manager."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from smo import permissions

from ..models import ActionPoint, FollowUpObligation, Participant
from .common import check_version


def action_points_visible_to(user) -> QuerySet[ActionPoint]:
    """Action points of closed or running meetings the user may see: their
    own, those of cases in their reintegration scope, and those of meetings
    they took part in."""
    orgs = permissions.organisation_ids(user)
    # EXISTS rather than a join over the participants: one row per action
    # point without DISTINCT (which also took PostgreSQL over a millisecond
    # to plan on the case page).
    took_part = Exists(Participant.objects.filter(meeting=OuterRef("item__meeting"), user=user))
    case_in_scope = permissions.about_case_in(permissions.cases_in_reintegration_scope(user))
    return ActionPoint.objects.filter(
        Q(owner=user) | Q(case_in_scope) | Q(took_part),
        item__meeting__organisation__in=orgs,
    )


def action_points_for(user, *, scope: str = "mine") -> QuerySet[ActionPoint]:
    """scope: "mine" (owner), "department" (cases of my employees), "overdue"."""
    visible = action_points_visible_to(user).select_related("item__meeting", "case__employee", "owner")
    if scope == "mine":
        return visible.filter(owner=user)
    if scope == "department":
        return visible.filter(case__employee__in=permissions.employees_in_employer_scope(user))
    if scope == "overdue":
        return visible.filter(status=ActionPoint.Status.OPEN, due__lt=timezone.localdate())
    raise ValidationError(_("Onbekende selectie."))


@transaction.atomic
def set_action_point_status(*, user, action_point_id: int, status: str, expected_version: int | None = None):
    point = action_points_visible_to(user).filter(pk=action_point_id).first()
    if point is None:
        raise PermissionDenied
    point = ActionPoint.objects.select_for_update().get(pk=point.pk)
    check_version(point, expected_version)
    may_change = (
        point.owner_id == user.pk
        or point.created_by_id == user.pk
        or (
            point.case_id is not None
            and permissions.employees_in_employer_scope(user).filter(pk=point.case.employee_id).exists()
        )
    )
    if not may_change:
        raise PermissionDenied
    if status not in ActionPoint.Status.values:
        raise ValidationError(_("Onbekende status."))
    point.status = status
    point.done_at = timezone.now() if status == ActionPoint.Status.DONE else None
    point.version += 1
    point.save(update_fields=["status", "done_at", "version"])
    return point


def open_follow_ups_for(user) -> QuerySet[FollowUpObligation]:
    """R5: the manager's open 'inform the employee of the outcome' obligations."""
    return FollowUpObligation.objects.filter(manager=user, done_at__isnull=True).select_related(
        "case__employee", "meeting"
    )
