"""Planning: write reminder rows in the database, never touch the broker.

Everything here is idempotent: each reminder has a ``dedupe_key``, so
planning again (a retried hook, the daily run) adds nothing that exists.
"""

from __future__ import annotations

import datetime
import hashlib
from collections import Counter, defaultdict
from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from casefiles import selectors as casefile_selectors
from casefiles import wvp
from casefiles.models import AbsenceCase, Organisation
from consent.services import Reason
from consent.types import CASE_MEETING_TYPES
from smo import permissions
from smo.roles import PHYSICIAN_ROLES, Role

from ..models import ActionPoint, FollowUpObligation, Meeting, Reminder
from ..services import agenda
from ..services.common import participants_with_roles
from .common import (
    AGENDA_CASE_KINDS,
    CALENDAR_KINDS,
    CASE_CHECK_DAYS,
    CONSENT_REASONS,
    DUE_SOON_DAYS,
    OVERDUE,
    SOON,
    Kind,
    Skip,
    managers_of,
    procedure_evaluation_due,
    reminder_days,
)

# Reasons after which a planned meeting reminder may come back to life
# (the participant is back, the meeting moved back).
REVIVABLE = frozenset({Skip.NOT_PARTICIPANT, Skip.RESCHEDULED})


def fingerprint(meeting: Meeting) -> str:
    """What a calendar entry shows: a change here is an update (R12: no
    title, no agenda)."""
    parts = (
        meeting.meeting_type,
        meeting.starts_at.astimezone(datetime.UTC).isoformat(),
        str(meeting.duration_minutes),
        meeting.location,
        meeting.video_link,
        str(meeting.organisation_id),
    )
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def _create(key: str, **fields) -> tuple[Reminder, bool]:
    existing = Reminder.objects.filter(dedupe_key=key).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            return Reminder.objects.create(dedupe_key=key, **fields), True
    except IntegrityError:  # planned concurrently
        return Reminder.objects.get(dedupe_key=key), False


def _skip(rows: Iterable[Reminder], reason: str, now: datetime.datetime) -> None:
    ids = [r.pk for r in rows if r.is_pending]
    if ids:
        Reminder.objects.filter(pk__in=ids, sent_at__isnull=True).update(skipped_at=now, skip_reason=reason)


def _create_missing(rows: list[Reminder]) -> int:
    """Insert the rows whose dedupe_key does not exist yet; returns how many."""
    keys = {r.dedupe_key for r in rows}
    existing = set(Reminder.objects.filter(dedupe_key__in=keys).values_list("dedupe_key", flat=True))
    new = {r.dedupe_key: r for r in rows if r.dedupe_key not in existing}
    Reminder.objects.bulk_create(new.values(), ignore_conflicts=True, batch_size=500)
    return len(new)


# --- meetings: invitations, updates, cancellations, reminders -------------------


@transaction.atomic
def plan_meeting_reminders(meeting_id: int, now: datetime.datetime | None = None) -> None:
    """Bring the meeting's reminder rows in line with the meeting: an
    invitation for every participant, an update when what the calendar
    shows changed, a cancellation for whoever received it and is no longer
    invited (or when the meeting is cancelled), and the reminders some days
    before. Runs after the meeting's transaction committed."""
    now = now or timezone.now()
    meeting = Meeting.objects.select_for_update().filter(pk=meeting_id).first()
    if meeting is None:
        return
    participants = set(meeting.participants.values_list("user_id", flat=True))
    calendar: dict[int, list[Reminder]] = defaultdict(list)
    for row in meeting.reminders.filter(kind__in=CALENDAR_KINDS).order_by("meeting_version", "pk"):
        calendar[row.recipient_id].append(row)
    others = list(meeting.reminders.exclude(kind__in=CALENDAR_KINDS).filter(sent_at__isnull=True))

    if meeting.status == Meeting.Status.CANCELLED:
        for user_id, rows in calendar.items():
            _withdraw(meeting, user_id, rows, Skip.MEETING_CANCELLED, now)
        _skip(others, Skip.MEETING_CANCELLED, now)
        return
    for user_id, rows in calendar.items():
        if user_id not in participants:
            _withdraw(meeting, user_id, rows, Skip.NOT_PARTICIPANT, now)
    _skip(
        (r for r in others if r.kind == Kind.MEETING_REMINDER and r.recipient_id not in participants),
        Skip.NOT_PARTICIPANT,
        now,
    )
    if meeting.status != Meeting.Status.PLANNED or meeting.starts_at <= now:
        return
    current = fingerprint(meeting)
    reminders = {r.dedupe_key: r for r in others if r.kind == Kind.MEETING_REMINDER}
    for user_id in sorted(participants):
        _invite(meeting, user_id, calendar.get(user_id, []), current, now)
        _plan_meeting_reminders(meeting, user_id, reminders, now)


def _withdraw(meeting: Meeting, user_id: int, rows: list[Reminder], reason: str, now) -> None:
    """Take the meeting out of this person's calendar: nothing unsent goes
    out, and a cancellation follows when an invitation or update was sent."""
    if rows[-1].kind == Kind.MEETING_CANCELLED:
        return
    _skip(rows, reason, now)
    last_sent = next((r for r in reversed(rows) if r.sent_at is not None), None)
    if last_sent is not None and last_sent.kind != Kind.MEETING_CANCELLED:
        _create(
            f"meeting_cancelled:{meeting.pk}:{user_id}:{meeting.version}",
            kind=Kind.MEETING_CANCELLED,
            recipient_id=user_id,
            meeting=meeting,
            meeting_version=meeting.version,
            fingerprint=fingerprint(meeting),
            due_at=now,
        )


def _invite(meeting: Meeting, user_id: int, rows: list[Reminder], current: str, now) -> None:
    last = rows[-1] if rows else None
    if last is None:
        _create(
            f"meeting_invitation:{meeting.pk}:{user_id}",
            kind=Kind.MEETING_INVITATION,
            recipient_id=user_id,
            meeting=meeting,
            meeting_version=meeting.version,
            fingerprint=current,
            due_at=now,
        )
        return
    if last.kind != Kind.MEETING_CANCELLED and last.skipped_at is None:
        if last.fingerprint == current:
            return
        if last.sent_at is None:
            # Not sent yet: it will show the meeting as it is when it goes out.
            last.meeting_version, last.fingerprint = meeting.version, current
            last.save(update_fields=["meeting_version", "fingerprint"])
            return
    _skip(rows, Skip.SUPERSEDED, now)
    # Whoever never received the meeting gets an invitation, else an update.
    received = any(r.sent_at is not None and r.kind != Kind.MEETING_CANCELLED for r in rows)
    kind = Kind.MEETING_UPDATE if received else Kind.MEETING_INVITATION
    _create(
        f"{kind}:{meeting.pk}:{user_id}:{meeting.version}",
        kind=kind,
        recipient_id=user_id,
        meeting=meeting,
        meeting_version=meeting.version,
        fingerprint=current,
        due_at=now,
    )


def _plan_meeting_reminders(meeting: Meeting, user_id: int, existing: dict[str, Reminder], now) -> None:
    for days in reminder_days():
        due = meeting.starts_at - datetime.timedelta(days=days)
        key = f"meeting_reminder:{meeting.pk}:{user_id}:{days}"
        row = existing.get(key) or Reminder.objects.filter(dedupe_key=key).first()
        if row is None:
            if due > now:
                _create(
                    key,
                    kind=Kind.MEETING_REMINDER,
                    recipient_id=user_id,
                    meeting=meeting,
                    variant=str(days),
                    due_at=due,
                )
            continue
        if row.sent_at is not None or (row.due_at == due and row.skipped_at is None):
            continue
        if due > now:
            revive = row.skipped_at is not None and row.skip_reason in REVIVABLE
            if row.skipped_at is None or revive:
                Reminder.objects.filter(pk=row.pk, sent_at__isnull=True).update(
                    due_at=due, skipped_at=None, skip_reason=""
                )
        elif row.skipped_at is None:
            # Moved so close that this reminder would come too late.
            _skip([row], Skip.RESCHEDULED, now)


# --- the daily run ---------------------------------------------------------------


def plan_periodic(now: datetime.datetime | None = None) -> dict[str, int]:
    """The daily planner: reconcile upcoming meetings, then plan the case,
    action point, follow-up, WVP and procedure reminders. Returns counts of
    new rows per kind."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    counts: Counter[str] = Counter()
    counts["meetings_checked"] = _reconcile_meetings(now)
    counts.update(_plan_agenda_cases(now))
    counts[Kind.ACTION_POINT_DUE] = _plan_action_points(now, today)
    counts[Kind.FOLLOW_UP_DUE] = _plan_follow_ups(now, today)
    counts[Kind.WVP_MILESTONE] = _plan_wvp(now, today)
    counts[Kind.PROCEDURE_EVALUATION] = _plan_procedure(now, today)
    return {str(k): v for k, v in counts.items()}


def _reconcile_meetings(now) -> int:
    """Catch what a hook missed (a crash after commit, a bulk change)."""
    ids = Meeting.objects.filter(
        Q(status=Meeting.Status.PLANNED, starts_at__gt=now)
        | Q(status=Meeting.Status.CANCELLED, cancelled_at__gte=now - datetime.timedelta(days=2))
    ).values_list("pk", flat=True)
    count = 0
    for meeting_id in ids.iterator():
        plan_meeting_reminders(meeting_id, now)
        count += 1
    return count


def _plan_agenda_cases(now) -> Counter[str]:
    """R6, R8: for case meetings in the next days, remind the manager to
    record the notification and the authorised bedrijfsarts to record the
    consent. A case whose consent was withdrawn gets neither: nobody is
    pressed to obtain it again."""
    rows: list[Reminder] = []
    meetings = Meeting.objects.filter(
        status=Meeting.Status.PLANNED,
        starts_at__gt=now,
        starts_at__lte=now + datetime.timedelta(days=CASE_CHECK_DAYS),
        meeting_type__in=CASE_MEETING_TYPES,
    )
    for meeting in meetings:
        physicians = [
            p.user
            for p in participants_with_roles(meeting)
            if {g.name for g in p.user.role_groups} & PHYSICIAN_ROLES and p.user.is_active
        ]
        for ready in agenda.readiness(meeting):
            item, decision = ready.item, ready.decision
            if decision is None or decision.allowed or Reason.CONSENT_WITHDRAWN in decision.reasons:
                continue
            employee = item.case.employee
            common = {"meeting_id": meeting.pk, "object_id": item.pk, "due_at": now}
            if Reason.NO_NOTIFICATION in decision.reasons:
                rows += [
                    Reminder(
                        kind=Kind.EMPLOYEE_NOT_INFORMED,
                        recipient_id=user.pk,
                        dedupe_key=f"employee_not_informed:{item.pk}:{user.pk}",
                        **common,
                    )
                    for user in managers_of(employee)
                ]
            if set(decision.reasons) & CONSENT_REASONS:
                rows += [
                    Reminder(
                        kind=Kind.CONSENT_MISSING,
                        recipient_id=user.pk,
                        dedupe_key=f"consent_missing:{item.pk}:{user.pk}",
                        **common,
                    )
                    for user in physicians
                    if permissions.can_view_medical_file(user, employee)
                ]
    counts: Counter[str] = Counter()
    for kind in AGENDA_CASE_KINDS:
        counts[kind] = _create_missing([r for r in rows if r.kind == kind])
    return counts


def _variant(due: datetime.date, today: datetime.date) -> str:
    return OVERDUE if due < today else SOON


def _due_rows(kind: str, triples, now, today: datetime.date) -> list[Reminder]:
    """One "due soon / overdue" reminder per (object, recipient, due date)."""
    return [
        Reminder(
            kind=kind,
            recipient_id=recipient_id,
            object_id=pk,
            object_date=due,
            variant=_variant(due, today),
            due_at=now,
            dedupe_key=f"{Kind(kind).value}:{pk}:{recipient_id}:{due.isoformat()}:{_variant(due, today)}",
        )
        for pk, recipient_id, due in triples
    ]


def _plan_action_points(now, today: datetime.date) -> int:
    points = ActionPoint.objects.filter(
        status=ActionPoint.Status.OPEN,
        owner__isnull=False,
        owner__is_active=True,
        due__lte=today + datetime.timedelta(days=DUE_SOON_DAYS),
    ).values_list("pk", "owner_id", "due")
    return _create_missing(_due_rows(Kind.ACTION_POINT_DUE, points.iterator(), now, today))


def _plan_follow_ups(now, today: datetime.date) -> int:
    """R5: the manager still has to inform the employee of the outcome."""
    obligations = FollowUpObligation.objects.filter(
        done_at__isnull=True, due__lte=today + datetime.timedelta(days=DUE_SOON_DAYS)
    ).values_list("pk", "manager_id", "due")
    return _create_missing(_due_rows(Kind.FOLLOW_UP_DUE, obligations.iterator(), now, today))


def _plan_wvp(now, today: datetime.date) -> int:
    """R20: a WVP milestone within 14 days, to the employee's manager."""
    cases = casefile_selectors.cases_with_wvp_facts(
        AbsenceCase.objects.filter(end_date__isnull=True).select_related(
            "employee__manager", "employee__department"
        )
    )
    managers: dict[tuple, list] = {}
    rows: list[Reminder] = []
    for case in cases.iterator(chunk_size=500):
        due_soon = [m for m in wvp.milestones(wvp.facts_of(case), today) if m.status == wvp.Status.DUE]
        if not due_soon:
            continue
        employee = case.employee
        key = (employee.manager_id, employee.department_id)
        if key not in managers:
            managers[key] = managers_of(employee)
        for milestone in due_soon:
            rows += [
                Reminder(
                    kind=Kind.WVP_MILESTONE,
                    recipient_id=user.pk,
                    object_id=case.pk,
                    object_date=milestone.due,
                    variant=str(milestone.step),
                    due_at=now,
                    dedupe_key=f"wvp_milestone:{case.pk}:{milestone.step}:{milestone.due.isoformat()}:{user.pk}",
                )
                for user in managers[key]
            ]
    return _create_missing(rows)


def _plan_procedure(now, today: datetime.date) -> int:
    """R21: an organisation evaluates its SMO procedure at least every three
    years; HR is reminded once a quarter while it is due."""
    quarter = f"{today.year}Q{(today.month - 1) // 3 + 1}"
    rows: list[Reminder] = []
    users = get_user_model().objects.filter(is_active=True, groups__name=Role.HR)
    for organisation in Organisation.objects.all():
        if not procedure_evaluation_due(organisation, today):
            continue
        hr = users.filter(memberships__organisation=organisation).values_list("pk", flat=True)
        rows += [
            Reminder(
                kind=Kind.PROCEDURE_EVALUATION,
                recipient_id=user_id,
                object_id=organisation.pk,
                due_at=now,
                dedupe_key=f"procedure_evaluation:{organisation.pk}:{user_id}:{quarter}",
            )
            for user_id in hr
        ]
    return _create_missing(rows)
