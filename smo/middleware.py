"""Project middleware: the Dutch-first locale and the idle session end.

Dutch first: the interface is Dutch unless the user chose English.

Django's LocaleMiddleware follows the browser's Accept-Language header, which
would show many Dutch users (whose browsers are often set to English) an
English product. Here only an explicit choice through the language switch
(the language cookie) changes the language.
"""

import time

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


class DutchFirstLocaleMiddleware(LocaleMiddleware):
    def process_request(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        supported = {code for code, _name in settings.LANGUAGES}
        language = chosen if chosen in supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


def _now() -> int:
    return int(time.time())


def mark_session_active(sender, request, user, **kwargs) -> None:
    """At login (``user_logged_in``, saved with the new session anyway): the
    session's end was just set, so the next request need not move it."""
    session = getattr(request, "session", None)
    if session is not None:
        session[IdleSessionMiddleware.KEY] = _now()


class IdleSessionMiddleware:
    """Sessions end after ``SESSION_COOKIE_AGE`` of inactivity (R13a).

    Instead of ``SESSION_SAVE_EVERY_REQUEST`` (a write and a commit on every
    request), a signed-in session is saved, and so its end moved forward, at
    most once per ``SESSION_REFRESH_SECONDS`` (default 60). The session then
    ends between ``SESSION_COOKIE_AGE - SESSION_REFRESH_SECONDS`` and
    ``SESSION_COOKIE_AGE`` after the last request. Any change to the session
    is saved at once, as always. Only signed-in sessions are refreshed.
    Comes right after SessionMiddleware.
    """

    KEY = "_smo_refreshed_at"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = getattr(request, "session", None)
        # Signed-in sessions only: an expired or unknown session cookie must
        # not make a new (anonymous) session row.
        if session is not None and session.get(SESSION_KEY) is not None:
            now = _now()
            refreshed_at = session.get(self.KEY)
            interval = getattr(settings, "SESSION_REFRESH_SECONDS", 60)
            if not isinstance(refreshed_at, int) or not 0 <= now - refreshed_at < interval:
                session[self.KEY] = now  # modified: saved with a new end date
        return self.get_response(request)
