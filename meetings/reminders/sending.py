"""Dispatching and sending: each reminder is sent at most once.

``dispatch_due`` picks due rows in small batches under ``SELECT ... FOR
UPDATE SKIP LOCKED`` (so two beat runs never take the same rows), leases
them and enqueues ``send_reminder(id)`` after commit. When the broker is
down, the lease is dropped and the rows stay due for the next run.

``send`` locks the row, returns when it was already sent or skipped, checks
again that the reminder still applies, sends and records ``sent_at`` in the
same transaction. A retried or duplicated task finds ``sent_at`` and sends
nothing. (The one window left is a crash after the mail server accepted the
message and before the commit: then it is sent again — at least once, never
lost, and never twice through a retry.)
"""

from __future__ import annotations

import datetime
import logging
from functools import partial

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from ..models import Reminder
from . import checks, content
from .common import Skip

logger = logging.getLogger(__name__)

BATCH_SIZE = 50
MAX_BATCHES = 20  # per run; the rest waits for the next beat
LEASE = datetime.timedelta(minutes=10)  # an enqueued row is not enqueued again before
MAX_ATTEMPTS = 5


def due(now: datetime.datetime):
    return Reminder.objects.filter(
        Q(enqueued_at__isnull=True) | Q(enqueued_at__lt=now - LEASE),
        Q(retry_at__isnull=True) | Q(retry_at__lte=now),
        sent_at__isnull=True,
        skipped_at__isnull=True,
        due_at__lte=now,
    )


def dispatch_due(*, now: datetime.datetime | None = None, batch_size: int = BATCH_SIZE) -> int:
    """Enqueue a send task for every due reminder; returns how many."""
    now = now or timezone.now()
    total = 0
    for _batch in range(MAX_BATCHES):
        with transaction.atomic():
            ids = list(
                due(now)
                .select_for_update(skip_locked=True)
                .order_by("due_at", "pk")
                .values_list("pk", flat=True)[:batch_size]
            )
            if not ids:
                break
            Reminder.objects.filter(pk__in=ids).update(enqueued_at=now)
            transaction.on_commit(partial(_enqueue, ids))
        total += len(ids)
        if len(ids) < batch_size:
            break
    return total


def _enqueue(ids: list[int]) -> None:
    from .. import tasks

    for position, reminder_id in enumerate(ids):
        try:
            tasks.send_reminder.delay(reminder_id)
        except Exception as error:  # the broker is down: try again next run
            logger.warning(
                "Could not enqueue %d reminders (%s); they stay due.",
                len(ids) - position,
                type(error).__name__,
            )
            Reminder.objects.filter(pk__in=ids[position:], sent_at__isnull=True).update(enqueued_at=None)
            return


def _backoff(attempts: int) -> datetime.timedelta:
    return datetime.timedelta(minutes=5 * 2 ** max(attempts - 1, 0))


def send(reminder_id: int, *, now: datetime.datetime | None = None) -> str:
    """Send one reminder once. Returns what happened (for logs and tests)."""
    now = now or timezone.now()
    with transaction.atomic():
        reminder = Reminder.objects.select_for_update().filter(pk=reminder_id).first()
        if reminder is None:
            return "missing"
        if reminder.sent_at is not None:
            return "already_sent"
        if reminder.skipped_at is not None:
            return "skipped"
        reason = checks.skip_reason(reminder, now)
        if reason is not None:
            reminder.skipped_at, reminder.skip_reason = now, reason
            reminder.save(update_fields=["skipped_at", "skip_reason"])
            return f"skipped:{reason}"
        reminder.attempts += 1
        try:
            content.email_for(reminder).send()
        except Exception as error:  # SMTP down or refused: retry later, a few times
            reminder.last_error = f"{type(error).__name__}: {error}"[:300]
            reminder.enqueued_at = None
            reminder.retry_at = now + _backoff(reminder.attempts)
            if reminder.attempts >= MAX_ATTEMPTS:
                reminder.skipped_at, reminder.skip_reason = now, Skip.GAVE_UP
            reminder.save(
                update_fields=[
                    "attempts",
                    "last_error",
                    "enqueued_at",
                    "retry_at",
                    "skipped_at",
                    "skip_reason",
                ]
            )
            logger.warning("Reminder %s not sent: %s", reminder.pk, type(error).__name__)
            return "failed"
        reminder.sent_at, reminder.last_error = now, ""
        reminder.save(update_fields=["attempts", "sent_at", "last_error"])
        return "sent"
