"""What a test needs from the machine: skipped locally when it is missing,
a failure in CI (``CI=true``), where nothing may be skipped."""

from __future__ import annotations

import os

import pytest
from django.db import connection


def need(condition: bool, reason: str) -> None:
    if condition:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (CI=true, so this must not skip)")
    pytest.skip(reason)


def need_postgresql() -> None:
    need(
        connection.vendor == "postgresql",
        "row locks need PostgreSQL (DATABASE_URL); SQLite locks the whole database",
    )
