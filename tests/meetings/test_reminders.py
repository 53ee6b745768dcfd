"""Reminders (issue 6 items 1-2; R5, R6, R8, R12, R20, R21): an outbox in the
database, dispatched by beat, each reminder sent once, with .ics for
meetings, a personal calendar feed and the in-app list.

Celery runs eagerly here (no REDIS_URL): ``send_reminders.delay`` runs in
process. pytest-django wraps each test in a transaction, so the on-commit
hooks (planning after a meeting is saved, enqueueing after dispatch) run
inside ``django_capture_on_commit_callbacks(execute=True)``.
"""

from __future__ import annotations

import contextlib
import datetime
import email
import email.header
import os
import smtplib
import subprocess
import threading
import time
import uuid
from unittest import mock
from urllib.parse import quote

import pytest
from django.conf import settings
from django.core import mail
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar
from kombu.exceptions import OperationalError

from casefiles import medical
from consent import services as consent
from consent.types import MeetingType
from meetings import tasks
from meetings.models import ActionPoint, CalendarFeed, FollowUpObligation, Meeting, Reminder
from meetings.reminders import feeds, planning, sending
from meetings.reminders.signals import PlanMeeting
from meetings.services import agenda, scheduling
from smo.celery import app as celery_app
from smo.roles import Role
from tests.needs import need_postgresql

from .conftest import allow, schedule

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_celery")]

Kind = Reminder.Kind
CANARY = "KANARIE-herinnering-5e1c"
BASE_URL = "https://smo.example.test"
DAY = datetime.timedelta(days=1)


@pytest.fixture(autouse=True)
def reminder_settings(settings):
    settings.SMO_BASE_URL = BASE_URL
    settings.SMO_MEETING_REMINDER_DAYS = (7, 1)
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


def _start(days: float) -> datetime.datetime:
    return (timezone.now() + datetime.timedelta(days=days)).replace(second=0, microsecond=0)


def plan(cast, on_commit, days: float = 10, **data):
    with on_commit():
        return schedule(cast, starts_at=_start(days), **data)


def dispatch(on_commit, now=None) -> int:
    with on_commit():
        return sending.dispatch_due(now=now)


def update(cast, on_commit, meeting, *, invitees=(("physician", "adviseur"), ("hr", "notulist")), **changes):
    data = scheduling.MeetingData(
        meeting_type=meeting.meeting_type,
        title=changes.pop("title", meeting.title),
        starts_at=changes.pop("starts_at", meeting.starts_at),
        duration_minutes=meeting.duration_minutes,
        location=changes.pop("location", meeting.location),
        video_link=meeting.video_link,
    )
    with on_commit():
        return scheduling.update_meeting(
            user=cast.users["manager"],
            meeting_id=meeting.pk,
            expected_version=meeting.version,
            data=data,
            chair=cast.users["manager"],
            invitees=[scheduling.Invitee(cast.users[r], role) for r, role in invitees],
        )


def texts_and_calendars(message) -> tuple[list[str], list[Calendar]]:
    """Subject, every decoded text part, and every parsed .ics of an email
    (from the MIME message as it would be sent)."""
    texts, calendars = [str(message.subject)], []
    for part in message.message().walk():
        if part.is_multipart():
            continue
        payload = part.get_payload(decode=True)
        texts.append(payload.decode())
        if part.get_content_type() == "text/calendar":
            calendars.append(Calendar.from_ical(payload))
    return texts, calendars


def calendar_of(message) -> Calendar:
    _texts, calendars = texts_and_calendars(message)
    assert len(calendars) == 1, message.subject
    return calendars[0]


def only_event(calendar: Calendar):
    events = list(calendar.walk("VEVENT"))
    assert len(events) == 1
    return events[0]


def sent_to(user) -> list:
    return [m for m in mail.outbox if m.to == [user.email]]


# --- planning ------------------------------------------------------------------------


def test_scheduling_plans_an_invitation_for_every_participant_and_reminders_7_and_1_days_before(
    cast, on_commit
):
    meeting = plan(cast, on_commit, days=10)
    people = {cast.users[r].pk for r in ("manager", "physician", "hr")}

    invitations = Reminder.objects.filter(meeting=meeting, kind=Kind.MEETING_INVITATION)
    assert {r.recipient_id for r in invitations} == people
    assert all(r.due_at <= timezone.now() and r.meeting_version == 1 for r in invitations)
    reminders = Reminder.objects.filter(meeting=meeting, kind=Kind.MEETING_REMINDER)
    assert sorted((r.recipient_id, r.variant, r.due_at) for r in reminders) == sorted(
        (pk, str(days), meeting.starts_at - days * DAY) for pk in people for days in (7, 1)
    )
    assert mail.outbox == []  # planning only writes rows


def test_planning_twice_adds_nothing_and_one_hook_per_meeting_and_transaction(
    cast, on_commit, django_capture_on_commit_callbacks
):
    meeting = plan(cast, on_commit)
    count = Reminder.objects.count()
    planning.plan_meeting_reminders(meeting.pk)
    planning.plan_periodic()
    assert Reminder.objects.filter(meeting=meeting).count() == count

    # An update saves the meeting and replaces every participant: one hook.
    with django_capture_on_commit_callbacks() as callbacks:
        update(cast, contextlib.nullcontext, meeting, location="Kamer 3")
    assert [c.meeting_id for c in callbacks if isinstance(c, PlanMeeting)] == [meeting.pk]


def test_reminder_days_come_from_the_setting(cast, on_commit, settings):
    settings.SMO_MEETING_REMINDER_DAYS = (3,)
    meeting = plan(cast, on_commit, days=10)
    assert set(Reminder.objects.filter(kind=Kind.MEETING_REMINDER).values_list("variant", flat=True)) == {"3"}
    assert all(
        r.due_at == meeting.starts_at - 3 * DAY for r in Reminder.objects.filter(kind=Kind.MEETING_REMINDER)
    )


def test_a_meeting_sooner_than_a_reminder_gets_only_the_later_reminders(cast, on_commit):
    plan(cast, on_commit, days=3)
    assert set(Reminder.objects.filter(kind=Kind.MEETING_REMINDER).values_list("variant", flat=True)) == {"1"}


# --- sending exactly once -------------------------------------------------------------


def test_dispatch_twice_sends_each_invitation_once(cast, on_commit):
    plan(cast, on_commit)
    assert dispatch(on_commit) == 3
    assert dispatch(on_commit) == 0
    assert len(mail.outbox) == 3
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        cast.users[r].email for r in ("manager", "physician", "hr")
    )
    assert all(r.sent_at and r.attempts == 1 for r in Reminder.objects.filter(kind=Kind.MEETING_INVITATION))


def test_send_reminder_twice_or_duplicated_sends_one_email(cast, on_commit):
    meeting = plan(cast, on_commit)
    invitation = Reminder.objects.get(
        meeting=meeting, recipient=cast.users["physician"], kind=Kind.MEETING_INVITATION
    )
    assert tasks.send_reminder(invitation.pk) == "sent"
    assert tasks.send_reminder(invitation.pk) == "already_sent"
    tasks.send_reminder.delay(invitation.pk)  # a duplicated delivery (eager)
    # A lease that ran out: the dispatcher does not take a sent row again.
    Reminder.objects.filter(pk=invitation.pk).update(enqueued_at=timezone.now() - 2 * sending.LEASE)
    dispatch(on_commit)
    assert len(sent_to(cast.users["physician"])) == 1


def test_meeting_reminders_go_out_when_due_and_once(cast, on_commit):
    meeting = plan(cast, on_commit, days=10)
    dispatch(on_commit)
    mail.outbox.clear()
    assert dispatch(on_commit, now=meeting.starts_at - 7 * DAY - datetime.timedelta(minutes=1)) == 0
    assert dispatch(on_commit, now=meeting.starts_at - 7 * DAY + datetime.timedelta(minutes=1)) == 3
    assert dispatch(on_commit, now=meeting.starts_at - 7 * DAY + datetime.timedelta(minutes=2)) == 0
    assert len(mail.outbox) == 3
    assert all(m.subject.startswith("Herinnering: Casus-specifiek SMO op ") for m in mail.outbox)
    assert "Over 7 dagen vindt dit overleg plaats." in mail.outbox[0].body
    assert calendar_of(mail.outbox[0])["METHOD"] == "REQUEST"


def test_a_failing_mail_server_is_retried_later_and_then_sent_once(cast, on_commit):
    plan(cast, on_commit)
    with mock.patch("django.core.mail.EmailMessage.send", side_effect=smtplib.SMTPServerDisconnected("x")):
        dispatch(on_commit)
    failed = Reminder.objects.filter(kind=Kind.MEETING_INVITATION)
    assert all(r.sent_at is None and r.attempts == 1 and r.retry_at for r in failed)
    assert {r.last_error.split(":")[0] for r in failed} == {"SMTPServerDisconnected"}
    assert dispatch(on_commit) == 0  # not before the back-off
    assert dispatch(on_commit, now=timezone.now() + datetime.timedelta(minutes=6)) == 3
    assert len(mail.outbox) == 3


def test_saving_a_meeting_with_the_broker_down_succeeds_and_dispatch_sends_later(cast, on_commit):
    """Planning writes rows only; with Redis down, dispatch leaves them due."""
    down = OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")
    with mock.patch.object(tasks.send_reminders, "delay", side_effect=down) as delay:
        meeting = plan(cast, on_commit)
        assert delay.call_count == 0  # saving never touches the broker
        assert Reminder.objects.filter(meeting=meeting, kind=Kind.MEETING_INVITATION).count() == 3
        dispatch(on_commit)  # does not raise
        assert delay.call_count == 1
        meeting = update(cast, on_commit, meeting, location="Kamer 4.01")  # still saves
    assert meeting.version == 2 and meeting.location == "Kamer 4.01"
    assert mail.outbox == []
    pending = Reminder.objects.filter(meeting=meeting, kind=Kind.MEETING_INVITATION)
    assert all(r.sent_at is None and r.enqueued_at is None for r in pending)

    assert dispatch(on_commit) == 3  # the broker is back
    assert len(mail.outbox) == 3
    assert all("Kamer 4.01" in m.body for m in mail.outbox)
    assert only_event(calendar_of(mail.outbox[0]))["SEQUENCE"] == 2


# --- .ics: invitation, update, cancellation --------------------------------------------


def test_invitation_carries_a_valid_ics_with_request_uid_sequence_and_alarm(cast, on_commit):
    meeting = plan(cast, on_commit, location="Kamer 2.14")
    dispatch(on_commit)
    for message in mail.outbox:
        calendar = calendar_of(message)
        assert calendar["METHOD"] == "REQUEST"
        assert calendar["VERSION"] == "2.0" and calendar["PRODID"]
        event = only_event(calendar)
        assert str(event["UID"]) == f"meeting-{meeting.pk}@smo-platform"
        assert event["SEQUENCE"] == 1
        assert event.decoded("DTSTART") == meeting.starts_at
        assert event.decoded("DTSTART").utcoffset() == datetime.timedelta(0)
        assert event.decoded("DTEND") == meeting.ends_at
        assert str(event["SUMMARY"]) == "Overleg: Casus-specifiek SMO (Zorggroep Test)"
        assert str(event["LOCATION"]) == "Kamer 2.14"
        assert str(event["URL"]) == f"{BASE_URL}/overleggen/{meeting.pk}/"
        assert str(event["ATTENDEE"]) == f"mailto:{message.to[0]}"
        alarms = list(event.walk("VALARM"))
        assert len(alarms) == 1
        assert str(alarms[0]["ACTION"]) == "DISPLAY"
        assert alarms[0].decoded("TRIGGER") == -datetime.timedelta(minutes=15)
        assert message.subject.startswith("Uitnodiging: Casus-specifiek SMO op ")
        assert f"{BASE_URL}/overleggen/{meeting.pk}/" in message.body


def test_an_update_reuses_the_uid_with_a_higher_sequence_and_moves_the_reminders(cast, on_commit):
    meeting = plan(cast, on_commit, days=10)
    dispatch(on_commit)
    mail.outbox.clear()
    later = meeting.starts_at + 2 * DAY
    meeting = update(cast, on_commit, meeting, starts_at=later)
    dispatch(on_commit)

    assert len(mail.outbox) == 3
    for message in mail.outbox:
        assert message.subject.startswith("Gewijzigd: Casus-specifiek SMO op ")
        calendar = calendar_of(message)
        assert calendar["METHOD"] == "REQUEST"
        event = only_event(calendar)
        assert str(event["UID"]) == f"meeting-{meeting.pk}@smo-platform"
        assert event["SEQUENCE"] == meeting.version == 2
        assert event.decoded("DTSTART") == later
    reminders = Reminder.objects.filter(meeting=meeting, kind=Kind.MEETING_REMINDER)
    assert {r.due_at for r in reminders} == {later - 7 * DAY, later - DAY}

    # A change the calendar does not show (the title) sends nothing.
    mail.outbox.clear()
    update(cast, on_commit, meeting, title="Andere titel")
    dispatch(on_commit)
    assert mail.outbox == []


def test_an_unsent_invitation_is_sent_once_with_the_latest_data(cast, on_commit):
    meeting = plan(cast, on_commit)
    meeting = update(cast, on_commit, meeting, location="Kamer 9")
    dispatch(on_commit)
    assert len(mail.outbox) == 3
    assert all(m.subject.startswith("Uitnodiging") and "Kamer 9" in m.body for m in mail.outbox)
    assert only_event(calendar_of(mail.outbox[0]))["SEQUENCE"] == 2


def test_cancellation_sends_method_cancel_and_stops_the_reminders(cast, on_commit):
    meeting = plan(cast, on_commit)
    dispatch(on_commit)
    mail.outbox.clear()
    with on_commit():
        meeting = scheduling.cancel_meeting(user=cast.users["manager"], meeting_id=meeting.pk)
    dispatch(on_commit)

    assert len(mail.outbox) == 3
    for message in mail.outbox:
        assert message.subject.startswith("Geannuleerd: Casus-specifiek SMO op ")
        assert "Dit overleg gaat niet door." in message.body
        calendar = calendar_of(message)
        assert calendar["METHOD"] == "CANCEL"
        event = only_event(calendar)
        assert str(event["UID"]) == f"meeting-{meeting.pk}@smo-platform"
        assert event["SEQUENCE"] == meeting.version == 2
        assert str(event["STATUS"]) == "CANCELLED"
        assert not list(event.walk("VALARM"))
    reminders = Reminder.objects.filter(meeting=meeting, kind=Kind.MEETING_REMINDER)
    assert {(r.sent_at, r.skip_reason) for r in reminders} == {(None, Reminder.SkipReason.MEETING_CANCELLED)}
    assert dispatch(on_commit, now=meeting.starts_at - datetime.timedelta(hours=1)) == 0


def test_a_cancelled_meeting_whose_invitations_never_went_out_sends_nothing(cast, on_commit):
    meeting = plan(cast, on_commit)
    with on_commit():
        scheduling.cancel_meeting(user=cast.users["manager"], meeting_id=meeting.pk)
    dispatch(on_commit)
    assert mail.outbox == []


def test_a_removed_participant_gets_a_cancel_and_the_others_nothing(cast, on_commit):
    meeting = plan(cast, on_commit)
    dispatch(on_commit)
    mail.outbox.clear()
    meeting = update(cast, on_commit, meeting, invitees=(("physician", "adviseur"),))
    dispatch(on_commit)

    (message,) = mail.outbox
    assert message.to == [cast.users["hr"].email]
    assert "U staat niet meer op de deelnemerslijst van dit overleg." in message.body
    assert calendar_of(message)["METHOD"] == "CANCEL"
    assert not Reminder.objects.filter(
        recipient=cast.users["hr"], kind=Kind.MEETING_REMINDER, skipped_at__isnull=True
    ).exists()

    # Invited again: an update (REQUEST, higher SEQUENCE) and the reminders back.
    mail.outbox.clear()
    meeting = update(cast, on_commit, meeting, invitees=(("physician", "adviseur"), ("hr", "notulist")))
    dispatch(on_commit)
    (message,) = mail.outbox
    assert message.to == [cast.users["hr"].email]
    assert calendar_of(message)["METHOD"] == "REQUEST"
    assert only_event(calendar_of(message))["SEQUENCE"] == 3
    assert (
        Reminder.objects.filter(
            recipient=cast.users["hr"], kind=Kind.MEETING_REMINDER, skipped_at__isnull=True
        ).count()
        == 2
    )


def test_removed_before_anything_went_out_and_invited_again_gets_one_invitation(cast, on_commit):
    meeting = plan(cast, on_commit)
    meeting = update(cast, on_commit, meeting, invitees=(("physician", "adviseur"),))
    meeting = update(cast, on_commit, meeting, invitees=(("physician", "adviseur"), ("hr", "notulist")))
    dispatch(on_commit)
    (message,) = sent_to(cast.users["hr"])
    assert message.subject.startswith("Uitnodiging: ")
    assert calendar_of(message)["METHOD"] == "REQUEST"
    assert only_event(calendar_of(message))["SEQUENCE"] == 3
    assert len(mail.outbox) == 3


# --- consent and the R6 notification (R8) -----------------------------------------------


def case_meeting(cast, on_commit, questions="Welke taken kunnen weer?"):
    """A case SMO in three days with the employee's case on the agenda."""
    meeting = plan(cast, on_commit, days=3)
    agenda.add_case_item(
        user=cast.users["manager"], meeting_id=meeting.pk, case_id=cast.case.pk, questions=questions
    )
    return meeting


def test_R6_R8_missing_consent_and_notification_remind_the_physician_and_the_manager(cast, on_commit):
    meeting = case_meeting(cast, on_commit)
    planning.plan_periodic()
    item = meeting.items.get()
    rows = Reminder.objects.filter(kind__in=[Kind.CONSENT_MISSING, Kind.EMPLOYEE_NOT_INFORMED])
    assert {(r.kind, r.recipient_id, r.object_id) for r in rows} == {
        (Kind.CONSENT_MISSING, cast.users["physician"].pk, item.pk),
        (Kind.EMPLOYEE_NOT_INFORMED, cast.users["manager"].pk, item.pk),
    }
    dispatch(on_commit)
    (to_physician,) = [m for m in sent_to(cast.users["physician"]) if "Toestemming" in m.subject]
    assert to_physician.subject.startswith("Toestemming ontbreekt nog: Casus-specifiek SMO op ")
    (to_manager,) = [m for m in sent_to(cast.users["manager"]) if "Melding" in m.subject]
    assert f"{BASE_URL}/overleggen/{meeting.pk}/" in to_manager.body


def test_R8_a_reminder_about_a_case_whose_consent_was_withdrawn_is_not_sent(cast, on_commit):
    """R8: run the gate again when sending; a withdrawal ends the reminder,
    recorded as skipped with a reason code, not as sent."""
    case_meeting(cast, on_commit)
    planning.plan_periodic()
    given = allow(cast)
    consent.withdraw_consent(user=cast.users["employee_concerned"], consent_id=given.pk)
    dispatch(on_commit)

    for row in Reminder.objects.filter(kind__in=[Kind.CONSENT_MISSING, Kind.EMPLOYEE_NOT_INFORMED]):
        assert row.sent_at is None
        assert row.skip_reason == Reminder.SkipReason.CONSENT_WITHDRAWN
    assert not [m for m in mail.outbox if "Toestemming" in m.subject or "Melding" in m.subject]
    # Planned again the next day: nothing new for a withdrawn case.
    count = Reminder.objects.count()
    planning.plan_periodic()
    assert Reminder.objects.count() == count


def test_R8_consent_recorded_in_time_ends_the_reminder(cast, on_commit):
    case_meeting(cast, on_commit)
    planning.plan_periodic()
    allow(cast)
    dispatch(on_commit)
    rows = Reminder.objects.filter(kind__in=[Kind.CONSENT_MISSING, Kind.EMPLOYEE_NOT_INFORMED])
    assert {r.skip_reason for r in rows} == {Reminder.SkipReason.NO_LONGER_APPLIES}


# --- action points, follow-ups (R5), WVP (R20), procedure (R21) ----------------------------


def test_R5_R20_R21_periodic_reminders_for_action_points_follow_ups_wvp_and_procedure(cast, on_commit):
    meeting = case_meeting(cast, on_commit)
    item = meeting.items.get()
    today = timezone.localdate()
    manager, hr = cast.users["manager"], cast.users["hr"]
    soon = ActionPoint.objects.create(
        item=item, case=cast.case, what="Werkplek", owner=manager, due=today + DAY, created_by=manager
    )
    late = ActionPoint.objects.create(
        item=item, case=cast.case, what="Rooster", owner=manager, due=today - DAY, created_by=manager
    )
    ActionPoint.objects.create(
        item=item, case=cast.case, what="Later", owner=manager, due=today + 30 * DAY, created_by=manager
    )
    follow_up = FollowUpObligation.objects.create(meeting=meeting, case=cast.case, manager=manager, due=today)

    counts = planning.plan_periodic()
    assert planning.plan_periodic()[Kind.ACTION_POINT_DUE] == 0  # idempotent
    assert counts[Kind.ACTION_POINT_DUE] == 2
    assert counts[Kind.FOLLOW_UP_DUE] == 1
    points = Reminder.objects.filter(kind=Kind.ACTION_POINT_DUE)
    assert {(r.object_id, r.variant) for r in points} == {(soon.pk, "binnenkort"), (late.pk, "te_laat")}
    assert Reminder.objects.get(kind=Kind.FOLLOW_UP_DUE).object_id == follow_up.pk
    # R20: the plan van aanpak is due within 14 days (first day 50 days ago).
    wvp_rows = Reminder.objects.filter(kind=Kind.WVP_MILESTONE, recipient=manager)
    assert [(r.object_id, r.variant) for r in wvp_rows] == [(cast.case.pk, "plan_van_aanpak")]
    # R21: never evaluated: HR of the organisation.
    assert Reminder.objects.filter(
        kind=Kind.PROCEDURE_EVALUATION, recipient=hr, object_id=cast.organisation.pk
    ).exists()

    soon.status = ActionPoint.Status.DONE
    soon.save(update_fields=["status"])
    dispatch(on_commit)
    subjects = {m.subject for m in sent_to(manager)}
    assert {
        "Actiepunt te laat",
        "Terugkoppeling aan medewerker",
        "Termijn Wet verbetering poortwachter nadert",
    } <= subjects
    assert "Actiepunt verloopt binnenkort" not in subjects  # done before it went out
    assert (
        Reminder.objects.get(kind=Kind.ACTION_POINT_DUE, object_id=soon.pk).skip_reason
        == Reminder.SkipReason.NO_LONGER_APPLIES
    )
    assert "Evaluatie SMO-procedure Zorggroep Test" in {m.subject for m in sent_to(hr)}


def test_R21_procedure_evaluated_recently_is_not_reminded(cast):
    cast.organisation.procedure_evaluated_on = timezone.localdate() - 365 * DAY
    cast.organisation.save(update_fields=["procedure_evaluated_on"])
    planning.plan_periodic()
    assert not Reminder.objects.filter(
        kind=Kind.PROCEDURE_EVALUATION, object_id=cast.organisation.pk
    ).exists()


# --- R12: no employee, no case detail ----------------------------------------------------


def plant_private_data(cast, on_commit):
    """The employee's name in the meeting title, a canary in the agenda
    questions, a consent item and the medical file."""
    name = cast.employee.full_name
    meeting = case_meeting(cast, on_commit, questions=f"{CANARY}-vraag over {name}")
    meeting.title = f"Bespreking {name}"
    with on_commit():
        meeting.save(update_fields=["title"])
    consent.record_consent(
        user=cast.users["physician"],
        case_id=cast.case.pk,
        given_on=timezone.localdate(),
        obtained="spreekuur",
        valid_until=timezone.localdate() + 30 * DAY,
        allowed_roles=[Role.LEIDINGGEVENDE, Role.HR],
        meeting_types=[MeetingType.MULTIDISCIPLINARY],  # not this meeting: consent still missing
        items=(consent.ItemInput("prive", f"{CANARY}-toestemming {name}"),),
    )
    medical.record_note(
        user=cast.users["physician"],
        employee_id=cast.employee.pk,
        date=timezone.localdate(),
        context=f"{CANARY}-context",
        notes=f"{CANARY}-aantekening",
    )
    return meeting


def test_R12_no_email_ics_feed_or_in_app_notice_names_the_employee_or_a_case_detail(cast, on_commit):
    meeting = plant_private_data(cast, on_commit)
    manager = cast.users["manager"]
    item = meeting.items.get()
    ActionPoint.objects.create(
        item=item, case=cast.case, what=f"{CANARY} {cast.employee.full_name}", owner=manager,
        due=timezone.localdate(), created_by=manager,
    )  # fmt: skip
    FollowUpObligation.objects.create(
        meeting=meeting, case=cast.case, manager=manager, due=timezone.localdate()
    )
    planning.plan_periodic()
    dispatch(on_commit)
    dispatch(on_commit, now=meeting.starts_at - DAY + datetime.timedelta(minutes=1))
    # The service refuses a title naming the employee (R12), so the change
    # clears it and the name is planted again in the database afterwards.
    planted_title = meeting.title
    meeting = update(cast, on_commit, meeting, location="Kamer 5", title="Bespreking")
    Meeting.objects.filter(pk=meeting.pk).update(title=planted_title)
    meeting.title = planted_title
    dispatch(on_commit)
    feed = feeds.enable_feed(user=manager)
    feed_body = cast.client("anonymous").get(reverse("calendar_feed", args=[feed.token])).content.decode()
    pages = [
        cast.client(r).get(reverse("my_reminders")).content.decode() for r in ("manager", "physician", "hr")
    ]
    with on_commit():
        scheduling.cancel_meeting(user=manager, meeting_id=meeting.pk)
    dispatch(on_commit)

    sent = {r.kind for r in Reminder.objects.filter(sent_at__isnull=False)}
    assert sent == set(Kind.values), set(Kind.values) - sent  # every kind was sent
    forbidden = [CANARY, cast.employee.full_name, cast.employee.last_name, cast.employee.personnel_number]
    outputs = [feed_body, *pages]
    for message in mail.outbox:
        texts, calendars = texts_and_calendars(message)
        outputs += texts + [c.to_ical().decode() for c in calendars]
    assert len(outputs) > 30
    leaks = [(word, text[:80]) for text in outputs for word in forbidden if word in text]
    assert not leaks
    assert all(meeting.title not in text for text in outputs)


# --- the calendar feed --------------------------------------------------------------------


def test_feed_settings_create_regenerate_revoke(cast, on_commit):
    meeting = plan(cast, on_commit, location="Kamer 2.14")
    client, anonymous = cast.client("physician"), cast.client("anonymous")
    page = client.get(reverse("calendar_feed_settings"))
    assert page.status_code == 200 and "Agenda-link maken" in page.content.decode()

    assert client.post(reverse("calendar_feed_settings"), {"action": "enable"}).status_code == 302
    token = CalendarFeed.objects.get(user=cast.users["physician"]).token
    assert len(token) >= 43
    url = reverse("calendar_feed", args=[token])
    assert f"{BASE_URL}{url}" in client.get(reverse("calendar_feed_settings")).content.decode()

    response = anonymous.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert "no-store" in response["Cache-Control"]
    calendar = Calendar.from_ical(response.content)
    event = only_event(calendar)
    assert str(event["UID"]) == f"meeting-{meeting.pk}@smo-platform"
    assert event["SEQUENCE"] == meeting.version
    assert list(event.walk("VALARM"))
    assert "ATTENDEE" not in event

    client.post(reverse("calendar_feed_settings"), {"action": "enable"})  # regenerate
    new_token = CalendarFeed.objects.get(user=cast.users["physician"]).token
    assert new_token != token
    assert anonymous.get(url).status_code == 404
    assert anonymous.get(reverse("calendar_feed", args=[new_token])).status_code == 200

    client.post(reverse("calendar_feed_settings"), {"action": "revoke"})
    assert not CalendarFeed.objects.filter(user=cast.users["physician"]).exists()
    assert anonymous.get(reverse("calendar_feed", args=[new_token])).status_code == 404


def test_feed_unknown_token_and_inactive_user_404(cast):
    anonymous = cast.client("anonymous")
    assert anonymous.get(reverse("calendar_feed", args=["x" * 43])).status_code == 404
    feed = feeds.enable_feed(user=cast.users["hr"])
    cast.users["hr"].is_active = False
    cast.users["hr"].save(update_fields=["is_active"])
    assert anonymous.get(reverse("calendar_feed", args=[feed.token])).status_code == 404


def test_feed_holds_only_meetings_the_user_sees_and_not_cancelled_ones(cast, on_commit):
    seen = plan(cast, on_commit)
    cancelled = plan(cast, on_commit, days=12)
    with on_commit():
        scheduling.cancel_meeting(user=cast.users["manager"], meeting_id=cancelled.pk)

    def uids(role):
        feed = feeds.enable_feed(user=cast.users[role])
        calendar = Calendar.from_ical(
            cast.client("anonymous").get(reverse("calendar_feed", args=[feed.token])).content
        )
        return {str(e["UID"]) for e in calendar.walk("VEVENT")}

    assert uids("physician") == {f"meeting-{seen.pk}@smo-platform"}
    assert uids("other_manager") == set()
    assert uids("other_org_user") == set()


def test_my_reminders_lists_own_planned_and_sent_reminders_only(cast, on_commit):
    meeting = plan(cast, on_commit, days=10)
    dispatch(on_commit)
    page = cast.client("physician").get(reverse("my_reminders")).content.decode()
    assert "Uitnodiging: Casus-specifiek SMO op " in page
    assert "Verstuurd op" in page and "Gepland voor" in page
    assert f"{BASE_URL}/overleggen/{meeting.pk}/" in page
    assert "Geen meldingen." in cast.client("other_manager").get(reverse("my_reminders")).content.decode()


def test_my_reminders_costs_a_constant_number_of_queries(cast, on_commit, django_assert_num_queries):
    client = cast.client("hr")
    plan(cast, on_commit)
    planning.plan_periodic()  # also the R21 procedure reminder for HR
    dispatch(on_commit)
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse("my_reminders")).status_code == 200
    for days in (11, 12, 13):
        plan(cast, on_commit, days=days)
    dispatch(on_commit)
    with django_assert_num_queries(len(few.captured_queries)):
        assert client.get(reverse("my_reminders")).status_code == 200


def test_R8_skipped_reminders_and_their_reasons_are_not_shown(cast, on_commit):
    """A withdrawal must not show through the outbox (R8)."""
    case_meeting(cast, on_commit)
    planning.plan_periodic()
    given = allow(cast)
    consent.withdraw_consent(user=cast.users["employee_concerned"], consent_id=given.pk)
    dispatch(on_commit)
    page = cast.client("physician").get(reverse("my_reminders")).content.decode()
    assert "Toestemming ontbreekt" not in page
    assert "ingetrokken" not in page


# --- PostgreSQL: concurrent dispatchers and duplicate deliveries ----------------------------


require_postgresql = need_postgresql


def in_thread(target, results: dict, key: str) -> threading.Thread:
    def run():
        try:
            results[key] = target()
        except Exception as error:  # surfaced by the assertions
            results[key] = error
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def schedule_committed(cast):
    """Outside a test transaction: the planning hook runs on the real commit."""
    return schedule(cast, starts_at=_start(10))


@pytest.mark.django_db(transaction=True)
def test_a_second_dispatcher_skips_the_rows_the_first_one_holds(cast):
    require_postgresql()
    schedule_committed(cast)
    locked, release = threading.Event(), threading.Event()
    results: dict = {}

    def first_dispatcher_holding_the_rows():
        with transaction.atomic():
            rows = list(sending.due(timezone.now()).select_for_update(skip_locked=True))
            locked.set()
            release.wait(5)
            return len(rows)

    enqueued: list[int] = []
    with mock.patch.object(tasks.send_reminders, "delay", side_effect=enqueued.extend):
        thread = in_thread(first_dispatcher_holding_the_rows, results, "first")
        assert locked.wait(5)
        assert sending.dispatch_due() == 0  # SKIP LOCKED: does not wait, takes nothing
        release.set()
        thread.join(10)
        assert results["first"] == 3
        assert sending.dispatch_due() == 3
        assert sending.dispatch_due() == 0  # leased
    assert len(enqueued) == len(set(enqueued)) == 3


@pytest.mark.django_db(transaction=True)
def test_two_deliveries_of_the_same_send_task_at_once_send_one_email(cast):
    """A duplicated message (acks late, redelivery) running in parallel: the
    second waits for the row lock, then finds it sent."""
    require_postgresql()
    meeting = schedule_committed(cast)
    reminder = Reminder.objects.get(
        meeting=meeting, recipient=cast.users["physician"], kind=Kind.MEETING_INVITATION
    )
    sending_now, release = threading.Event(), threading.Event()
    sent: list[str] = []

    def slow_send(message, *args, **kwargs):
        sent.append(message.subject)
        sending_now.set()
        release.wait(5)
        return 1

    results: dict = {}
    with mock.patch("django.core.mail.EmailMessage.send", autospec=True, side_effect=slow_send):
        first = in_thread(lambda: sending.send(reminder.pk), results, "first")
        assert sending_now.wait(5)
        second = in_thread(lambda: sending.send(reminder.pk), results, "second")
        time.sleep(0.5)  # the second delivery now waits on the row lock
        release.set()
        first.join(10)
        second.join(10)
    assert (results["first"], results["second"]) == ("sent", "already_sent")
    assert len(sent) == 1


# --- a real worker against Redis (CI) --------------------------------------------------------


@pytest.fixture
def reminder_worker(tmp_path):
    """A real ``celery -A smo worker`` on a queue of its own, on the test
    database, writing its emails to files. The pattern (and the skip/fail
    logic) of tests/test_celery_worker.py."""
    from tests.test_celery_worker import CELERY, _delete_queue, _require_redis, _stop, _wait_until_ready

    _require_redis()
    require_postgresql()
    db = connection.settings_dict
    database_url = "postgres://{}:{}@{}:{}/{}".format(
        quote(db["USER"] or "", safe=""),
        quote(db["PASSWORD"] or "", safe=""),
        db["HOST"] or "localhost",
        db["PORT"] or 5432,
        quote(db["NAME"], safe=""),
    )
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    name = f"test-{uuid.uuid4().hex}"
    queue = f"smo-{name}"
    log = tmp_path / "worker.log"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "smo.settings",
        "PYTHONUNBUFFERED": "1",
        "DATABASE_URL": database_url,
        "EMAIL_URL": f"filemail:///{mail_dir}",
    }
    command = [
        str(CELERY), "-A", "smo", "worker", "--pool", "solo", "--concurrency", "1", "--loglevel", "INFO",
        "-n", f"{name}@%h", "-Q", queue, "--without-gossip", "--without-mingle", "--without-heartbeat",
    ]  # fmt: skip
    with log.open("wb") as out:
        process = subprocess.Popen(
            command, cwd=settings.BASE_DIR, env=env, stdout=out, stderr=subprocess.STDOUT
        )
    try:
        _wait_until_ready(process, name, log)
        yield queue, mail_dir, log
    finally:
        _stop(process)
        _delete_queue(queue)


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_real_worker_sends_each_invitation_once_with_a_valid_ics(request, cast):
    from tests.test_celery_worker import _require_redis

    _require_redis()  # in the test body, so CI reports a failure, not a setup error
    require_postgresql()
    queue, mail_dir, log = request.getfixturevalue("reminder_worker")
    assert celery_app.conf.task_always_eager is False
    meeting = schedule_committed(cast)

    def to_worker(reminder_ids):
        return tasks.send_reminders.apply_async((reminder_ids,), queue=queue)

    with mock.patch.object(tasks.send_reminders, "delay", side_effect=to_worker):
        assert sending.dispatch_due() == 3
        deadline = time.monotonic() + 30
        invitations = Reminder.objects.filter(meeting=meeting, kind=Kind.MEETING_INVITATION)
        while invitations.filter(sent_at__isnull=True).exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not invitations.filter(sent_at__isnull=True).exists(), log.read_text(errors="replace")
        assert sending.dispatch_due() == 0
        # A duplicated delivery of a sent reminder sends nothing.
        assert to_worker([invitations.first().pk]).get(timeout=30) == {"already_sent": 1}
        duplicate = tasks.send_reminder.apply_async((invitations.first().pk,), queue=queue)
        assert duplicate.get(timeout=30) == "already_sent"

    raw = b"".join(path.read_bytes() for path in sorted(mail_dir.iterdir()))
    messages = [email.message_from_bytes(chunk.strip()) for chunk in raw.split(b"-" * 79) if chunk.strip()]
    assert len(messages) == 3
    for message in messages:
        assert str(email.header.make_header(email.header.decode_header(message["Subject"]))).startswith(
            "Uitnodiging: Casus-specifiek SMO op "
        )
        (part,) = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
        calendar = Calendar.from_ical(part.get_payload(decode=True))
        assert calendar["METHOD"] == "REQUEST"
        assert str(only_event(calendar)["UID"]) == f"meeting-{meeting.pk}@smo-platform"
    assert cast.employee.full_name.encode() not in raw


def test_send_reminders_command_sends_due_invitations_once(cast, django_capture_on_commit_callbacks):
    from django.core import mail
    from django.core.management import call_command

    from tests.meetings.conftest import schedule

    with django_capture_on_commit_callbacks(execute=True):
        schedule(cast)
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_reminders")
    sent = len(mail.outbox)
    assert sent >= 3  # an invitation for every participant
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_reminders")
    assert len(mail.outbox) == sent
