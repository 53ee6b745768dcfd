"""R12, R9: every email of every reminder kind (the kinds enumerated from
``Reminder.Kind``, so a new kind fails here until this test triggers it),
its .ics and the calendar feed carry no canary, and never the employee's
first name, last name, full name or personnel number."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from meetings.models import ActionPoint, FollowUpObligation, Meeting, Reminder
from meetings.reminders import feeds, planning, sending
from meetings.services import agenda, scheduling

from ..meetings.conftest import schedule
from .crawling import readable
from .planting import CANARIES, plant

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_celery")]

DAY = datetime.timedelta(days=1)


def texts_of(message) -> list[str]:
    """Subject, headers, every decoded part and every .ics (raw and parsed)."""
    texts = [str(message.subject), str(message.message())]
    for part in message.message().walk():
        if part.is_multipart():
            continue
        payload = part.get_payload(decode=True)
        texts.append(readable(payload, part.get_content_type()))  # .ics unfolded
        if part.get_content_type() == "text/calendar":
            texts.append(readable(Calendar.from_ical(payload).to_ical(), "text/calendar"))
    return texts


def forbidden_words(cast) -> list[str]:
    employee = cast.employee
    names = [employee.first_name, employee.last_name, employee.full_name, employee.personnel_number]
    return [c.text for c in CANARIES] + [n for n in names if n]


def plant_title(meeting, title: str) -> None:
    Meeting.objects.filter(pk=meeting.pk).update(title=title)
    meeting.title = title


def test_R12_no_reminder_email_or_ics_of_any_kind_leaks(cast, django_capture_on_commit_callbacks):
    def committed():
        return django_capture_on_commit_callbacks(execute=True)

    plant(cast)
    name, manager = cast.employee.full_name, cast.users["manager"]
    with committed():
        meeting = schedule(cast, starts_at=(timezone.now() + 3 * DAY).replace(second=0, microsecond=0))
        # The title names the employee: the forms refuse that (R12), so it is
        # planted in the database, as legacy data would be. It must still stay
        # inside the application.
        plant_title(meeting, f"Bespreking {name} {cast.employee.personnel_number}")
        agenda.add_case_item(
            user=manager, meeting_id=meeting.pk, case_id=cast.case.pk, questions=f"Vraag over {name}"
        )
    item = meeting.items.get()
    ActionPoint.objects.create(
        item=item, case=cast.case, what=f"Gesprek met {name}", owner=manager, due=timezone.localdate(),
        created_by=manager,
    )  # fmt: skip
    FollowUpObligation.objects.create(
        meeting=meeting, case=cast.case, manager=manager, due=timezone.localdate()
    )
    planning.plan_periodic()
    with committed():
        sending.dispatch_due()
    with committed():  # the reminder one day before
        sending.dispatch_due(now=meeting.starts_at - DAY + datetime.timedelta(minutes=1))
    with committed():  # an update (new place) ...
        scheduling.update_meeting(
            user=manager,
            meeting_id=meeting.pk,
            expected_version=meeting.version,
            data=scheduling.MeetingData(
                meeting_type=meeting.meeting_type,
                title="Bespreking",
                starts_at=meeting.starts_at,
                duration_minutes=meeting.duration_minutes,
                location="Kamer 5",
                video_link=meeting.video_link,
            ),
            chair=manager,
            invitees=[
                scheduling.Invitee(cast.users["physician"], "adviseur"),
                scheduling.Invitee(cast.users["hr"], "notulist"),
            ],
        )
    plant_title(meeting, f"Bespreking {name} {cast.employee.personnel_number}")
    with committed():
        sending.dispatch_due()
    feed = feeds.enable_feed(user=manager)
    feed = cast.client("anonymous").get(reverse("calendar_feed", args=[feed.token]))
    feed_body = readable(feed.content, "text/calendar")
    with committed():  # ... and a cancellation
        scheduling.cancel_meeting(user=manager, meeting_id=meeting.pk)
    with committed():
        sending.dispatch_due()

    sent = {r.kind for r in Reminder.objects.filter(sent_at__isnull=False)}
    assert sent == set(Reminder.Kind.values), f"kinds never sent here: {set(Reminder.Kind.values) - sent}"
    outputs = [feed_body] + [text for message in mail.outbox for text in texts_of(message)]
    assert "BEGIN:VEVENT" in feed_body
    assert sum("BEGIN:VCALENDAR" in text for text in outputs) > 3
    leaks = [
        (word, text[max(0, text.find(word) - 80) : text.find(word) + 40])
        for text in outputs
        for word in forbidden_words(cast)
        if word in text
    ]
    assert not leaks
