"""Celery tasks of the meetings app: reminders (issue 6).

Tasks take ids, are idempotent and decide again when they run
(meetings.reminders). Beat runs ``dispatch_due_reminders`` every minute and
``plan_periodic_reminders`` daily; ``send_reminders`` (a batch of ids) is
enqueued by the dispatcher after its transaction committed.
``send_reminder`` (one id) stays for messages already queued and by hand.
"""

from __future__ import annotations

from collections import Counter

from celery import shared_task

from .reminders import planning, sending


@shared_task(name="meetings.tasks.send_reminder", acks_late=True)
def send_reminder(reminder_id: int) -> str:
    return sending.send(reminder_id)


@shared_task(name="meetings.tasks.send_reminders", acks_late=True)
def send_reminders(reminder_ids: list[int]) -> dict[str, int]:
    """Returns how many reminders were sent, skipped, ... (for the logs)."""
    outcomes = sending.send_batch(reminder_ids).values()
    return dict(Counter(outcome.split(":")[0] for outcome in outcomes))


@shared_task(name="meetings.tasks.dispatch_due_reminders")
def dispatch_due_reminders() -> int:
    return sending.dispatch_due()


@shared_task(name="meetings.tasks.plan_periodic_reminders")
def plan_periodic_reminders() -> dict[str, int]:
    return planning.plan_periodic()
