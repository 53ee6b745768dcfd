"""Reminders in the app (issue 6): "Meldingen" (the user's planned and sent
reminders, with the same private-data-free text as the emails, R12) and the
personal calendar feed: a settings page to create, regenerate or revoke the
secret URL, and the feed itself (public: the secret token is the key)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from smo.permissions import authenticated, public

from ..reminders import feeds, ics
from ..reminders.selectors import reminders_for

TEMPLATES = "meetings/reminders/"


@authenticated
@require_GET
def my_reminders(request):
    return render(request, TEMPLATES + "my_reminders.html", {"rows": reminders_for(request.user)})


@authenticated
@never_cache  # the page shows a secret URL
@require_http_methods(["GET", "POST"])
def calendar_feed_settings(request):
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "enable":
            existed = feeds.feed_of(request.user) is not None
            feeds.enable_feed(user=request.user)
            messages.success(
                request,
                _("Er is een nieuwe agenda-link gemaakt. De oude link werkt niet meer.")
                if existed
                else _("Uw persoonlijke agenda-link is gemaakt."),
            )
        elif action == "revoke":
            feeds.revoke_feed(user=request.user)
            messages.success(request, _("De agenda-link is ingetrokken en werkt niet meer."))
        else:
            messages.error(request, _("Onbekende actie."))
        return redirect("calendar_feed_settings")
    feed = feeds.feed_of(request.user)
    url = feeds.feed_url(feed) if feed else None
    context = {
        "feed": feed,
        "feed_url": url,
        "webcal_url": "webcal://" + url.split("://", 1)[1] if url else None,
    }
    return render(request, TEMPLATES + "calendar_feed_settings.html", context)


@public
@require_GET
def calendar_feed(request, token: str):
    """The user's upcoming meetings as iCalendar. Unknown or revoked token:
    404. The entries carry type, time, place and a link only (R12)."""
    feed = feeds.feed_for_token(token)
    if feed is None:
        raise Http404
    body = ics.feed_calendar(feeds.feed_meetings(feed.user, timezone.now()))
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="smo-overleggen.ics"'
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    return response


urlpatterns = [
    path("meldingen/", my_reminders, name="my_reminders"),
    path("agenda-feed/", calendar_feed_settings, name="calendar_feed_settings"),
    path("agenda-feed/<slug:token>.ics", calendar_feed, name="calendar_feed"),
]
