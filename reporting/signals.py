"""Keep the PDF minutes in step with the meeting, without the meetings app
knowing about reporting (ENGINEERING.md: reporting is used by none).

- A meeting saved as closed (closing it, or a later change of what the PDF
  shows, such as the theme minutes) enqueues generation.
- A decision or action point saved or deleted on an item of a closed
  meeting enqueues generation. An action point's status change alone does
  not: the status is follow-up, not part of the minutes.
- A MinutesPdf row deleted (replaced extract, retention, cascade) takes its
  file with it once the transaction commits.

Generation is enqueued with ``transaction.on_commit(robust=True)``: the
meeting is saved even when the broker is down, and the download view
generates a missing or outdated PDF itself.

Also: any save or delete of absence data (Organisation, Department,
Employee, AbsenceCase, AbsencePercentage) drops the organisation's cached
statistics (:mod:`reporting.stats_cache`, R18/R19), without a query.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.db.models.signals import post_delete, post_save

logger = logging.getLogger(__name__)

# Meeting fields that the PDF shows; a save touching none of them (an
# evaluation, a version bump only) changes nothing in the PDF.
MEETING_FIELDS = frozenset(
    {
        "status",
        "title",
        "starts_at",
        "duration_minutes",
        "location",
        "closed_at",
        "minutes_text",
        "meeting_type",
    }
)
ACTION_POINT_FOLLOW_UP_FIELDS = frozenset({"status", "done_at", "version"})


def _already_pending(meeting_id: int) -> bool:
    """Whether this transaction already enqueues generation for the meeting
    (several decisions saved at once, a cascade): one task is enough."""
    pending = getattr(transaction.get_connection(), "run_on_commit", ())
    return any(
        getattr(entry[1], "minutes_meeting_id", None) == meeting_id and not entry[1].sent for entry in pending
    )


def enqueue_minutes_pdf(meeting_id: int) -> None:
    if _already_pending(meeting_id):
        return

    def send() -> None:
        from .tasks import generate_minutes_pdf

        send.sent = True
        generate_minutes_pdf.delay(meeting_id)

    send.minutes_meeting_id = meeting_id
    send.sent = False
    transaction.on_commit(send, robust=True)


def meeting_saved(sender, instance, raw=False, update_fields=None, **kwargs) -> None:
    from meetings.models import Meeting

    if raw or instance.status != Meeting.Status.CLOSED:
        return
    if update_fields is not None and not MEETING_FIELDS & set(update_fields):
        return
    enqueue_minutes_pdf(instance.pk)


def _closed_meeting_of_item(item_id: int) -> int | None:
    from meetings.models import AgendaItem, Meeting

    return (
        AgendaItem.objects.filter(pk=item_id, meeting__status=Meeting.Status.CLOSED)
        .values_list("meeting_id", flat=True)
        .first()
    )


def minutes_entry_changed(sender, instance, raw=False, update_fields=None, **kwargs) -> None:
    """A decision or action point saved (post_save) or deleted (post_delete)."""
    from meetings.models import ActionPoint

    if raw:
        return
    if (
        sender is ActionPoint
        and update_fields is not None
        and set(update_fields) <= ACTION_POINT_FOLLOW_UP_FIELDS
    ):
        return
    meeting_id = _closed_meeting_of_item(instance.item_id)
    if meeting_id is not None:
        enqueue_minutes_pdf(meeting_id)


def minutes_pdf_deleted(sender, instance, **kwargs) -> None:
    name = instance.file.name
    if not name:
        return
    storage = instance.file.storage
    transaction.on_commit(lambda: storage.delete(name), robust=True)


def _organisation_id(instance) -> int | None:
    """The organisation of a changed row of absence data, if known without a
    query (None: unknown, the global statistics version is bumped)."""
    from casefiles.models import AbsenceCase, AbsencePercentage, Organisation

    if isinstance(instance, Organisation):
        return instance.pk
    if isinstance(instance, AbsencePercentage):
        if not AbsencePercentage.case.is_cached(instance):
            return None
        instance = instance.case
    if isinstance(instance, AbsenceCase):
        if not AbsenceCase.employee.is_cached(instance):
            return None
        instance = instance.employee
    return instance.organisation_id  # Employee, Department


def absence_data_changed(sender, instance, raw=False, **kwargs) -> None:
    """R18/R19: the statistics computed before this change are not used again."""
    from .stats_cache import bump

    bump(_organisation_id(instance))


def connect() -> None:
    """Called from ReportingConfig.ready()."""
    from casefiles.models import AbsenceCase, AbsencePercentage, Department, Employee, Organisation
    from meetings.models import ActionPoint, Decision, Meeting

    from .models import MinutesPdf

    for model in (Organisation, Department, Employee, AbsenceCase, AbsencePercentage):
        for signal, what in ((post_save, "saved"), (post_delete, "deleted")):
            signal.connect(
                absence_data_changed,
                sender=model,
                dispatch_uid=f"reporting.statistics.{model.__name__}.{what}",
            )

    post_save.connect(meeting_saved, sender=Meeting, dispatch_uid="reporting.meeting_saved")
    for model in (Decision, ActionPoint):
        post_save.connect(
            minutes_entry_changed, sender=model, dispatch_uid=f"reporting.{model.__name__}.saved"
        )
        post_delete.connect(
            minutes_entry_changed, sender=model, dispatch_uid=f"reporting.{model.__name__}.deleted"
        )
    post_delete.connect(minutes_pdf_deleted, sender=MinutesPdf, dispatch_uid="reporting.minutes_pdf_deleted")
