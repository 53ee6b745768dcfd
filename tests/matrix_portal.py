"""Permission-matrix entries of the portal pages (casefiles/views/portal.py)."""

from __future__ import annotations

from .matrix_support import Entry

ENTRIES: dict[str, Entry] = {}
