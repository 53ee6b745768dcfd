"""Scheduled retention purge (R15), run nightly by Celery beat.

Idempotent: a retried or duplicated run destroys only what is still due, and
each organisation is purged in its own batches and transactions. One
organisation's failure does not stop the others; the task fails afterwards,
naming only organisation ids and exception types (an exception's text could
quote a destroyed row).
"""

from __future__ import annotations

import logging

from celery import shared_task

from casefiles.models import Organisation

from . import retention

logger = logging.getLogger(__name__)


@shared_task(name="reporting.tasks_retention.purge_all")
def purge_all(dry_run: bool = False) -> dict[str, dict[str, int]]:
    """Purge every organisation; returns the counts per organisation id."""
    done: dict[str, dict[str, int]] = {}
    failed: dict[int, str] = {}
    for organisation in Organisation.objects.order_by("pk"):
        try:
            run = retention.purge(organisation, dry_run=dry_run)
        except Exception as error:  # one organisation must not block the others
            failed[organisation.pk] = type(error).__name__
            logger.error(
                "retention purge failed for organisation %s: %s", organisation.pk, type(error).__name__
            )
            continue
        done[str(organisation.pk)] = run.counts
    if failed:
        raise RuntimeError(f"retention purge failed for organisations {sorted(failed.items())}")
    return done
