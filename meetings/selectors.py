"""Read side of meetings for pages outside the meetings app (the home page)."""

from __future__ import annotations

import datetime

from django.db.models import QuerySet
from django.utils import timezone

from .models import Meeting
from .services.actions import action_points_for, open_follow_ups_for
from .services.common import meetings_visible_to

__all__ = ["action_points_for", "open_follow_ups_for", "upcoming_meetings_for"]


def upcoming_meetings_for(user) -> QuerySet[Meeting]:
    """ "Mijn overleggen": planned and running meetings, soonest first."""
    return (
        meetings_visible_to(user)
        .filter(
            status__in=[Meeting.Status.PLANNED, Meeting.Status.OPEN],
            starts_at__gte=timezone.now() - datetime.timedelta(hours=12),
        )
        .order_by("starts_at")
    )
