"""The personal calendar feed: a secret URL per user, revocable.

The token is 32 random bytes (``secrets.token_urlsafe``): it is looked up in
the database and compared once more in constant time. Revoking deletes it,
regenerating replaces it; either way the old URL answers 404 at once.
"""

from __future__ import annotations

import datetime
import hmac
import secrets

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from ..models import CalendarFeed, Meeting
from ..services.common import meetings_visible_to
from .common import absolute

FEED_LIMIT = 500


@transaction.atomic
def enable_feed(*, user) -> CalendarFeed:
    """Create the user's feed, or give it a new token (the old URL stops)."""
    feed, _created = CalendarFeed.objects.update_or_create(
        user=user, defaults={"token": secrets.token_urlsafe(32), "created_at": timezone.now()}
    )
    return feed


@transaction.atomic
def revoke_feed(*, user) -> bool:
    deleted, _ = CalendarFeed.objects.filter(user=user).delete()
    return bool(deleted)


def feed_of(user) -> CalendarFeed | None:
    return CalendarFeed.objects.filter(user=user).first()


def feed_for_token(token: str) -> CalendarFeed | None:
    if not token or len(token) > 64:
        return None
    feed = CalendarFeed.objects.select_related("user").filter(token=token).first()
    if feed is None or not hmac.compare_digest(feed.token.encode(), token.encode()):
        return None
    if not feed.user.is_active:
        return None
    return feed


def feed_url(feed: CalendarFeed) -> str:
    return absolute(reverse("calendar_feed", args=[feed.token]))


def feed_meetings(user, now: datetime.datetime | None = None) -> list[Meeting]:
    """The user's visible meetings from today on, not cancelled (a client
    drops an entry that leaves the feed)."""
    now = now or timezone.now()
    start_of_today = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    return list(
        meetings_visible_to(user)
        .filter(starts_at__gte=start_of_today, status__in=[Meeting.Status.PLANNED, Meeting.Status.OPEN])
        .select_related("organisation")
        .order_by("starts_at", "pk")[:FEED_LIMIT]
    )
