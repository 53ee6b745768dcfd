"""Sending reminders in batches (issue 8: 10,000 due reminders in under a
minute): a batch reads what its checks need in a few queries, renders each
text once and sends over one mail connection, while every reminder is still
checked on its own when it runs (R4, R8), sent once, and names nobody but
its recipient (R12)."""

from __future__ import annotations

import logging
from unittest import mock

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.utils import timezone

from casefiles.models import Membership
from meetings.models import Participant, Reminder
from meetings.reminders import ics, sending
from smo.celery import app as celery_app

from .test_reminders import BASE_URL, calendar_of, only_event, plan

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_celery")]

Kind = Reminder.Kind


@pytest.fixture(autouse=True)
def reminder_settings(settings):
    settings.SMO_BASE_URL = BASE_URL
    settings.SMO_MEETING_REMINDER_DAYS = (7, 1)
    settings.EMAIL_BACKEND = "tests.meetings.test_reminders_batch.CountingBackend"
    CountingBackend.instances.clear()


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


class CountingBackend(EmailBackend):
    """The in-memory backend, remembering every connection that sent."""

    instances: list[CountingBackend] = []

    def send_messages(self, messages):
        if self not in self.instances:
            self.instances.append(self)
        return super().send_messages(messages)


def invitations(meetings) -> list[int]:
    return list(
        Reminder.objects.filter(meeting__in=meetings, kind=Kind.MEETING_INVITATION)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def test_a_batch_costs_the_same_queries_for_3_or_9_reminders(cast, on_commit, django_assert_max_num_queries):
    small = invitations([plan(cast, on_commit, days=10)])
    large = invitations([plan(cast, on_commit, days=d) for d in (11, 12, 13)])
    assert (len(small), len(large)) == (3, 9)
    with django_assert_max_num_queries(7) as few:
        assert set(sending.send_batch(small).values()) == {"sent"}
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert set(sending.send_batch(large).values()) == {"sent"}
    assert len(mail.outbox) == 12


def test_a_batch_sends_over_one_mail_connection(cast, on_commit):
    for days in (10, 11):
        plan(cast, on_commit, days=days)
    with on_commit():
        assert sending.dispatch_due() == 6
    assert len(mail.outbox) == 6
    assert len(CountingBackend.instances) == 1


class SessionInbox:
    """An SMTP server's handler that notes over which connection each
    message came (the client's address and port)."""

    def __init__(self):
        self.peers = []

    async def handle_DATA(self, server, session, envelope):
        self.peers.append(session.peer)
        return "250 Message accepted for delivery"


def test_a_batch_sends_over_one_smtp_session_of_a_real_server(cast, on_commit, settings):
    from .test_smtp import smtp_server

    with smtp_server(settings, SessionInbox()) as inbox:
        for days in (10, 11):
            plan(cast, on_commit, days=days)
        with on_commit():
            assert sending.dispatch_due() == 6
    assert len(inbox.peers) == 6
    assert len(set(inbox.peers)) == 1
    assert not Reminder.objects.filter(kind=Kind.MEETING_INVITATION, sent_at__isnull=True).exists()


def test_R12_each_ics_of_a_batch_names_only_its_own_recipient(cast, on_commit):
    """The .ics is serialised once per meeting; each copy carries only its
    recipient as attendee and is otherwise the calendar of a single send,
    also for an address long enough to be folded."""
    hr = cast.users["hr"]
    hr.email = "a.very.long.mailbox.name.of.the.hr.adviser@personeelszaken.zorggroep-test.example"
    hr.save(update_fields=["email"])
    meeting = plan(cast, on_commit)
    sending.send_batch(invitations([meeting]))
    assert len(mail.outbox) == 3
    for message in mail.outbox:
        (recipient,) = message.to
        event = only_event(calendar_of(message))
        assert str(event["ATTENDEE"]) == f"mailto:{recipient}"
        others = {u.email for u in cast.users.values() if u.email and u.email != recipient}
        (part,) = [p for p in message.message().walk() if p.get_content_type() == "text/calendar"]
        data = part.get_payload(decode=True)
        assert not [address for address in others if address.encode() in data]
        single = ics.meeting_calendar(meeting, method=ics.REQUEST, attendee_email=recipient)
        assert _without_dtstamp(data) == _without_dtstamp(single)


def _without_dtstamp(data: bytes) -> list[bytes]:
    return [line for line in data.split(b"\r\n") if not line.startswith(b"DTSTAMP")]


def test_R4_R8_every_reminder_of_a_batch_is_checked_on_its_own(cast, on_commit):
    """Taken off the participant list, or out of the organisation, after the
    reminder was planned: that one is skipped, the rest of the batch goes."""
    meeting = plan(cast, on_commit)
    Participant.objects.filter(meeting=meeting, user=cast.users["hr"]).delete()
    Membership.objects.filter(user=cast.users["manager"], organisation=cast.organisation).delete()
    by_user = {
        r.recipient_id: r.pk for r in Reminder.objects.filter(meeting=meeting, kind=Kind.MEETING_INVITATION)
    }
    outcome = sending.send_batch(by_user.values())
    assert outcome[by_user[cast.users["hr"].pk]] == "skipped:not_participant"
    assert outcome[by_user[cast.users["manager"].pk]] == "skipped:not_authorised"
    assert outcome[by_user[cast.users["physician"].pk]] == "sent"
    assert [m.to for m in mail.outbox] == [[cast.users["physician"].email]]
    assert sending.send_batch(by_user.values()) == {
        pk: "skipped" if user_id != cast.users["physician"].pk else "already_sent"
        for user_id, pk in by_user.items()
    }
    assert len(mail.outbox) == 1


def test_an_invitation_and_its_update_in_one_batch_send_only_the_update(cast, on_commit):
    meeting = plan(cast, on_commit)
    physician = cast.users["physician"]
    invitation = Reminder.objects.get(meeting=meeting, recipient=physician, kind=Kind.MEETING_INVITATION)
    update = Reminder.objects.create(
        kind=Kind.MEETING_UPDATE,
        recipient=physician,
        meeting=meeting,
        meeting_version=meeting.version,
        due_at=timezone.now(),
        dedupe_key=f"test-update:{meeting.pk}",
    )
    outcome = sending.send_batch([update.pk, invitation.pk])
    assert outcome == {invitation.pk: "skipped:superseded", update.pk: "sent"}
    (message,) = mail.outbox
    assert message.subject.startswith("Gewijzigd: ")


def test_a_failed_message_in_a_batch_is_retried_alone(cast, on_commit):
    meeting = plan(cast, on_commit)
    hr = cast.users["hr"]
    real_send = mail.EmailMessage.send

    def refuse_hr(message, *args, **kwargs):
        if message.to == [hr.email]:
            raise ConnectionRefusedError("refused")
        return real_send(message, *args, **kwargs)

    with mock.patch("django.core.mail.EmailMessage.send", autospec=True, side_effect=refuse_hr):
        outcome = sending.send_batch(invitations([meeting]))
    assert sorted(outcome.values()) == ["failed", "sent", "sent"]
    rows = {r.recipient_id: r for r in Reminder.objects.filter(meeting=meeting, kind=Kind.MEETING_INVITATION)}
    assert rows[hr.pk].sent_at is None and rows[hr.pk].retry_at and rows[hr.pk].attempts == 1
    assert rows[hr.pk].last_error.startswith("ConnectionRefusedError")
    assert all(r.sent_at and r.attempts == 1 for user_id, r in rows.items() if user_id != hr.pk)
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        cast.users[r].email for r in ("manager", "physician")
    )


def test_message_ids_carry_the_host_of_the_platform(cast, on_commit):
    plan(cast, on_commit)
    with on_commit():
        sending.dispatch_due()
    ids = {m.message()["Message-ID"] for m in mail.outbox}
    assert len(ids) == 3
    assert all(i.endswith("@smo.example.test>") for i in ids)


def test_sending_tasks_eagerly_does_not_warn_about_a_missing_broker_host(caplog):
    with caplog.at_level(logging.WARNING, logger="kombu.connection"):
        celery_app.connection_for_write().info()
    assert "No hostname was supplied" not in caplog.text
