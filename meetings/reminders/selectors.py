"""Read side of the reminders: a user's own notifications for the app."""

from __future__ import annotations

from dataclasses import dataclass

from casefiles.models import Organisation

from ..models import Reminder
from .common import Kind
from .content import Message, describe

LIST_LIMIT = 100


@dataclass(frozen=True)
class Row:
    reminder: Reminder
    message: Message


def reminders_for(user) -> list[Row]:
    """The user's planned and sent reminders, newest first. Reminders that
    were not sent are left out, and so is why: a withdrawal (R8) must not
    show through an outbox."""
    reminders = list(
        Reminder.objects.filter(recipient=user, skipped_at__isnull=True)
        .select_related("meeting__organisation")
        .order_by("-due_at", "-pk")[:LIST_LIMIT]
    )
    organisation_ids = {r.object_id for r in reminders if r.kind == Kind.PROCEDURE_EVALUATION}
    organisations = Organisation.objects.in_bulk(organisation_ids) if organisation_ids else {}
    return [
        Row(r, describe(r, organisation=organisations.get(r.object_id) if r.object_id else None))
        for r in reminders
    ]
