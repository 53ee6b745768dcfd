"""Sessions end after inactivity; a new password ends the user's other
sessions; weak passwords are refused with a Dutch message."""

from __future__ import annotations

import datetime
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from smo.middleware import IdleSessionMiddleware

from .factories import PASSWORD

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Nieuw-en-lang-wachtwoord-2026"


def path_of(response) -> str:
    return urlsplit(response["Location"]).path


def remaining(session_key=None) -> datetime.timedelta:
    session = Session.objects.get(session_key=session_key) if session_key else Session.objects.get()
    return session.expire_date - timezone.now()


def test_a_session_ends_after_the_idle_time(cast):
    """SESSION_IDLE_MINUTES (default 30): activity moves the end forward,
    inactivity ends the session."""
    assert settings.SESSION_COOKIE_AGE == 30 * 60 and settings.SESSION_EXPIRE_AT_BROWSER_CLOSE
    client = cast.client("hr")
    assert client.get(reverse("home")).status_code == 200
    assert datetime.timedelta(minutes=29) < remaining() <= datetime.timedelta(minutes=30)

    Session.objects.update(expire_date=timezone.now() - datetime.timedelta(seconds=1))
    response = client.get(reverse("home"))
    assert response.status_code == 302 and path_of(response) == reverse("login")


def test_activity_moves_the_end_at_most_once_a_minute(cast):
    """Not a session write on every request (it cost a commit per page): the
    end moves forward when the last move is SESSION_REFRESH_SECONDS ago, so a
    session ends between 29 and 30 minutes after the last request."""
    assert not settings.SESSION_SAVE_EVERY_REQUEST and settings.SESSION_REFRESH_SECONDS == 60
    client = cast.client("hr")
    assert client.get(reverse("home")).status_code == 200
    key = client.session.session_key
    # Pretend the last save was a while ago (an end 10 minutes away) ...
    Session.objects.filter(session_key=key).update(
        expire_date=timezone.now() + datetime.timedelta(minutes=10)
    )
    # ... within the minute, a request leaves the end where it is (no write),
    assert client.get(reverse("home")).status_code == 200
    assert remaining(key) <= datetime.timedelta(minutes=10)

    # ... and once the last move is over a minute old, a request moves it.
    store = SessionStore(session_key=key)
    store[IdleSessionMiddleware.KEY] -= 61
    store.save()
    Session.objects.filter(session_key=key).update(
        expire_date=timezone.now() + datetime.timedelta(minutes=10)
    )
    assert client.get(reverse("home")).status_code == 200
    assert datetime.timedelta(minutes=29) < remaining(key) <= datetime.timedelta(minutes=30)


def test_an_anonymous_visit_creates_no_session(client):
    assert client.get(reverse("login")).status_code == 200
    assert not Session.objects.exists()
    # Nor does a cookie of a session that ended (or never existed).
    client.cookies[settings.SESSION_COOKIE_NAME] = "x" * 32
    assert client.get(reverse("login")).status_code == 200
    assert not Session.objects.exists()


def test_changing_the_password_ends_the_other_sessions_only(cast):
    manager = cast.users["manager"]
    here, elsewhere = cast.client("manager"), cast.client("manager")
    assert elsewhere.get(reverse("home")).status_code == 200

    response = here.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert path_of(response) == reverse("password_change_done")
    manager.refresh_from_db()
    assert manager.check_password(NEW_PASSWORD)
    # This session goes on (still with its second factor) ...
    assert here.get(reverse("home")).status_code == 200
    # ... the other one (say, a forgotten browser) is signed out.
    response = elsewhere.get(reverse("home"))
    assert response.status_code == 302 and path_of(response) == reverse("login")


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("kort-1", "Dit wachtwoord is te kort"),
        ("1234567890123", "Dit wachtwoord bevat alleen cijfers."),
        ("password1234", "Dit wachtwoord is te algemeen."),
    ],
)
def test_a_weak_password_is_refused_in_dutch(cast, password, message):
    client = cast.client("employee_concerned")
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": password, "new_password2": password},
    )
    assert response.status_code == 200
    assert message in response.text
    cast.users["employee_concerned"].refresh_from_db()
    assert cast.users["employee_concerned"].check_password(PASSWORD)


def test_the_login_form_sends_no_session_to_an_anonymous_visitor():
    response = Client().get(reverse("login"))
    assert response.status_code == 200
    assert (
        settings.SESSION_COOKIE_NAME not in response.cookies
        or not response.cookies[settings.SESSION_COOKIE_NAME].value
    )
