"""Issue 6 item 5, R12: a real SMTP server on 127.0.0.1 (aiosmtpd) receives
the reminders through Django's SMTP backend, and the bytes as sent are
checked: every message parses, meeting emails carry a valid .ics, and no
message names the employee of a case or holds the medical-file canary."""

from __future__ import annotations

import contextlib
import email
import socket
from email import policy

import pytest
from aiosmtpd.controller import Controller
from icalendar import Calendar

from meetings.models import Reminder

# The fixtures eager_celery (autouse) and on_commit come with the helpers.
from .test_reminders import CANARY, dispatch, on_commit, plant_private_data  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_celery")]


class Inbox:
    def __init__(self):
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def smtp_server(settings, handler):
    """A real SMTP server on 127.0.0.1 with ``handler`` (aiosmtpd), and the
    mail settings that send to it."""
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    try:
        yield handler
    finally:
        controller.stop()


@pytest.fixture
def smtp_inbox(settings):
    settings.SMO_BASE_URL = "https://smo.example.test"
    with smtp_server(settings, Inbox()) as inbox:
        yield inbox


def test_R12_reminders_through_a_real_smtp_server_carry_no_private_data(cast, on_commit, smtp_inbox):  # noqa: F811
    meeting = plant_private_data(cast, on_commit)
    assert dispatch(on_commit) > 0
    sent = Reminder.objects.filter(sent_at__isnull=False)
    assert sent.count() == len(smtp_inbox.envelopes) > 0
    forbidden = [CANARY, cast.employee.full_name, cast.employee.last_name, meeting.title]
    calendars = 0
    for envelope in smtp_inbox.envelopes:
        raw = envelope.content.decode("utf-8", errors="replace")
        message = email.message_from_bytes(envelope.content, policy=policy.default)
        assert message["Subject"] and message["From"]
        parts = [message["Subject"]]
        for part in message.walk():
            if part.get_content_maintype() == "multipart":
                continue
            payload = part.get_content()
            text = payload.decode() if isinstance(payload, bytes) else payload
            parts.append(text)
            if part.get_content_type() == "text/calendar":
                calendar = Calendar.from_ical(text)
                assert str(calendar["METHOD"]) in {"REQUEST", "CANCEL"}
                assert [
                    e
                    for e in calendar.walk("VEVENT")
                    if str(e["UID"]) == f"meeting-{meeting.pk}@smo-platform"
                ]
                calendars += 1
        leaks = [(word, envelope.rcpt_tos) for word in forbidden for text in [raw, *parts] if word in text]
        assert not leaks
    assert calendars >= 3  # an invitation with .ics for every participant
    # Sent once: dispatching again delivers nothing new.
    before = len(smtp_inbox.envelopes)
    dispatch(on_commit)
    assert len(smtp_inbox.envelopes) == before
