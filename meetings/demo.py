"""Demo meetings for ``seed_demo --meetings N`` (used by ``make bench``).

Three kinds, all in the demo organisation with the demo accounts of
``casefiles.demo`` (which must exist):

- one **running** casus-specifiek SMO today with ``agenda_size`` case items,
  built through the services as a user would: the R6 notification and the R7
  consent are recorded for each case (so the R8 gate lets it through), the
  chair opens the meeting, confirms the roles (R21) and opens the first item;
- one **closed** SMO with ``agenda_size`` discussed items, each with a
  decision and an action point (R10): the PDF minutes of ``make bench``;
- the rest as history (closed, over the absence period) and a few planned
  ones ahead, written in bulk: mostly case SMOs with a few case items, some
  SROs (never a bedrijfsarts, R2) and theme SMTs (no individual case, R1).

Deterministic (seeded random) and idempotent: an organisation that already
has meetings is left alone. Decisions are in functional terms only (R7a).
"""

from __future__ import annotations

import datetime
import random

from django.db import transaction
from django.db.models import Min
from django.utils import timezone

from casefiles.models import AbsenceCase, Membership, Organisation
from consent import services as consent
from consent.types import MeetingType
from smo.roles import Role

from .models import ActionPoint, AgendaItem, Decision, Meeting, Participant
from .services import agenda, running, scheduling

THEMES = ["Psychosociale arbeidsbelasting", "Nachtwerk", "Mantelzorg", "Werken met kanker", "Uitkomsten RI&E"]
DECISIONS = [
    "Werkhervatting in aangepast werk, twee dagdelen per week, opbouw in overleg.",
    "Werkplek aanpassen; evaluatie van het plan van aanpak over zes weken.",
    "Begeleiding door het bedrijfsmaatschappelijk werk; volgende bespreking over vier weken.",
    "Scholing voor een andere functie verkennen; casemanager maakt afspraken.",
]
ACTIONS = [
    ("Afspraak met medewerker over opbouw uren", ActionPoint.Type.RETURN_TO_WORK),
    ("Werkplekonderzoek aanvragen", ActionPoint.Type.WORK_ADAPTATION),
    ("Verwijzing naar bedrijfsmaatschappelijk werk bespreken", ActionPoint.Type.BMW),
    ("Scholingsmogelijkheden uitzoeken", ActionPoint.Type.TRAINING),
]
BATCH_SIZE = 2000


def _at(day: datetime.date, hour: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def seed_meetings(
    organisation: Organisation, *, count: int, agenda_size: int = 30, today: datetime.date | None = None
) -> int:
    """Create ``count`` meetings (at least the two showcase meetings); returns
    how many the organisation has afterwards."""
    if count <= 0 or organisation.meetings.exists():
        return organisation.meetings.count()
    today = today or timezone.localdate()
    members = Membership.objects.filter(organisation=organisation).select_related("user")
    users = {m.user.username: m.user for m in members}
    rng = random.Random(f"{organisation.slug}-meetings-{count}")  # noqa: S311  (demo data)
    running_meeting = _running_meeting(organisation, users, agenda_size, today)
    on_agenda = list(running_meeting.items.order_by("position").values_list("case_id", flat=True))
    with transaction.atomic():
        _history(organisation, users, count - 1, agenda_size, today, rng, on_agenda)
    return organisation.meetings.count()


def _running_meeting(organisation, users, agenda_size: int, today: datetime.date) -> Meeting:
    chair, physician, hr = users["leidinggevende"], users["bedrijfsarts"], users["hr"]
    with transaction.atomic():
        meeting = scheduling.schedule_meeting(
            user=chair,
            organisation=organisation,
            data=scheduling.MeetingData(
                meeting_type=MeetingType.CASE_SMO,
                title="SMT Locatie Amersfoort",
                starts_at=_at(today, 9),
                duration_minutes=180,
                location="Vergaderzaal 2",
            ),
            chair=chair,
            invitees=[
                scheduling.Invitee(physician, Participant.Role.ADVISER),
                scheduling.Invitee(hr, Participant.Role.MINUTE_TAKER),
            ],
        )
    cases = list(agenda.cases_to_bring_in(chair, meeting).order_by("first_day", "pk")[:agenda_size])
    week = datetime.timedelta(days=7)
    for case in cases:
        # R6 and R7: informed, and consent for this kind of meeting with these roles.
        consent.record_notification(
            user=chair,
            case_id=case.pk,
            informed_on=today - week,
            how="persoonlijk",
            meeting_type=MeetingType.CASE_SMO,
            period_start=today - week,
            period_end=today + 8 * week,
            purpose="Werkhervatting afstemmen",
            questions="Welke taken kunnen weer?",
            employee_invited=True,
        )
        consent.record_consent(
            user=physician,
            case_id=case.pk,
            given_on=today - week,
            obtained="spreekuur",
            valid_until=today + 8 * week,
            allowed_roles=[Role.LEIDINGGEVENDE, Role.HR],
            meeting_types=[MeetingType.CASE_SMO],
        )
        agenda.add_case_item(
            user=chair, meeting_id=meeting.pk, case_id=case.pk, questions="Welke taken kunnen weer?"
        )
    running.open_meeting(user=chair, meeting_id=meeting.pk)
    running.confirm_roles(user=chair, meeting_id=meeting.pk, present_user_ids={chair.pk, physician.pk, hr.pk})
    first = meeting.items.order_by("position").first()
    if first is not None:
        running.open_item(user=chair, item_id=first.pk)
    return meeting


def _history(organisation, users, count, agenda_size, today, rng, on_agenda) -> None:
    """``count`` meetings in bulk; the first is the closed one with
    ``agenda_size`` items: the previous SMT of the running one, two weeks
    ago, with the same cases (``on_agenda``), so that they have decisions and
    action points as on a real case page. No other meeting takes those."""
    manager, physician, hr, expert = (
        users["leidinggevende"],
        users["bedrijfsarts"],
        users["hr"],
        users["arbeidsdeskundige"],
    )
    case_ids = list(
        AbsenceCase.objects.filter(employee__organisation=organisation)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    first_day = AbsenceCase.objects.filter(employee__organisation=organisation).aggregate(m=Min("first_day"))[
        "m"
    ]
    span = max((today - (first_day or today)).days, 30)
    meetings = []
    for n in range(count):
        if n == 0:
            kind, day = MeetingType.CASE_SMO, today - datetime.timedelta(days=14)
        else:
            kind = (
                MeetingType.SRO if n % 10 == 3 else MeetingType.THEME if n % 10 == 7 else MeetingType.CASE_SMO
            )
            ahead = n % 12 == 5  # about one in twelve is still ahead
            day = (
                today + datetime.timedelta(days=rng.randint(2, 120))
                if ahead
                else today - datetime.timedelta(days=rng.randint(1, span))
            )
        closed = day < today
        starts = _at(day, 10 if n % 2 else 14)
        meetings.append(
            Meeting(
                organisation=organisation,
                meeting_type=kind,
                title=_title(kind, day),
                starts_at=starts,
                duration_minutes=90,
                location="Vergaderzaal 1",
                status=Meeting.Status.CLOSED if closed else Meeting.Status.PLANNED,
                created_by=expert if kind == MeetingType.SRO else manager,
                opened_at=starts if closed else None,
                roles_confirmed_at=starts if closed else None,
                closed_at=starts + datetime.timedelta(minutes=90) if closed else None,
                minutes_text="Besproken: het thema en de maatregelen op afdelingsniveau."
                if closed and kind == MeetingType.THEME
                else "",
            )
        )
    meetings = Meeting.objects.bulk_create(meetings, batch_size=BATCH_SIZE)
    participants, items = [], []
    for n, meeting in enumerate(meetings):
        if meeting.meeting_type == MeetingType.SRO:  # R2: never a bedrijfsarts
            circle = [(expert, Participant.Role.CHAIR), (manager, Participant.Role.PARTICIPANT)]
            circle.append((hr, Participant.Role.MINUTE_TAKER))
        else:
            circle = [(manager, Participant.Role.CHAIR), (physician, Participant.Role.ADVISER)]
            circle.append((hr, Participant.Role.MINUTE_TAKER))
        participants += [Participant(meeting=meeting, user=u, role=r, present=True) for u, r in circle]
        done = meeting.status == Meeting.Status.CLOSED
        status = AgendaItem.Status.DONE if done else AgendaItem.Status.PENDING
        if meeting.meeting_type == MeetingType.THEME:  # R1: themes only
            items.append(
                AgendaItem(
                    meeting=meeting,
                    meeting_type=meeting.meeting_type,
                    kind=AgendaItem.Kind.THEME,
                    title=rng.choice(THEMES),
                    position=1,
                    status=status,
                )
            )
            continue
        size = agenda_size if n == 0 else rng.randint(2, 5)
        pool = [pk for pk in rng.sample(case_ids, min(len(case_ids), size + 5)) if pk not in on_agenda]
        if n == 0:
            pool = on_agenda + pool
        items += [
            AgendaItem(
                meeting=meeting,
                meeting_type=meeting.meeting_type,
                kind=AgendaItem.Kind.CASE,
                case_id=case_id,
                position=position,
                status=status,
                opened_at=meeting.starts_at if done else None,
                closed_at=meeting.starts_at if done else None,
            )
            for position, case_id in enumerate(pool[:size], start=1)
        ]
    Participant.objects.bulk_create(participants, batch_size=BATCH_SIZE)
    items = AgendaItem.objects.bulk_create(items, batch_size=BATCH_SIZE)
    decisions, actions = [], []
    for item in items:
        if item.status != AgendaItem.Status.DONE or item.kind != AgendaItem.Kind.CASE:
            continue
        decisions.append(Decision(item=item, text=rng.choice(DECISIONS), created_by=hr))
        what, kind = rng.choice(ACTIONS)
        actions.append(
            ActionPoint(
                item=item,
                case_id=item.case_id,
                what=what,
                owner=manager,
                due=item.meeting.starts_at.date() + datetime.timedelta(days=14),
                type=kind,
                status=ActionPoint.Status.DONE
                if item.meeting.starts_at.date() < today - datetime.timedelta(days=30)
                else ActionPoint.Status.OPEN,
                created_by=hr,
            )
        )
    Decision.objects.bulk_create(decisions, batch_size=BATCH_SIZE)
    ActionPoint.objects.bulk_create(actions, batch_size=BATCH_SIZE)


def _title(kind: str, day: datetime.date) -> str:
    label = {MeetingType.SRO: "SRO", MeetingType.THEME: "Thema-SMT"}.get(kind, "SMT")
    return f"{label} {day:%d-%m-%Y}"
