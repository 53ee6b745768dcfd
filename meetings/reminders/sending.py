"""Dispatching and sending: each reminder is sent at most once.

``dispatch_due`` picks due rows in small batches under ``SELECT ... FOR
UPDATE SKIP LOCKED`` (so two beat runs never take the same rows), leases
them and enqueues one ``send_reminders(ids)`` task per batch after commit.
When the broker is down, the lease is dropped and the rows stay due for the
next run.

``send_batch`` locks the batch's rows (in primary-key order, waiting for a
concurrent delivery of the same rows), leaves out what was already sent or
skipped, checks again that each reminder still applies (``checks``, with the
facts of the whole batch read in a few queries: ``batch``), sends over one
mail connection and records ``sent_at`` in the same transaction. A retried
or duplicated task finds ``sent_at`` and sends nothing. (The one window left
is a crash after the mail server accepted messages and before the commit:
then the batch's sent messages go out again — at least once, never lost, and
never twice through a retry.) ``send(id)`` is a batch of one.
"""

from __future__ import annotations

import datetime
import logging
from collections import defaultdict
from collections.abc import Iterable
from functools import partial

from django.core.mail import get_connection
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from ..models import Reminder
from . import batch, checks, content
from .common import Skip

logger = logging.getLogger(__name__)

BATCH_SIZE = 50
MAX_BATCHES = 40  # per run; the rest waits for the next beat
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
    """Enqueue a send task for every batch of due reminders; returns how many
    reminders."""
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

    try:
        tasks.send_reminders.delay(ids)
    except Exception as error:  # the broker is down: try again next run
        logger.warning("Could not enqueue %d reminders (%s); they stay due.", len(ids), type(error).__name__)
        Reminder.objects.filter(pk__in=ids, sent_at__isnull=True).update(enqueued_at=None)


def _backoff(attempts: int) -> datetime.timedelta:
    return datetime.timedelta(minutes=5 * 2 ** max(attempts - 1, 0))


def send(reminder_id: int, *, now: datetime.datetime | None = None) -> str:
    """Send one reminder once. Returns what happened (for logs and tests)."""
    return send_batch([reminder_id], now=now)[reminder_id]


def send_batch(reminder_ids: Iterable[int], *, now: datetime.datetime | None = None) -> dict[int, str]:
    """Send each of these reminders once. Returns what happened to each:
    sent, failed, skipped:<reason>, already_sent, skipped or missing."""
    now = now or timezone.now()
    ids = sorted(set(reminder_ids))
    outcome = dict.fromkeys(ids, "missing")
    with transaction.atomic():
        # Row locks in key order: a concurrent delivery of the same rows
        # waits here, then finds them sent.
        rows = list(
            Reminder.objects.select_for_update(of=("self",))
            .filter(pk__in=ids)
            .select_related("recipient", "meeting__organisation")
            .order_by("pk")
        )
        pending = []
        for reminder in rows:
            if reminder.sent_at is not None:
                outcome[reminder.pk] = "already_sent"
            elif reminder.skipped_at is not None:
                outcome[reminder.pk] = "skipped"
            else:
                pending.append(reminder)
        if not pending:
            return outcome
        facts = batch.load(pending)
        skipped: dict[str, list[int]] = defaultdict(list)
        sendable = []
        for reminder in pending:
            reason = checks.skip_reason(reminder, now, facts)
            if reason is None:
                sendable.append(reminder)
            else:
                skipped[reason].append(reminder.pk)
                outcome[reminder.pk] = f"skipped:{reason}"
        for reason, skipped_ids in skipped.items():
            Reminder.objects.filter(pk__in=skipped_ids).update(skipped_at=now, skip_reason=reason)
        sent = _send_all(sendable, now, outcome)
        if sent:
            Reminder.objects.filter(pk__in=sent).update(
                attempts=F("attempts") + 1, sent_at=now, last_error=""
            )
    return outcome


def _send_all(reminders: list[Reminder], now: datetime.datetime, outcome: dict[int, str]) -> list[int]:
    """Send over one mail connection; returns the ids that were sent."""
    if not reminders:
        return []
    connection = get_connection()
    composer = content.Composer(connection)
    sent = []
    try:
        for reminder in reminders:
            try:
                connection.open()  # once; again after a failure (no-op when open)
                composer.email_for(reminder).send()
            except Exception as error:  # SMTP down or refused: retry later, a few times
                _failed(reminder, error, now)
                outcome[reminder.pk] = "failed"
                _close(connection)  # the next message opens a fresh connection
                continue
            sent.append(reminder.pk)
            outcome[reminder.pk] = "sent"
    finally:
        _close(connection)
    return sent


def _close(connection) -> None:
    try:
        connection.close()
    except Exception as error:  # a broken connection may fail to close; it is dropped anyway
        logger.warning("Closing the mail connection failed: %s", type(error).__name__)


def _failed(reminder: Reminder, error: Exception, now: datetime.datetime) -> None:
    reminder.attempts += 1
    reminder.last_error = f"{type(error).__name__}: {error}"[:300]
    reminder.enqueued_at = None
    reminder.retry_at = now + _backoff(reminder.attempts)
    if reminder.attempts >= MAX_ATTEMPTS:
        reminder.skipped_at, reminder.skip_reason = now, Skip.GAVE_UP
    reminder.save(
        update_fields=["attempts", "last_error", "enqueued_at", "retry_at", "skipped_at", "skip_reason"]
    )
    logger.warning("Reminder %s not sent: %s", reminder.pk, type(error).__name__)
