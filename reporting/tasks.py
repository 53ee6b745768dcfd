"""Celery tasks of the reporting app.

Enqueued by reporting.signals with ``transaction.on_commit``; they take ids,
re-read the meeting when they run (nothing for a meeting that is not closed)
and are idempotent: a retried or duplicated task stores each PDF once.
"""

from __future__ import annotations

from celery import shared_task
from django.db import OperationalError

from . import pdf


@shared_task(
    name="reporting.generate_minutes_pdf",
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
)
def generate_minutes_pdf(meeting_id: int) -> dict[str, int]:
    """Create or update the PDF minutes of a closed meeting (R10, R11)."""
    records = pdf.generate_for_meeting(meeting_id)
    return {"meeting_id": meeting_id, "pdfs": len(records)}


# Registered with the worker through autodiscovery of this module.
from .tasks_retention import purge_all  # noqa: E402, F401
