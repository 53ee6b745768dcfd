"""Permission-matrix entries of the reminders pages (meetings/views/reminders.py).

- "Meldingen" and the calendar-feed settings page are for every signed-in
  user: each sees and manages only their own (nothing to hide, so 200).
- The calendar feed itself is public: the long secret token in its URL is
  the key (calendar programs fetch it without a session). The entry uses the
  manager's token, so every role, anonymous included, gets 200 — that is what
  a bearer URL means. An unknown or revoked token answers 404 (tested in
  tests/meetings/test_reminders.py).
"""

from __future__ import annotations

from django.urls import reverse

from meetings.reminders import feeds

from .matrix_support import Entry, logged_in, statuses


def _feed_url(c) -> str:
    manager = c.users["manager"]
    feed = feeds.feed_of(manager) or feeds.enable_feed(user=manager)
    return reverse("calendar_feed", args=[feed.token])


ENTRIES: dict[str, Entry] = {
    "my_reminders": Entry(lambda c: reverse("my_reminders"), logged_in(200)),
    "calendar_feed_settings": Entry(lambda c: reverse("calendar_feed_settings"), logged_in(200)),
    "calendar_feed": Entry(_feed_url, statuses(200)),
}
