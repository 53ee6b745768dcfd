"""Meeting blocks on pages of the casefiles app, without casefiles importing
meetings (dependencies point one way, ENGINEERING.md)."""

from __future__ import annotations

from django import template

from casefiles.selectors import user_name_columns

from ..services.actions import action_points_visible_to

register = template.Library()

# What templates/meetings/includes/case_action_points.html shows (not, for
# instance, the minutes of the meeting).
ACTION_POINT_COLUMNS = (
    "what",
    "due",
    "type",
    "status",
    "owner_label",
    *user_name_columns("owner"),
    "item__meeting__meeting_type",
    "item__meeting__starts_at",
)


@register.simple_tag
def case_action_points(case, user):
    """R10: the action points agreed about this case in meetings, as far as
    the user may see them (the case's reintegration scope)."""
    if case is None or user is None:
        return []
    return list(
        action_points_visible_to(user)
        .filter(case=case)
        .select_related("item__meeting", "owner")
        .only(*ACTION_POINT_COLUMNS)
        .order_by("due", "pk")
    )
