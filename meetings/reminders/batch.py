"""What the run-time checks of a batch of reminders read, in a few queries.

Sending re-checks every reminder when it runs (membership of the
organisation, participation, a newer calendar message; ``checks``). For a
batch these facts are read once for all its reminders, after the rows are
locked, instead of a handful of queries per reminder. The answers are the
same as the per-reminder queries would give at that moment: the batch is
checked in primary-key order and a check only looks at rows with a higher
key, which the batch itself does not skip before it reaches them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db.models import Max

from casefiles.models import Membership

from ..models import Participant, Reminder
from .common import AGENDA_CASE_KINDS, CALENDAR_KINDS, MEETING_KINDS, Kind


@dataclass
class Facts:
    """Memberships, participations and the newest open calendar message of
    the recipients of a batch."""

    memberships: set[tuple[int, int]] = field(default_factory=set)  # (user, organisation)
    participants: set[tuple[int, int]] = field(default_factory=set)  # (meeting, user)
    newest_calendar: dict[tuple[int, int], int] = field(default_factory=dict)  # (meeting, user) -> pk

    def is_member(self, user, organisation_id: int) -> bool:
        """The user works for the organisation (``permissions.organisations_of``)."""
        return user.is_active and (user.pk, organisation_id) in self.memberships

    def is_participant(self, meeting, user) -> bool:
        return (meeting.pk, user.pk) in self.participants

    def has_newer_calendar_message(self, reminder: Reminder) -> bool:
        """Another calendar message (invitation, update, cancellation) to
        the same person about the same meeting, planned later and not
        skipped: it replaces this one."""
        newest = self.newest_calendar.get((reminder.meeting_id, reminder.recipient_id))
        return newest is not None and newest > reminder.pk


def load(reminders: Sequence[Reminder]) -> Facts:
    """At most three queries, whatever the size of the batch."""
    facts = Facts()
    with_meeting = [r for r in reminders if r.kind in MEETING_KINDS | AGENDA_CASE_KINDS]
    organisations = {r.meeting.organisation_id for r in with_meeting if r.kind in MEETING_KINDS}
    organisations |= {r.object_id for r in reminders if r.kind == Kind.PROCEDURE_EVALUATION}
    users = {r.recipient_id for r in reminders}
    if organisations:
        facts.memberships = set(
            Membership.objects.filter(user_id__in=users, organisation_id__in=organisations).values_list(
                "user_id", "organisation_id"
            )
        )
    if with_meeting:
        facts.participants = set(
            Participant.objects.filter(
                meeting_id__in={r.meeting_id for r in with_meeting},
                user_id__in={r.recipient_id for r in with_meeting},
            ).values_list("meeting_id", "user_id")
        )
    calendar = [r for r in reminders if r.kind in CALENDAR_KINDS]
    if calendar:
        rows = (
            Reminder.objects.filter(
                meeting_id__in={r.meeting_id for r in calendar},
                recipient_id__in={r.recipient_id for r in calendar},
                kind__in=CALENDAR_KINDS,
                skipped_at__isnull=True,
            )
            .order_by()
            .values_list("meeting_id", "recipient_id")
            .annotate(newest=Max("pk"))
        )
        facts.newest_calendar = {(meeting_id, user_id): newest for meeting_id, user_id, newest in rows}
    return facts
