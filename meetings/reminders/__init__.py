"""Reminders (issue 6; R5, R6, R8, R12, R20, R21): an outbox in the database.

- ``planning``: writes :class:`~meetings.models.Reminder` rows, never touches
  the broker (so saving a meeting never fails when Redis is down). Meeting
  invitations, updates, cancellations and the 7/1-day reminders are planned
  from a ``transaction.on_commit`` hook (``signals``); everything else by the
  daily beat task ``meetings.tasks.plan_periodic_reminders``.
- ``sending``: the beat task ``meetings.tasks.dispatch_due_reminders`` picks
  due rows and enqueues ``meetings.tasks.send_reminder(id)`` on commit; that
  task locks the row, re-checks that the reminder still applies (``checks``),
  sends the email once and records it.
- ``content`` and ``ics``: what an email, an .ics and the in-app list say:
  meeting type, date and time, place, a link; never an employee or a case
  detail (R12).
- ``feeds``: the personal, revocable calendar feed.
"""
