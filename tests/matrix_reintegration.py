"""Permission-matrix entries of the reintegration pages (casefiles/views/reintegration.py)."""

from __future__ import annotations

from .matrix_support import Entry

ENTRIES: dict[str, Entry] = {}
