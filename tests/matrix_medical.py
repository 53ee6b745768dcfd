"""Permission-matrix entries of the medical pages (casefiles/views/medical.py)."""

from __future__ import annotations

from .matrix_support import Entry

ENTRIES: dict[str, Entry] = {}
