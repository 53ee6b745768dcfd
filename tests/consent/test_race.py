"""R8 race safety: withdrawal and opening an agenda item take the same row
lock, so a withdrawal committed before an item opens always blocks it, and
an opening in progress delays a withdrawal until it is done (never both
"allowed" and "withdrawn" at once). Two real database connections against
PostgreSQL (threads, each with its own connection)."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection, transaction

from consent import services
from consent.services import Reason
from tests.needs import need_postgresql

from .test_gate import consent, meeting, notify

pytestmark = pytest.mark.django_db(transaction=True)


require_postgresql = need_postgresql


def in_thread(target, results, key):
    def run():
        try:
            results[key] = target()
        except Exception as error:  # surfaced by the assertions below
            results[key] = error
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def test_R8_withdrawal_committed_first_blocks_the_opening(cast):
    require_postgresql()
    notify(cast)
    given = consent(cast)
    context = meeting(cast)
    locked, opening = threading.Event(), threading.Event()
    results: dict = {}

    def withdraw():
        with transaction.atomic():
            services.withdraw_consent(user=cast.users["employee_concerned"], consent_id=given.pk)
            locked.set()
            opening.wait(5)
            time.sleep(0.5)  # the opener is now waiting on our lock
        return time.monotonic()

    def open_item():
        locked.wait(5)
        opening.set()
        with transaction.atomic():
            decision = services.open_for_discussion(case=cast.case, meeting=context)
        return decision, time.monotonic()

    threads = [in_thread(withdraw, results, "withdraw"), in_thread(open_item, results, "open")]
    for thread in threads:
        thread.join(15)
    committed_at = results["withdraw"]
    decision, decided_at = results["open"]
    assert not decision.allowed and decision.reasons == (Reason.CONSENT_WITHDRAWN,)
    assert decided_at >= committed_at, "the opening did not wait for the withdrawal's lock"


def test_R8_an_opening_in_progress_delays_the_withdrawal(cast):
    require_postgresql()
    notify(cast)
    given = consent(cast)
    context = meeting(cast)
    opened, withdrawing = threading.Event(), threading.Event()
    results: dict = {}

    def open_item():
        with transaction.atomic():
            decision = services.open_for_discussion(case=cast.case, meeting=context)
            opened.set()
            withdrawing.wait(5)
            time.sleep(0.5)
        return decision, time.monotonic()

    def withdraw():
        opened.wait(5)
        withdrawing.set()
        services.withdraw_consent(user=cast.users["employee_concerned"], consent_id=given.pk)
        return time.monotonic()

    threads = [in_thread(open_item, results, "open"), in_thread(withdraw, results, "withdraw")]
    for thread in threads:
        thread.join(15)
    decision, opened_until = results["open"]
    assert decision.allowed
    assert results["withdraw"] >= opened_until, "the withdrawal did not wait for the opening to finish"
    # From now on the case is blocked.
    assert services.discussion_permission(case=cast.case, meeting=context).reasons == (
        Reason.CONSENT_WITHDRAWN,
    )
