"""Plan a meeting's reminders after its transaction commits.

Receivers on Meeting (post_save) and Participant (post_save on create,
post_delete) register one ``transaction.on_commit`` hook per meeting and
transaction. The hook only writes rows (planning), never touches the broker,
and is ``robust``: should it fail, the meeting is saved all the same and the
daily planner catches up.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models.signals import post_delete, post_save

from ..models import Meeting, Participant


class PlanMeeting:
    """The on-commit hook for one meeting (recognisable, to register once)."""

    def __init__(self, meeting_id: int):
        self.meeting_id = meeting_id
        self.ran = False

    def __call__(self) -> None:
        from .planning import plan_meeting_reminders

        self.ran = True
        plan_meeting_reminders(self.meeting_id)

    def __repr__(self) -> str:
        return f"PlanMeeting({self.meeting_id})"


def _registered(meeting_id: int) -> bool:
    connection = transaction.get_connection()
    return any(
        isinstance(entry[1], PlanMeeting) and entry[1].meeting_id == meeting_id and not entry[1].ran
        for entry in getattr(connection, "run_on_commit", ())
    )


def plan_on_commit(meeting_id: int) -> None:
    if not _registered(meeting_id):
        transaction.on_commit(PlanMeeting(meeting_id), robust=True)


def meeting_saved(sender, instance: Meeting, raw: bool = False, **kwargs) -> None:
    if not raw:
        plan_on_commit(instance.pk)


def participant_saved(
    sender, instance: Participant, created: bool = False, raw: bool = False, **kwargs
) -> None:
    if created and not raw:
        plan_on_commit(instance.meeting_id)


def participant_deleted(sender, instance: Participant, **kwargs) -> None:
    plan_on_commit(instance.meeting_id)


def connect() -> None:
    post_save.connect(meeting_saved, sender=Meeting, dispatch_uid="reminders_meeting_saved")
    post_save.connect(participant_saved, sender=Participant, dispatch_uid="reminders_participant_saved")
    post_delete.connect(participant_deleted, sender=Participant, dispatch_uid="reminders_participant_deleted")
